"""The grip code location: one Definitions object merged from one package per layer.

The layers in the order the data flows (CONTRIBUTING.md): ingest, reference, linkage, dbt
(staging, intermediate, marts), quality, programming, reports; publish comes last and is
built here, from the keys of everything the nightly writes, so that no layer imports the others.
"""

from dagster import Definitions, in_process_executor

from orchestration import dbt, ingest, linkage, programming, publish, quality, reference, reports
from orchestration.jobs import (
    NIGHTLY_SELECTION,
    nightly_failed_checks,
    nightly_job,
    nightly_schedule,
    run_failure_alert,
)
from orchestration.lib.resources import Warehouse

LAYERS = (ingest.defs, reference.defs, linkage.defs, dbt.defs, quality.defs, programming.defs, reports.defs)


def build_defs() -> Definitions:
    """The layers, then publish downstream of everything they write. A function, because Dagster's
    loader accepts one Definitions object at module scope."""
    layers = Definitions.merge(*LAYERS)
    return Definitions.merge(
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


defs = build_defs()
