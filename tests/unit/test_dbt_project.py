"""The dbt project's conventions (staging per source, every model and seed documented, YAML in block style), and how
dagster-dbt starts dbt."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import version

import yaml
from dagster_dbt import DbtCliResource
from dagster_dbt.core import resource as dagster_dbt_resource

from orchestration.dbt.project import DBT_DIR, GripDbtCli, dbt_cli, manifest_path

MODELS = DBT_DIR / "models"


def _nodes(kind: str) -> list[dict]:
    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    return [n for n in manifest["nodes"].values() if n["resource_type"] == kind and n["package_name"] == "grip"]


def test_every_model_and_seed_has_a_description_with_its_grain():
    for node in _nodes("model") + _nodes("seed"):
        assert node["description"].strip(), f"{node['name']} has no description"
        assert node["patch_path"], f"{node['name']} has no YAML entry"
    for node in _nodes("model"):
        description = node["description"]
        if "{{ doc(" not in node["raw_code"] and "doc(" not in description:
            assert "grain" in description.lower(), f"{node['name']}: the description does not state the grain"


def test_every_listed_column_has_a_description():
    for node in _nodes("model") + _nodes("seed"):
        for column in node["columns"].values():
            assert column.get("description", "").strip(), f"{node['name']}.{column['name']} has no description"


def test_staging_models_live_in_a_folder_per_source_with_its_own_sources_and_models_yaml():
    for node in _nodes("model"):
        if node["name"].startswith("stg_"):
            source = node["name"].removeprefix("stg_").split("__")[0]
            assert node["original_file_path"] == f"models/staging/{source}/{node['name']}.sql"
            assert node["patch_path"].endswith(f"models/staging/{source}/_{source}__models.yml")
    folders = [p for p in (MODELS / "staging").iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        sources = yaml.safe_load((folder / f"_{folder.name}__sources.yml").read_text(encoding="utf-8"))["sources"]
        assert [s["name"] for s in sources] == [folder.name]


def test_model_names_follow_the_layer_prefixes():
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_", "question_answers")}
    for node in _nodes("model"):
        layer = node["original_file_path"].split("/")[1]
        assert node["name"].startswith(prefixes[layer]), node["original_file_path"]


def test_yaml_beside_the_models_is_in_block_style():
    for path in [*MODELS.rglob("*.yml"), DBT_DIR.parent / "seeds" / "_seeds.yml"]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert len(line) <= 120, f"{path.name}:{number} is {len(line)} characters"
            assert not line.lstrip().startswith("- {"), f"{path.name}:{number} is in flow style"


def test_the_dbt_resource_starts_dbt_without_asking_its_version_or_loading_an_adapter(monkeypatch, tmp_path):
    # the members GripDbtCli replaces: renamed by an upgrade, the override would silently do nothing
    assert isinstance(vars(DbtCliResource).get("_cli_version"), type(vars(GripDbtCli)["_cli_version"]))
    assert callable(vars(DbtCliResource).get("_initialize_dbt_core_adapter"))
    started = []
    monkeypatch.setattr(dagster_dbt_resource, "check_output", lambda args, **kw: started.append(args) or b"")
    monkeypatch.setattr(subprocess, "check_output", lambda args, **kw: started.append(args) or b"")
    dbt = dbt_cli()
    assert str(dbt._cli_version) == version("dbt-core")
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
    assert started == [], f"dbt was started to ask its version: {started}"
    elsewhere = tmp_path / "dbt"
    elsewhere.write_text("#!/bin/sh\n")
    elsewhere.chmod(0o755)
    other = GripDbtCli(project_dir=str(DBT_DIR), dbt_executable=str(elsewhere))
    monkeypatch.setattr(dagster_dbt_resource, "check_output", lambda args, **kw: started.append(args) or b"dbt 9.1.2")
    assert str(other._cli_version) == "9.1.2", "another dbt executable is still asked for its version"
