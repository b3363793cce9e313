"""The one dbt project of grip, and how its manifest gets prepared.

``prepare_if_dev()`` only works under ``dagster dev``; tests, CI, the CLI and the
Makefile call :func:`prepare_dbt` so that a fresh clone loads without a manual parse.
"""

from __future__ import annotations

import os
import shutil
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.compat import DBT_PYTHON_VERSION

from orchestration.lib.config import REPO_ROOT

if TYPE_CHECKING:
    from packaging.version import Version  # what dagster-dbt compares versions with

DBT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

# The dbt installed next to this interpreter, so the venv need not be on PATH.
_local = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_local) if _local.exists() else (shutil.which("dbt") or "dbt")


class GripDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without two start-up costs of every invocation that grip has no use for.

    Before each invocation dagster-dbt runs ``dbt --version`` in a subprocess, to tell dbt Core from the
    Fusion engine, and loads a dbt adapter with the project's macros into the Dagster process, which only
    its optional column and row-count metadata use (grip observes its tables itself, ``observe_tables``).
    Together 3 to 5 s of every invocation, also a quiet night's (measured: docs/performance.md, "Stop 42"). The version
    is that of the dbt-core installed beside dagster-dbt when the executable is the one beside this
    interpreter. Both are private members of dagster-dbt (pinned in pyproject.toml); a unit test fails when
    an upgrade renames them, so the saving cannot silently disappear.
    """

    @cached_property
    def _cli_version(self) -> Version:
        if self.dbt_executable == str(_local) and DBT_PYTHON_VERSION is not None:
            return DBT_PYTHON_VERSION
        return super()._cli_version  # another dbt: ask it

    def _initialize_dbt_core_adapter(self, args):
        return None  # no column or row-count metadata from dagster-dbt, so no adapter to fetch it with


def dbt_cli() -> DbtCliResource:
    # the inherited __init__ takes a DbtProject; mypy sees only the resource's field type (str)
    return GripDbtCli(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)  # type: ignore[arg-type]


def prepare_dbt() -> Path:
    """Parse the project (writes target/manifest.json); cheap, needs no warehouse."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path


def manifest_path() -> Path:
    """The manifest, prepared on first use when missing (fresh clone, CI)."""
    if not dbt_project.manifest_path.exists() and not os.environ.get("GRIP_SKIP_DBT_PREPARE"):
        prepare_dbt()
    return dbt_project.manifest_path
