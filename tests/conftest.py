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


@pytest.fixture
def data_dir(tmp_path, small_feeds, monkeypatch) -> Path:
    """A fresh GRIP_DATA_DIR holding a copy of the small feeds in its landing zone."""
    shutil.copytree(small_feeds / "landing", tmp_path / "landing")
    monkeypatch.setenv("GRIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRIP_DEMO", "1")
    monkeypatch.delenv("GRIP_WAREHOUSE", raising=False)
    monkeypatch.delenv("GRIP_PUBLISHED_WAREHOUSE", raising=False)
    return tmp_path


def istandaarden_or_skip() -> Path:
    if not (ISTANDAARDEN / "iwmo" / "xsd").exists():
        pytest.skip(f"official iStandaarden XSDs not found at {ISTANDAARDEN} (shared/ is not beside this clone)")
    return ISTANDAARDEN
