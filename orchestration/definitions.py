"""The grip code location: one Definitions object merged from one package per layer."""

from dagster import Definitions, in_process_executor

from orchestration import dbt, ingest, linkage, programming, quality, reference, reports
from orchestration.jobs import nightly_job, nightly_schedule, run_failure_alert

defs = Definitions.merge(
    ingest.defs,
    reference.defs,
    linkage.defs,
    dbt.defs,
    quality.defs,
    programming.defs,
    reports.defs,
    Definitions(
        jobs=[nightly_job], schedules=[nightly_schedule], sensors=[run_failure_alert], executor=in_process_executor
    ),
)
