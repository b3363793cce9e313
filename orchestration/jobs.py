"""The nightly job and its schedule: everything, in one process, one writer at a time."""

import datetime as dt
import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    run_failure_sensor,
)

from orchestration.lib.config import settings

# The in-process executor runs steps one after another: DuckDB's single writer is never
# contended, and it saves the multiprocess executor's ~3 s start-up per step.
# The period-partitioned report products are rendered by their own jobs (orchestration/reports/products.py),
# started by a sensor when the nightly build succeeds.
nightly_job = define_asset_job("nightly", selection=AssetSelection.all() - AssetSelection.groups("report_products"),
                               executor_def=in_process_executor,
                               description="Ingest new deliveries, build the dbt models, check quality, write reports.")

nightly_schedule = ScheduleDefinition(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="Europe/Amsterdam",
                                      default_status=DefaultScheduleStatus.RUNNING, name="nightly_0200")


@run_failure_sensor(name="run_failure_alert", default_status=DefaultSensorStatus.RUNNING,
                    description="Writes a JSON alert per failed run to $GRIP_DATA_DIR/alerts/ for the monitoring to pick up.")
def run_failure_alert(context):
    folder = settings().data_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    error = context.failure_event.message if context.failure_event else ""
    alert = {"job": context.dagster_run.job_name, "run_id": context.dagster_run.run_id,
             "failed_at": dt.datetime.now().isoformat(timespec="seconds"), "error": error}
    (folder / f"{context.dagster_run.run_id}.json").write_text(json.dumps(alert, indent=2), encoding="utf-8")
