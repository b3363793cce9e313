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
        "nightly_failed_checks": "RUNNING",
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


def test_a_run_whose_warn_checks_failed_is_tagged_with_their_number():
    """A nightly with failed WARN checks still succeeds; the tag (and grip status) say that it was not clean."""
    from dagster import (
        AssetCheckResult,
        AssetCheckSeverity,
        AssetCheckSpec,
        DagsterInstance,
        Output,
        asset,
        materialize,
    )

    from orchestration.status import CHECKS_TAG, failed_checks, tag_failed_checks

    @asset(check_specs=[AssetCheckSpec("fresh", asset="a"), AssetCheckSpec("complete", asset="a")])
    def a():
        yield Output(1)
        yield AssetCheckResult(check_name="fresh", passed=False, severity=AssetCheckSeverity.WARN, description="oud")
        yield AssetCheckResult(check_name="complete", passed=True)

    instance = DagsterInstance.ephemeral()
    result = materialize([a], instance=instance)
    assert result.success
    assert [e.asset_check_key.name for e in failed_checks(instance, result.run_id)] == ["fresh"]
    assert tag_failed_checks(instance, result.run_id) == 1
    assert instance.get_run_by_id(result.run_id).tags[CHECKS_TAG] == "1"


def test_every_asset_and_every_check_says_what_it_is():
    """The Dagster UI is where the data engineer starts: no asset or check without a description (dbt
    tests without their own get one from what they test, lib/dbt_translator.py: check_description)."""
    from dagster import AssetsDefinition

    assets = [a for a in defs.assets if isinstance(a, AssetsDefinition)]
    specs = [spec for a in assets for spec in a.specs]
    checks = [check for a in assets for check in a.check_specs]
    assert len(specs) > 100 and len(checks) > 150
    assert [s.key for s in specs if not s.description or s.description.startswith("dbt model")] == []
    assert [c.key for c in checks if not c.description] == []
    described = {c.key.name: c.description for c in checks}
    assert described["not_null_dim_product_product_code"] == "product_code is never empty."
    assert described["relationships_fct_client_flows_month_start__month_start__ref_dim_month_"].startswith(
        "Every month_start exists in dim_month.month_start"
    )
