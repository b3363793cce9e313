"""The dbt project's conventions: staging per source, every model and seed documented, YAML in block style."""

from __future__ import annotations

import json

import yaml

from orchestration.dbt.project import DBT_DIR, manifest_path

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
