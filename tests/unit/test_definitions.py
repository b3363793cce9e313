"""The code location: what `dagster definitions validate` loads, and the promises of its shape."""

from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.ingest.assets import ASSETS as INGEST


def test_nightly_schedule_and_landing_sensor_run_by_default():
    repo = defs.get_repository_def()
    schedules = {s.name: s for s in repo.schedule_defs}
    assert schedules["nightly_0200"].cron_schedule == "0 2 * * *"
    assert schedules["nightly_0200"].execution_timezone == "Europe/Amsterdam"
    assert schedules["nightly_0200"].default_status.value == "RUNNING"
    assert {s.name: s.default_status.value for s in repo.sensor_defs} == {
        "landing_sensor": "RUNNING",
        "reports_after_nightly": "RUNNING",
        "run_failure_alert": "RUNNING",
    }
    assert repo.get_job("nightly").executor_def.name == "in_process"


def test_report_schedules_follow_the_planning_and_control_calendar():
    import datetime as dt

    from dagster import build_schedule_context

    from orchestration.reports.products import budgethouder_schedule, quarterly_schedule

    repo = defs.get_repository_def()
    assert budgethouder_schedule.cron_schedule == "0 6 8 * *"  # second week of the month
    request = budgethouder_schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 8, 6, 0), repository_def=repo)
    ).run_requests[0]
    assert request.partition_key == "2026-10-01"
    request = quarterly_schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=dt.datetime(2026, 10, 15, 6, 0), repository_def=repo)
    ).run_requests[0]
    assert request.partition_key == "2026-07-01"


def test_lineage_from_feed_to_report_is_one_connected_graph():
    graph = defs.get_repository_def().asset_graph
    keys = set(graph.get_all_asset_keys())
    parent = {k: k for k in keys}

    def root(k):
        while parent[k] != k:
            k = parent[k]
        return k

    for k in keys:
        for child in graph.get(k).child_keys:
            parent[root(child)] = root(k)
    assert len({root(k) for k in keys}) == 1
    assert AssetKey(["marts", "question_answers"]) in keys


def test_every_dbt_source_is_an_ingest_asset():
    graph = defs.get_repository_def().asset_graph
    ingested = {k for a in INGEST for k in a.keys}
    raw_used_by_dbt = {
        p
        for k in graph.get_all_asset_keys()
        if k.path[0] == "staging"
        for p in graph.get(k).parent_keys
        if p.path[0] == "raw"
    }
    assert raw_used_by_dbt and raw_used_by_dbt <= ingested
