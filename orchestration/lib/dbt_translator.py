"""How dbt nodes become Dagster assets: keys follow the schema a node is built in, groups the layer.

Every key is ``<schema>/<table>`` as the warehouse holds it (``marts/question_answers``,
``ref/question_catalogue``), for dbt models, seeds and sources alike. A source is keyed by its
table, not by its dbt source name, so ``source('suite4', 'clienten')`` (table ``raw.suite4_clienten``)
is the ingest asset ``raw/suite4_clienten``: one lineage graph from feed to report.
Groups are the layers of CONTRIBUTING.md: the seeds join the Python reference data in ``reference``.
A dbt test without a description of its own is described from what it tests (``check_description``),
so every check in the Dagster UI says what it guards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator

# dbt schema -> layer (Dagster group); a schema not listed is its own layer
LAYER_OF_SCHEMA = {"ref": "reference"}


class GripTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            props = dbt_resource_props
            return AssetKey([props["schema"], props.get("identifier") or props["name"]])
        return AssetKey([_schema(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = _schema(dbt_resource_props)
        return LAYER_OF_SCHEMA.get(schema, schema)

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=check_description(manifest["nodes"][unique_id]))


def _listed(values: Any, most: int = 8) -> str:
    values = [str(v) for v in (values if isinstance(values, list | tuple) else [values])]
    return ", ".join(values[:most]) + (f" and {len(values) - most} more" if len(values) > most else "")


def check_description(test: Mapping[str, Any]) -> str:
    """What a dbt test guards, in a sentence, from its kind and arguments; singular tests by their own
    description or name. WARN-severity tests say that they never block publication."""
    meta = test.get("test_metadata") or {}
    kind, kwargs = meta.get("name"), meta.get("kwargs") or {}
    column = kwargs.get("column_name") or "the row"
    if test.get("description"):
        text = test["description"]
    elif kind == "not_null":
        text = f"{column} is never empty."
    elif kind == "unique":
        text = f"{column} is unique: one row per value."
    elif kind == "accepted_values":
        text = f"{column} is one of: {_listed(kwargs.get('values', []))}."
    elif kind == "relationships":
        target = (
            str(kwargs.get("to", "")).replace("ref('", "").replace("source('", "").rstrip("')").replace("', '", ".")
        )
        text = f"Every {column} exists in {target}.{kwargs.get('field')}."
    elif kind in ("unique_combination_of_columns", "unique_combination"):
        text = f"One row per {_listed(kwargs.get('combination_of_columns') or kwargs.get('columns') or [])}."
    elif kind:
        arguments = {k: v for k, v in kwargs.items() if k != "model"}
        text = f"dbt test {kind} on {column}" + (f" ({arguments})" if arguments else "") + "."
    else:
        text = (
            f"Singular test {test.get('name')}: the query returns the rows that break the rule, and must return none."
        )
    if (test.get("config") or {}).get("severity", "").lower() == "warn":
        text += " Warns only: never blocks publication."
    return text


def _schema(dbt_resource_props: Mapping[str, Any]) -> str:
    return dbt_resource_props.get("config", {}).get("schema") or "dbt"
