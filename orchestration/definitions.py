"""The grip code location: one Definitions object merged from one package per layer.

The layers in the order the data flows (CONTRIBUTING.md): ingest, reference, linkage, dbt
(staging, intermediate, marts), quality, programming, reports; publish comes last and is
built here, from the keys of everything the nightly writes, so that no layer imports the others.
"""

from dagster import AssetSpec, Definitions, in_process_executor, map_asset_specs

from orchestration import dbt, ingest, linkage, programming, publish, quality, reference, reports
from orchestration.jobs import (
    NIGHTLY_SELECTION,
    nightly_failed_checks,
    nightly_job,
    nightly_schedule,
    run_failure_alert,
)
from orchestration.lib.resources import Warehouse

# Who answers for an asset, by layer (Dagster shows owners on every asset and can alert them): the data
# engineers for the flow from landing zone to published marts, the data stewards for the quality method,
# information management (informatievoorziening) for programming and the report products. Team names,
# not people: a municipality maps them to its own teams in one place.
OWNERS = {
    "ingest": "team:data-engineering",
    "reference": "team:data-engineering",
    "linkage": "team:data-engineering",
    "staging": "team:data-engineering",
    "intermediate": "team:data-engineering",
    "marts": "team:data-engineering",
    "publish": "team:data-engineering",
    "quality": "team:datakwaliteit",
    "programming": "team:informatievoorziening",
    "reports": "team:informatievoorziening",
}


def owned(spec: AssetSpec) -> AssetSpec:
    """The layer's owner and a ``grip/laag`` tag, so the UI's asset catalogue filters by layer and owner."""
    layer = spec.group_name or "default"
    return spec.merge_attributes(owners=[OWNERS[layer]] if layer in OWNERS else [], tags={"grip/laag": layer})


LAYERS = (ingest.defs, reference.defs, linkage.defs, dbt.defs, quality.defs, programming.defs, reports.defs)


def build_defs() -> Definitions:
    """The layers, then publish downstream of everything they write. A function, because Dagster's
    loader accepts one Definitions object at module scope."""
    layers = Definitions.merge(*LAYERS)
    merged = Definitions.merge(
        layers,
        # publish comes after everything the nightly writes (the report products read it, so come after it)
        publish.build_defs(NIGHTLY_SELECTION.resolve(list(layers.assets or []))),
        Definitions(
            jobs=[nightly_job],
            schedules=[nightly_schedule],
            sensors=[run_failure_alert, nightly_failed_checks],
            resources={"warehouse": Warehouse()},
            executor=in_process_executor,
        ),
    )
    # dagster's own map_asset_specs (stable), not Definitions.map_asset_specs (a preview that warns on every load)
    return Definitions(
        assets=map_asset_specs(owned, list(merged.assets or [])),
        asset_checks=merged.asset_checks,
        jobs=merged.jobs,
        schedules=merged.schedules,
        sensors=merged.sensors,
        resources=merged.resources,
        executor=merged.executor,
        loggers=merged.loggers,
    )


defs = build_defs()
