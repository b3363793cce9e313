"""Shared fixtures: small generated feeds, and a data directory per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from orchestration.lib.config import REPO_ROOT
from synthetic.generate import GeneratorConfig, generate

ISTANDAARDEN = Path(os.environ.get("GRIP_ISTANDAARDEN", REPO_ROOT.parent / "shared" / "istandaarden"))
SMALL = dict(seed=7, scale=0.05, end=dt.date(2020, 12, 31))


@pytest.fixture(scope="session")
def small_feeds(tmp_path_factory) -> Path:
    """Feeds of a small synthetic municipality, 2018-2020; read-only for tests (copy before ingesting)."""
    out = tmp_path_factory.mktemp("feeds")
    generate(GeneratorConfig(out=out, **SMALL))
    return out


def use_data_dir(mp: pytest.MonkeyPatch, folder: Path, feeds: Path) -> Path:
    shutil.copytree(feeds / "landing", folder / "landing")
    mp.setenv("GRIP_DATA_DIR", str(folder))
    mp.setenv("GRIP_DEMO", "1")
    for var in ("GRIP_WAREHOUSE", "GRIP_PUBLISHED_WAREHOUSE", "GRIP_XSD_DIR"):
        mp.delenv(var, raising=False)
    return folder


@pytest.fixture
def data_dir(tmp_path, small_feeds, monkeypatch) -> Path:
    """A fresh GRIP_DATA_DIR holding a copy of the small feeds in its landing zone."""
    return use_data_dir(monkeypatch, tmp_path, small_feeds)


@pytest.fixture(scope="session")
def _built_once(tmp_path_factory, small_feeds):
    """The nightly run on the small feeds, once per session: each build costs about 100 s."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    with pytest.MonkeyPatch.context() as mp:
        folder = use_data_dir(mp, tmp_path_factory.mktemp("built"), small_feeds)
        result = defs.resolve_job_def("nightly").execute_in_process(instance=DagsterInstance.ephemeral())
        assert result.success
    return folder, result


@pytest.fixture(scope="module")
def built(_built_once, small_feeds):
    """That run, with grip pointed at it for the module. Tests only read it, or copy it before changing it."""
    folder, result = _built_once
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRIP_DATA_DIR", str(folder))
        mp.setenv("GRIP_DEMO", "1")
        for var in ("GRIP_WAREHOUSE", "GRIP_PUBLISHED_WAREHOUSE", "GRIP_XSD_DIR"):
            mp.delenv(var, raising=False)
        yield folder, result


def run_data_layers():
    """The nightly up to and including publishing, without the parts after the marts (quality suites,
    programming, reports): what a test of loading and building needs, at half the cost of a whole night."""
    from dagster import AssetSelection, DagsterInstance

    from orchestration.definitions import defs
    from orchestration.publish import PUBLISHED

    layers = AssetSelection.groups("ingest", "reference", "linkage", "staging", "intermediate", "marts")
    selection = (layers | AssetSelection.assets(PUBLISHED)).resolve(list(defs.assets))
    return defs.resolve_job_def("nightly").execute_in_process(
        instance=DagsterInstance.ephemeral(), asset_selection=list(selection)
    )


def istandaarden_or_skip() -> Path:
    if not (ISTANDAARDEN / "iwmo" / "xsd").exists():
        pytest.skip(f"official iStandaarden XSDs not found at {ISTANDAARDEN} (shared/ is not beside this clone)")
    return ISTANDAARDEN


def pytest_terminal_summary(terminalreporter):
    """How many hostile inputs the property tests tried (issue: report the number of cases)."""
    import sys

    module = sys.modules.get("tests.unit.test_hostile_input")
    if module and module.CASES:
        parts = ", ".join(f"{kind} {n:,}" for kind, n in sorted(module.CASES.items()))
        terminalreporter.write_line(f"hostile input: {sum(module.CASES.values()):,} cases tried ({parts})")
