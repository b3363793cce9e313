"""How dbt nodes become Dagster assets: keys follow the schema a node is built in, groups the layer.

Every key is ``<schema>/<table>`` as the warehouse holds it (``marts/question_answers``,
``ref/question_catalogue``), for dbt models, seeds and sources alike. A source is keyed by its
table, not by its dbt source name, so ``source('suite4', 'clienten')`` (table ``raw.suite4_clienten``)
is the ingest asset ``raw/suite4_clienten``: one lineage graph from feed to report.
Groups are the layers of CONTRIBUTING.md: the seeds join the Python reference data in ``reference``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
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


def _schema(dbt_resource_props: Mapping[str, Any]) -> str:
    return dbt_resource_props.get("config", {}).get("schema") or "dbt"
