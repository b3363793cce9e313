"""Great Expectations suites surfaced as Dagster asset checks on the raw tables."""


from dagster import AssetCheckExecutionContext, AssetCheckSeverity, AssetKey, asset_check

from orchestration.lib.config import settings
from orchestration.lib.warehouse import connect

from .gx import check_result, load_suite, validate


@asset_check(asset=AssetKey(["raw", "suite4_budget"]), name="gx_raw_suite4_budget", blocking=True,
             description="Great Expectations suite expectations/raw_suite4_budget.json; blocks the marts when it fails.")
def gx_raw_suite4_budget(context: AssetCheckExecutionContext):
    suite = load_suite("raw_suite4_budget")
    with connect(settings()) as con:
        frame = con.execute(f"select {', '.join(suite.columns)} from {suite.table}").df()
    outcomes = validate(suite, frame)
    return check_result(suite, outcomes, AssetCheckSeverity.ERROR)
