"""The nightly job, its schedule and the failure alert: everything but the report products, in one process."""

import datetime as dt
import json

from dagster import (
    AssetSelection,
    DagsterEventType,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
    run_status_sensor,
)

from orchestration.lib.resources import Warehouse
from orchestration.status import tag_failed_checks

# Assets with this tag (the report products) are rendered per period by their own jobs, not by the nightly.
PERIODIC_TAG = ("grip/cadence", "period")
PERIODIC = dict([PERIODIC_TAG])
# What the nightly materialises; definitions.py also puts publishing downstream of exactly these assets.
NIGHTLY_SELECTION = AssetSelection.all() - AssetSelection.tag(*PERIODIC_TAG)

# The in-process executor runs steps one after another: DuckDB's single writer is never
# contended, and it saves the multiprocess executor's ~3 s start-up per step.
# The period-partitioned report products are rendered by their own jobs (orchestration/reports/products.py),
# started by a sensor when the nightly build succeeds.
nightly_job = define_asset_job(
    "nightly",
    selection=NIGHTLY_SELECTION,
    executor_def=in_process_executor,
    description="Ingest new deliveries, build the dbt models, check quality, write reports.",
)

nightly_schedule = ScheduleDefinition(
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Amsterdam",
    default_status=DefaultScheduleStatus.RUNNING,
    name="nightly_0200",
)


def _root_cause(error) -> str:
    """Dagster wraps the exception that stopped a step; the innermost one names the problem."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes a JSON alert per failed run to $GRIP_DATA_DIR/alerts/ for the monitoring to pick up.",
)
def run_failure_alert(context, warehouse: Warehouse):
    folder = warehouse.settings.data_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    error = context.failure_event.message if context.failure_event else ""
    steps = context.instance.all_logs(context.dagster_run.run_id, of_type=DagsterEventType.STEP_FAILURE)
    causes = [
        f"{e.step_key}: {_root_cause(e.dagster_event.step_failure_data.error)}"
        for e in steps
        if e.dagster_event and e.dagster_event.step_failure_data and e.dagster_event.step_failure_data.error
    ]
    error = "\n".join([error, *causes])  # the run says which steps failed, the steps say why
    alert = {
        "job": context.dagster_run.job_name,
        "run_id": context.dagster_run.run_id,
        "failed_at": dt.datetime.now().isoformat(timespec="seconds"),
        "error": error,
    }
    (folder / f"{context.dagster_run.run_id}.json").write_text(json.dumps(alert, indent=2), encoding="utf-8")


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[nightly_job],
    name="nightly_failed_checks",
    default_status=DefaultSensorStatus.RUNNING,
    description="Tags a successful nightly with the number of checks that failed in it (grip/mislukte_checks): a "
    "nightly whose WARN checks failed still succeeds, and the run list then says so.",
)
def nightly_failed_checks(context):
    tag_failed_checks(context.instance, context.dagster_run.run_id)
