"""One failing part never withholds the rest (docs/reliability.md, "Fault isolation").

Each optional part is broken in turn on a copy of a built warehouse: a scenario file with a
YAML error, a scenario naming groups the catalogue lacks, the realisation raising, the
stamkaarten raising, and a report product raising for one law. Each time the run succeeds,
the marts, answers and data quality are published, the broken part keeps its previous output,
and the failure is visible with its reason: a failed ``part_current`` check, ``meta.part_status``,
an alert file, and a line on the pages that were written. (A source that is not delivered is
the second municipality's test.) Only the layers after the marts run again, which is what a
failure there can affect.
"""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance

from orchestration.definitions import defs
from orchestration.lib.config import REPO_ROOT
from orchestration.publish import PUBLISHED
from orchestration.reports import budgethouder, stamkaart

pytestmark = pytest.mark.integration
AFTER_MARTS = AssetSelection.groups("programming", "reports") - AssetSelection.tag("grip/cadence", "period")


@pytest.fixture
def copy(built, tmp_path, monkeypatch):
    source, _ = built
    folder = tmp_path / "data"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("GRIP_DATA_DIR", str(folder))
    scenarios = tmp_path / "scenarios"
    shutil.copytree(REPO_ROOT / "programming" / "scenarios", scenarios)
    monkeypatch.setenv("GRIP_SCENARIO_DIR", str(scenarios))
    return folder, scenarios


def _run():
    selection = AFTER_MARTS | AssetSelection.assets(PUBLISHED)
    return defs.resolve_job_def("nightly").execute_in_process(
        instance=DagsterInstance.ephemeral(), asset_selection=list(selection.resolve(list(defs.assets)))
    )


def _part_check(result, *path):
    [check] = [
        c
        for c in result.get_asset_check_evaluations()
        if c.check_name == "part_current" and c.asset_key == AssetKey(list(path))
    ]
    return check


def _published(folder, sql):
    with duckdb.connect(str(folder / "warehouse" / "grip_published.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_broken_scenario_files_are_skipped_and_the_rest_publishes(copy):
    folder, scenarios = copy
    (scenarios / "kapot.yaml").write_text("name: kapot\ntitle: [niet afgesloten\n", encoding="utf-8")
    text = (scenarios / "zo_thuis_mogelijk.yaml").read_text(encoding="utf-8")
    (scenarios / "zo_thuis_mogelijk.yaml").write_text(text.replace("Gezinshuis:", "Gezinshuizen:"), encoding="utf-8")

    result = _run()

    assert result.success
    check = _part_check(result, "programming", "scenarios")
    assert not check.passed
    assert "kapot.yaml: geen geldige YAML op regel 3" in check.description
    assert (
        "zo_thuis_mogelijk.yaml: groups.Jeugdhulp met verblijf.target_shares: onbekende productgroep(en) "
        in (check.description)
        and "Gezinshuizen; bekend zijn: " in check.description
        and "Gezinshuis," in check.description
    )
    assert sorted(_published(folder, "select scenario from programming.scenarios")) == [
        ("geen_wijziging",),
        ("zwaar_naar_licht",),
    ]
    assert _published(folder, "select status from meta.part_status where part = 'programming.scenarios'") == [
        ("deels",)
    ]
    alert = json.loads((folder / "alerts" / f"{result.run_id}.programming.scenarios.json").read_text())
    assert "kapot.yaml" in alert["error"]
    assert "zo_thuis_mogelijk.yaml" in (folder / "reports" / "stamkaarten" / "W01.html").read_text(encoding="utf-8")


def test_a_raising_part_keeps_its_previous_output_and_says_why(copy, monkeypatch):
    folder, _ = copy
    before = _published(folder, "select count(*) from programming.realisation_products")
    answers = _published(folder, "select count(*) from marts.question_answers")

    def broken(*args, **kwargs):
        raise ValueError("kapotte projectie (test)")

    monkeypatch.setattr("orchestration.programming.assets.realisation_against", broken)
    monkeypatch.setattr(stamkaart, "render_card", broken)
    monkeypatch.setattr("orchestration.reports.assets.render_card", broken)

    result = _run()

    assert result.success
    for path in (("programming", "realisation"), ("reports", "stamkaarten")):
        check = _part_check(result, *path)
        assert not check.passed and "kapotte projectie (test)" in check.description
    assert _published(folder, "select count(*) from programming.realisation_products") == before
    assert _published(folder, "select count(*) from marts.question_answers") == answers
    assert _published(folder, "select status, reason from meta.part_status where part = 'programming.realisation'") == [
        ("mislukt", "kapotte projectie (test)")
    ]
    assert (folder / "alerts" / f"{result.run_id}.reports.stamkaarten.json").exists()
    # the report products, rendered after the nightly from what it published, tell their reader what is stale
    rendered = defs.resolve_job_def("budgethoudersrapportage").execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key="2020-11-01"
    )
    assert rendered.success
    page = (folder / "reports" / "budgethouder" / "2020-11" / "wmo" / "intern" / "index.html").read_text("utf-8")
    assert "Niet alles is bijgewerkt" in page
    assert "Realisatie tegen het programma en vroegsignalering: niet bijgewerkt" in page
    assert "kapotte projectie (test)" in page


def test_a_report_product_that_fails_for_one_law_still_writes_the_other(copy, monkeypatch):
    folder, _ = copy
    real = budgethouder.build

    def wmo_breaks(con, law, year, month):
        if law == "wmo":
            raise RuntimeError("kapotte Wmo-tabel (test)")
        return real(con, law, year, month)

    monkeypatch.setattr(budgethouder, "build", wmo_breaks)
    result = defs.resolve_job_def("budgethoudersrapportage").execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key="2020-11-01"
    )

    assert result.success
    check = _part_check(result, "reports", "budgethoudersrapportage")
    assert not check.passed and "wmo: RuntimeError: kapotte Wmo-tabel (test)" in check.description
    assert (folder / "reports" / "budgethouder" / "2020-11" / "jeugd" / "intern" / "index.html").exists()
