"""The signals an operator relies on: a stale feed warns, a failed run leaves an alert,
linkage data expires, the UI listens on localhost only."""

import datetime as dt
import json

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context, materialize

from orchestration.ingest.assets import ASSETS as INGEST
from orchestration.lib.config import REPO_ROOT, settings
from orchestration.lib.resources import Warehouse


def _budget_feed():
    return next(a for a in INGEST if a.node_def.name == "ingest_suite4_budget")


def _freshness(result) -> bool:
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "feed_fresh"]
    return check.passed


@pytest.mark.integration
def test_a_feed_that_stops_delivering_warns_after_the_configured_days(data_dir, monkeypatch):
    monkeypatch.setenv("GRIP_FEED_MAX_AGE_DAYS", "35")
    instance = DagsterInstance.ephemeral()
    assert _freshness(
        materialize([_budget_feed()], instance=instance, resources={"warehouse": Warehouse()})
    )  # just delivered
    with duckdb.connect(str(settings().warehouse)) as con:  # the last delivery, 34 and then 36 days ago
        con.execute("update raw.ingest_log set processed_at = now() - interval 34 day")
    assert _freshness(materialize([_budget_feed()], instance=instance, resources={"warehouse": Warehouse()}))
    with duckdb.connect(str(settings().warehouse)) as con:
        con.execute("update raw.ingest_log set processed_at = now() - interval 36 day")
    assert not _freshness(materialize([_budget_feed()], instance=instance, resources={"warehouse": Warehouse()}))


@pytest.mark.integration
def test_a_failed_run_leaves_an_alert_with_the_error(data_dir):
    from orchestration.jobs import run_failure_alert

    instance = DagsterInstance.ephemeral()
    (data_dir / "warehouse").mkdir(exist_ok=True)
    settings().warehouse.write_text("not a DuckDB file")  # every writer fails on it
    result = materialize(
        [_budget_feed()], instance=instance, resources={"warehouse": Warehouse()}, raise_on_error=False
    )
    assert not result.success
    [failure] = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure.dagster_event,
        resources={"warehouse": Warehouse()},
    ).for_run_failure()
    run_failure_alert(context)
    alert = json.loads((data_dir / "alerts" / f"{result.run_id}.json").read_text())
    assert alert["run_id"] == result.run_id and "not a DuckDB database file" in alert["error"]


def _dbt_that_dies_first(tmp_path, how: str):
    """A dbt executable whose first build ends with ``how`` (a signal or an exit code); it runs dbt otherwise."""
    from orchestration.dbt.project import DBT_EXECUTABLE

    script = tmp_path / "dbt"
    script.write_text(
        "#!/bin/sh\n"
        f'case " $* " in *" build "*) if [ ! -e {tmp_path}/built ]; then touch {tmp_path}/built; {how}; fi;; esac\n'
        f'exec {DBT_EXECUTABLE} "$@"\n'
    )
    script.chmod(0o755)
    return str(script)


@pytest.mark.integration
@pytest.mark.parametrize(("how", "retried"), [("kill -SEGV $$", True), ("exit 1", False)])
def test_dbt_is_built_again_after_a_crash_but_not_after_a_failure(data_dir, tmp_path, how, retried):
    from dagster import AssetKey
    from dagster_dbt import DbtCliResource

    from orchestration.dbt.assets import dbt_models
    from orchestration.dbt.project import dbt_project

    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_that_dies_first(tmp_path, how))
    settings().warehouse.parent.mkdir(parents=True, exist_ok=True)
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [dbt_models],
        selection=[AssetKey(["ref", "ref_eenheden"])],
        resources={"dbt": dbt, "warehouse": Warehouse()},
        instance=instance,
        raise_on_error=False,
    )
    assert result.success is retried
    assert bool(instance.all_logs(result.run_id, of_type=DagsterEventType.STEP_UP_FOR_RETRY)) is retried
    if retried:
        with duckdb.connect(str(settings().warehouse), read_only=True) as con:
            assert con.execute("select count(*) from ref.ref_eenheden").fetchone()[0] > 0


def test_linkage_data_older_than_the_retention_is_removed():
    from orchestration.linkage.assets import apply_retention

    con = duckdb.connect()
    con.execute("create schema restricted")
    con.execute("create table restricted.linkage_persons (source_key varchar, _loaded_at timestamp)")
    now = dt.datetime.now()
    con.executemany(
        "insert into restricted.linkage_persons values (?, ?)",
        [["old", now - dt.timedelta(days=31)], ["edge", now - dt.timedelta(days=29)], ["new", now]],
    )
    assert apply_retention(con, 30) == 1
    assert sorted(r[0] for r in con.execute("select source_key from restricted.linkage_persons").fetchall()) == [
        "edge",
        "new",
    ]


def test_the_ui_listens_on_localhost_only():
    ui = [line for line in (REPO_ROOT / "Makefile").read_text().splitlines() if "dagster dev" in line]
    assert ui and all("-h 127.0.0.1" in line for line in ui)
