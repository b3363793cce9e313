"""The one dbt project of grip, and how its manifest gets prepared.

``prepare_if_dev()`` only works under ``dagster dev``; tests, CI, the CLI and the
Makefile call :func:`prepare_dbt` so that a fresh clone loads without a manual parse.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.lib.config import REPO_ROOT

DBT_DIR = REPO_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)

# The dbt installed next to this interpreter, so the venv need not be on PATH.
_local = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_local) if _local.exists() else (shutil.which("dbt") or "dbt")


def dbt_cli() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


def prepare_dbt() -> Path:
    """Parse the project (writes target/manifest.json); cheap, needs no warehouse."""
    dbt_cli().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
    return dbt_project.manifest_path


def manifest_path() -> Path:
    """The manifest, prepared on first use when missing (fresh clone, CI)."""
    if not dbt_project.manifest_path.exists() and not os.environ.get("GRIP_SKIP_DBT_PREPARE"):
        prepare_dbt()
    return dbt_project.manifest_path
