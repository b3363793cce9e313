"""The nightly job and its schedule: everything, in one process, one writer at a time."""

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job, in_process_executor

# The in-process executor runs steps one after another: DuckDB's single writer is never
# contended, and it saves the multiprocess executor's ~3 s start-up per step.
# The period-partitioned report products are rendered by their own jobs (orchestration/reports/products.py),
# started by a sensor when the nightly build succeeds.
nightly_job = define_asset_job("nightly", selection=AssetSelection.all() - AssetSelection.groups("report_products"),
                               executor_def=in_process_executor,
                               description="Ingest new deliveries, build the dbt models, check quality, write reports.")

nightly_schedule = ScheduleDefinition(job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="Europe/Amsterdam",
                                      default_status=DefaultScheduleStatus.RUNNING, name="nightly_0200")
