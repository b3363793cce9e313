"""grip on a second municipality that differs in everything the contract leaves open.

The profile ``velsen`` (synthetic/profiles.py) has another CBS code and wijken, another
product-code scheme, its own product-group and main-group names (two demo main groups merged
into one), no STAPP, CJG, ZorgfocuZ or work processes, and a product register that arrives
only after the first nightly. Night one runs without the register: everything is counted
under 'Onbekend product', nothing is dropped, and it publishes. Night two, with the register:
the truth tests of test_marts.py run here unchanged against this municipality's truth (the
fixtures below stand in for the demo's), the sources it does not deliver carry
``bron_niet_geleverd``, and the demo's scenario files are skipped with their reasons while the
one that fits still runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest
from dagster import DagsterInstance

from orchestration.definitions import defs
from orchestration.lib.config import REPO_ROOT
from orchestration.reports.budgethouder import financing_section
from synthetic.generate import GeneratorConfig, generate
from tests.conftest import run_data_layers, use_data_dir

# the demo's truth tests, collected again in this module: their fixtures resolve to the ones below
from tests.integration.test_marts import (  # noqa: F401
    answers,
    months,
    support,
    test_booked_amount_in_euros,
    test_budget_and_utilisation,
    test_care_duration_and_waiting_time,
    test_care_intensity_in_units_per_care_month_of_a_product,
    test_clients_in_care_and_provisions,
    test_clients_over_18,
    test_cost_per_client_and_intensity,
    test_inflow_and_outflow,
    test_invoices_on_time,
    test_most_expensive_clients,
    test_no_answer_claims_beantwoord_while_a_wanted_cross_section_is_missing,
    test_payments_equal_what_suite4_paid,
    test_recidivism,
    test_share_of_clients_with_a_payment,
    test_single_or_multiple_care,
    test_use_of_allocated_volume,
    test_waiting_list,
    test_youths_turning_17_5_without_a_request,
    trajectories,
)

pytestmark = pytest.mark.integration
MUNICIPALITY = "0453"
UNDELIVERED = {
    "raw.suite4_werkprocessen",
    "raw.stapp_klanten",
    "raw.stapp_trajecten",
    "raw.cjg_jeugdigen",
    "raw.cjg_contactmomenten",
    "raw.cjg_trajecten",
    "raw.zorgfocuz_resultaten",
    "raw.kwaliteit_registraties",
}


@pytest.fixture(scope="module")
def small_feeds(tmp_path_factory):
    out = tmp_path_factory.mktemp("velsen_feeds")
    generate(GeneratorConfig(out=out, seed=11, scale=0.15, end=dt.date(2020, 12, 31), profile="velsen"))
    return out


def _nightly():
    return defs.resolve_job_def("nightly").execute_in_process(instance=DagsterInstance.ephemeral())


def _published(folder):
    return duckdb.connect(str(folder / "warehouse" / "grip_published.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def nights(tmp_path_factory, small_feeds):
    """Night one without the product register, night two with it; what night one published, kept."""
    with pytest.MonkeyPatch.context() as mp:
        folder = use_data_dir(mp, tmp_path_factory.mktemp("velsen"), small_feeds)
        mp.setenv("GRIP_MUNICIPALITY", MUNICIPALITY)
        first = run_data_layers()  # night one: loading, dbt and publishing are what the register affects
        with _published(folder) as con:
            night_one = {
                "products": con.execute(
                    "select main_group, is_in_register, count(*) from marts.dim_product group by all"
                ).fetchall(),
                "booked": con.execute(
                    "select law, year(period_month), sum(amount_cents) from marts.fct_declaration_lines "
                    "where is_booked group by all"
                ).fetchall(),
            }
        shutil.copytree(small_feeds / "late", folder / "landing", dirs_exist_ok=True)
        second = _nightly()
    return folder, first, second, night_one


@pytest.fixture(scope="module")
def built(nights):
    folder, _, second, _ = nights
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRIP_DATA_DIR", str(folder))
        mp.setenv("GRIP_DEMO", "1")
        mp.setenv("GRIP_MUNICIPALITY", MUNICIPALITY)
        yield folder, second


def _booked_truth(feeds) -> dict[tuple[str, int], int]:
    lines = pd.read_parquet(feeds / "manifest" / "declaration_lines.parquet")
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].copy()
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    lines["year"] = lines["period_first"].map(lambda d: d.year)
    return lines.groupby(["law", "year"])["cents"].sum().to_dict()


def test_without_its_product_register_the_municipality_still_publishes_and_drops_no_euro(nights, small_feeds):
    _, first, _, night_one = nights
    assert first.success
    assert {(main, known) for main, known, _ in night_one["products"]} == {("Onbekend product", False)}
    assert {(law, year): cents for law, year, cents in night_one["booked"]} == _booked_truth(small_feeds)
    flagged = [c for c in first.get_asset_check_evaluations() if c.check_name == "assert_products_in_register"]
    assert flagged and not flagged[0].passed


def test_with_the_register_the_groups_are_the_municipalitys_own(built, small_feeds):
    folder, second = built
    assert second.success
    truth = pd.read_parquet(small_feeds / "manifest" / "products.parquet")
    with _published(folder) as con:
        got = con.execute("select product_code, main_group, product_group from marts.dim_product").df()
        assert con.execute("select distinct municipality_code from marts.question_answers").fetchall() == [
            (MUNICIPALITY,)
        ]
        wijken = {r[0] for r in con.execute("select distinct wijk_code from marts.dim_client").fetchall()}
    want = truth.rename(columns={"code": "product_code", "hoofdgroep": "main_group"})
    want = want.assign(product_group=want["product_group_name"])[["product_code", "main_group", "product_group"]]
    pd.testing.assert_frame_equal(
        got.sort_values("product_code").reset_index(drop=True), want.sort_values("product_code").reset_index(drop=True)
    )
    assert {w for w in wijken if w} <= {"WK045301", "WK045302"}


def _resting_on_undelivered() -> set[str]:
    """From the catalogue seeds, independently of the SQL: questions whose core elements come from a
    table no delivery filled, unless no system registers them at all."""
    with open(REPO_ROOT / "seeds" / "dq_data_elements.csv", encoding="utf-8") as fh:
        table_of = {r["element_id"]: r["table_name"] for r in csv.DictReader(fh)}
    with open(REPO_ROOT / "seeds" / "question_catalogue.csv", encoding="utf-8") as fh:
        unregistered = {r["question_id"] for r in csv.DictReader(fh) if r["missing_status"] == "niet_geregistreerd"}
    with open(REPO_ROOT / "seeds" / "dq_question_elements.csv", encoding="utf-8") as fh:
        return {
            r["question_id"]
            for r in csv.DictReader(fh)
            if r["role"] == "kern" and table_of.get(r["element_id"]) in UNDELIVERED
        } - unregistered


def test_questions_resting_on_sources_not_delivered_say_so_and_name_the_source(built):
    folder, _ = built
    with _published(folder) as con:
        status = dict(
            con.execute(
                "select question_id, any_value(status_reason) from marts.question_answers "
                "where status = 'bron_niet_geleverd' group by 1"
            ).fetchall()
        )
        answered = {
            r[0]
            for r in con.execute(
                "select distinct question_id from marts.question_answers where value is not null"
            ).fetchall()
        }
    expected = _resting_on_undelivered() - answered
    assert expected and set(status) == expected
    assert all(reason.startswith("Bron niet geleverd: ") and "raw." in reason for reason in status.values())
    page = (folder / "reports" / "datakwaliteit" / "index.html").read_text(encoding="utf-8")
    assert "Bronnen die (nog) niet geleverd zijn" in page and "raw.stapp_trajecten" in page


def test_the_demo_scenarios_are_skipped_with_their_reasons_and_the_one_that_fits_runs(built):
    folder, second = built
    [check] = [
        c
        for c in second.get_asset_check_evaluations()
        if c.check_name == "part_current" and c.asset_key.path == ["programming", "scenarios"]
    ]
    assert not check.passed
    assert (
        "zo_thuis_mogelijk.yaml: groups.Jeugdhulp met verblijf: onbekende hoofdgroep; bekend zijn: "
        in (check.description)
        and "Jeugd verblijf" in check.description
    )
    with _published(folder) as con:
        assert con.execute("select scenario, adopted from programming.scenarios").fetchall() == [
            ("geen_wijziging", True)
        ]
        assert con.execute("select count(*) from programming.realisation_products").fetchone()[0] > 0
    card = (folder / "reports" / "stamkaarten" / "W01.html").read_text(encoding="utf-8")
    assert "Niet alles is bijgewerkt" in card and "zo_thuis_mogelijk.yaml" in card


def test_without_the_svb_money_and_client_figures_cover_care_in_kind_and_say_so(built):
    """No SVB feed: every question with a pgb part still answers for care in kind, as `beperkt` with the
    reason naming the SVB; its financing cross-section holds care in kind alone, and the reports say so."""
    folder, _ = built
    with open(REPO_ROOT / "seeds" / "dq_question_elements.csv", encoding="utf-8") as fh:
        with_pgb = {r["question_id"] for r in csv.DictReader(fh) if r["role"] == "pgb"}
    with _published(folder) as con:
        rows = con.execute(
            """select question_id, status, any_value(status_reason) from marts.question_answers
               where question_id in (select unnest(?)) and value is not null group by all""",
            [sorted(with_pgb)],
        ).fetchall()
        members = {
            r[0]
            for r in con.execute(
                "select distinct member from marts.question_answers where cross_section = 'financing'"
            ).fetchall()
        }
        latest = con.execute("select max(period_month) from marts.fct_declaration_lines where is_booked").fetchone()[0]
        financing = financing_section(con, "jeugd", latest.year, latest.month)
    assert {q for q, _, _ in rows} == with_pgb
    for question, status, reason in rows:
        assert status == "beperkt" and "Zonder pgb: bron niet geleverd: SVB (raw.svb_" in reason, question
    assert members == {"zin"}
    # the budget-holder and progress reports say the pgb is missing, not that there is none
    assert "De SVB levert (nog) geen pgb-gegevens" in financing.text
    assert financing.table["pgb_cents"].fillna(0).eq(0).all() and financing.table["in_kind_cents"].sum() > 0
