"""Programming and the report products on the small feeds, sharing one nightly build.

Programming: the provider the generator made overspend is warned about in the month an
independent calculation from the ground truth says, and the scenario tables add up.
Reports: figures on the page equal the marts (computed here independently), external mode
hides every small count, nothing published holds personal data, and in headless Chromium
each page opens without console errors with every chart drawn (screenshots in test-artifacts/)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import lxml.html
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.definitions import defs
from orchestration.lib.config import REPO_ROOT
from orchestration.lib.dutch import FINANCING
from orchestration.lib.resources import Warehouse
from orchestration.programming.inputs import latest_month
from orchestration.programming.thresholds import load_monitoring
from orchestration.reports.products import current_periods, render_current
from tests.truth import pgb

from .browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_or_skip

MID_YEAR = "2020-06-01"  # a budget-holder month with months left to project (the current one is late in the year)
COMMENTARY = "De **stijging** in juni komt door een inhaalslag in de declaraties."


@pytest.fixture(scope="module")
def rendered(built, tmp_path_factory):
    folder, _ = built
    content = tmp_path_factory.mktemp("content")  # the repository's reports/ with one commentary of our own
    shutil.copytree(REPO_ROOT / "reports" / "templates", content / "templates")
    shutil.copytree(REPO_ROOT / "reports" / "uitleg", content / "uitleg")
    (content / "toelichting" / "budgethouder").mkdir(parents=True)
    (content / "toelichting" / "budgethouder" / "2020-06-wmo.md").write_text(COMMENTARY, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRIP_REPORT_CONTENT_DIR", str(content))
        instance = DagsterInstance.ephemeral()
        assert render_current(defs, instance, Warehouse())
        monthly = defs.resolve_job_def("budgethoudersrapportage")
        assert monthly.execute_in_process(partition_key=MID_YEAR, instance=instance).success
        con = duckdb.connect(str(folder / "warehouse" / "grip.duckdb"), read_only=True)
        month, quarter = current_periods(con)
        yield folder / "reports", con, month, quarter
    con.close()


def _tables(path: Path) -> dict[str, list[dict]]:
    """Each table by its key: rows of {column: (raw, text, kind)} plus '_total' for the total row."""
    doc = lxml.html.parse(str(path)).getroot()
    out = {}
    for table in doc.xpath("//table[@data-table]"):
        rows = []
        for tr in table.xpath("./tbody/tr"):
            row = {
                td.get("data-col"): (td.get("data-raw"), td.text_content(), td.get("data-kind"))
                for td in tr.xpath("./td")
            }
            row["_total"] = tr.get("class") == "total"
            rows.append(row)
        out[table.get("data-table")] = rows
    return out


def _euros(text: str) -> float:
    return float(text.replace("€", "").replace(".", "").replace(",", ".").strip())


def test_budget_holder_figures_equal_the_marts(rendered):
    reports, con, month, _ = rendered
    year, m = int(month[:4]), int(month[5:7])
    for law in ("wmo", "jeugd"):
        tables = _tables(reports / "budgethouder" / month[:7] / law / "intern" / "index.html")
        truth = dict(
            con.execute(
                """
            select p.product_group, sum(l.amount_cents) from marts.fct_booked_money l
            join marts.dim_product p on p.municipality_code = l.municipality_code and p.product_code = l.product_code
            where l.law = ? and year(l.care_month) = ? and month(l.care_month) <= ?
            group by 1""",
                [law, year, m],
            ).fetchall()
        )
        rows = [r for r in tables["productgroepen"] if not r["_total"] and r["cost"][0]]
        shown = {r["product_group"][1]: float(r["cost"][0]) for r in rows}
        assert shown == pytest.approx({k: float(v) for k, v in truth.items()})
        for r in rows:  # the text a reader sees is the same figure, in whole euros
            assert _euros(r["cost"][1]) == pytest.approx(float(r["cost"][0]) / 100, abs=0.5)
        headline = {r["figure"][1]: r["value"] for r in tables["kerncijfers"]}
        realised = next(v for k, v in headline.items() if k.startswith("Gerealiseerd"))
        assert float(realised[0]) == pytest.approx(sum(truth.values()))
        budget = con.execute(
            "select sum(budget_cents) from marts.fct_budget where law = ? and budget_year = ?", [law, year]
        ).fetchone()[0]
        assert float(headline["Begroting"][0]) == pytest.approx(budget)


def test_progress_report_flows_equal_the_marts(rendered):
    reports, con, _, quarter = rendered
    label = _label(quarter)
    for law in ("wmo", "jeugd"):
        rows = _tables(reports / "voortgang" / label / law / "intern" / "index.html")["stromen"]
        latest = rows[-1]
        clients = con.execute(
            """select count(distinct client_key) from marts.fct_support_months
                                 where law = ? and month_start >= ?::date and month_start < ?::date + interval 3
                                     month""",
            [law, quarter, quarter],
        ).fetchone()[0]
        # distinct clients who entered care in the quarter, as W03/J02 count them (not entries)
        inflow = con.execute(
            """select count(distinct client_key) from marts.fct_client_flows where law = ? and flow = 'instroom'
                                and month_start >= ?::date and month_start < ?::date + interval 3 month""",
            [law, quarter, quarter],
        ).fetchone()[0]
        assert latest["quarter"][1] == label
        assert int(latest["clients"][0]) == clients and int(latest["inflow"][0]) == inflow
        assert len(rows) == 8


def _label(quarter: str) -> str:
    return f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"


def test_provider_overview_has_an_edition_per_law_with_a_page_per_provider(rendered):
    reports, con, _, quarter = rendered
    for law in ("wmo", "jeugd"):
        folder = reports / "aanbieders" / _label(quarter) / law / "intern"
        table = _tables(folder / "index.html")["aanbieders"]
        rows = [r for r in table if not r["_total"]]
        truth = dict(
            con.execute(
                """select provider_agb, count(distinct client_key) from marts.fct_care_months
                   where law = ? and month_start >= ?::date and month_start < ?::date + interval 3 month group by 1""",
                [law, quarter, quarter],
            ).fetchall()
        )
        for r in rows:
            agb = r["provider_agb"][1]
            assert int(float(r["clients"][0])) == truth.get(agb, 0)
            assert (folder / "aanbieders" / agb / "index.html").exists()
        assert {agb for agb, n in truth.items() if n} <= {r["provider_agb"][1] for r in rows}
        # the total is the law's distinct count, not the sum of the providers' (a client at two is one)
        total = next(r for r in table if r["_total"])
        distinct = con.execute(
            """select count(distinct client_key) from marts.fct_care_months
               where law = ? and month_start >= ?::date and month_start < ?::date + interval 3 month""",
            [law, quarter, quarter],
        ).fetchone()[0]
        assert int(float(total["clients"][0])) == distinct < sum(truth.values())


def test_rendering_the_same_data_again_draws_no_page(rendered):
    """The current periods are rendered after every nightly build: a page whose content is unchanged is
    neither drawn nor handed to a worker (before, every provider page was drawn again, 31 s at scale 1)."""
    reports, *_ = rendered
    pages = sorted(reports.rglob("index.html"))
    before = {p: p.stat().st_mtime_ns for p in pages}
    instance = DagsterInstance.ephemeral()
    assert render_current(defs, instance, Warehouse())
    assert {p: p.stat().st_mtime_ns for p in pages} == before
    event = instance.get_latest_materialization_event(AssetKey(["reports", "kwartaaloverzicht_aanbieders"]))
    assert event.asset_materialization.metadata["pages_drawn"].value == 0


def test_external_reports_hide_every_small_count(rendered):
    reports, *_ = rendered
    threshold = 10
    pages = sorted(reports.glob("**/extern/**/index.html"))
    assert len(pages) > 5
    checked = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'data-table="top20"' not in text  # individual clients never leave the organisation
        for key, rows in _tables(page).items():
            for row in rows:
                for col, cell in row.items():
                    if col != "_total" and cell[2] == "count" and cell[0] not in ("x", ""):
                        assert float(cell[0]) >= threshold, f"{page}: {key}.{col} shows {cell[0]}"
                        checked += 1
            totals = [r for r in rows if r["_total"]]
            body = [r for r in rows if not r["_total"]]
            for col, cell in totals[0].items() if totals else []:
                if col == "_total" or cell[2] != "count" or cell[0] == "x":
                    continue
                hidden = sum(1 for r in body if r[col][0] == "x")
                assert hidden != 1, f"{page}: {key}.{col}: one hidden cell could be derived from the total"
    assert checked > 0


def test_pages_render_in_chromium_without_errors(rendered):
    sync_playwright = browser_or_skip()
    reports, _, month, quarter = rendered
    label = _label(quarter)
    pages = [
        reports / "budgethouder" / month[:7] / "wmo" / "intern" / "index.html",
        reports / "budgethouder" / month[:7] / "jeugd" / "extern" / "index.html",
        reports / "voortgang" / label / "jeugd" / "intern" / "index.html",
        reports / "voortgang" / label / "wmo" / "extern" / "index.html",
        reports / "wijken" / label / "intern" / "index.html",
        reports / "wijken" / label / "extern" / "index.html",
    ]
    for law in ("wmo", "jeugd"):
        for mode in ("intern", "extern"):
            folder = reports / "aanbieders" / label / law / mode
            pages += [folder / "index.html", sorted((folder / "aanbieders").glob("*/index.html"))[0]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    charts = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            page.goto(path.as_uri())
            assert errors == [], f"{path}: {errors}"
            assert "SYNTHETISCHE DATA" in page.inner_text(".banner")
            for figure in page.locator("figure.chart").all():
                box = figure.locator("svg").bounding_box()
                assert box and box["width"] > 100 and box["height"] > 50, f"{path}: chart not drawn"
                assert figure.locator("svg path").count() > 5, f"{path}: chart without marks"
                charts += 1
            name = "_".join(path.relative_to(reports).parts[:-1])
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            page.close()
        browser.close()
    assert charts >= 12


def test_nothing_published_holds_personal_data(rendered):
    from orchestration.lib.privacy import person_names, scan_database, scan_parquet, scan_reports

    reports, con, *_ = rendered
    data = reports.parent
    published = data / "warehouse" / "grip_published.duckdb"
    with duckdb.connect(str(published), read_only=True) as pub:
        schemas = {r[0] for r in pub.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert "restricted" not in schemas and {"marts", "programming", "quality"} <= schemas
    names = person_names(con)
    assert len(names) > 100
    # the report products were written after the nightly's own scan: scan everything once more
    for findings, scanned in (
        scan_database(published, names),
        scan_parquet(data / "exports", names),
        scan_reports(reports, names),
    ):
        assert findings == [] and scanned > 0
    # the same scan on the private warehouse does find what it looks for
    private, _ = scan_database(data / "warehouse" / "grip.duckdb", names)
    assert {f.rule for f in private} >= {"postcode"}


@pytest.fixture(scope="module")
def db(built):
    folder, _ = built
    con = duckdb.connect(str(folder / "warehouse" / "grip.duckdb"), read_only=True)
    yield folder, con
    con.close()


def test_overspending_provider_warned_in_the_right_month(db, small_feeds):
    folder, con = db
    overspend = json.loads((small_feeds / "manifest" / "manifest.json").read_text())["overspend"]
    provider, start = overspend["provider"], pd.Timestamp(overspend["from"])
    lines = pd.read_parquet(small_feeds / "manifest" / "declaration_lines.parquet")
    lines = lines[(lines["provider"] == provider) & (lines["status"] == "accepted") & lines["delivered"]]
    lines = lines.assign(
        month=pd.to_datetime(lines["period_first"]).dt.to_period("M").dt.to_timestamp(),
        signed=lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"]),
    )
    year = start.year
    truth = lines[lines["month"].dt.year == year].groupby("month")["signed"].sum()

    table = con.execute(
        "select * from programming.realisation_providers where provider_agb = ? order by month", [provider]
    ).df()
    last_month = int(table["month"].max())
    monthly = [float(truth.get(pd.Timestamp(year, m, 1), 0)) for m in range(1, last_month + 1)]
    assert table["booked_cents"].tolist() == pytest.approx(monthly)

    # the projection by hand: booked so far plus the average of the last three months for each month left
    ceiling = con.execute(
        "select sum(ceiling_cents) from programming.scenario_providers p join programming.scenarios s "
        "using (scenario) where s.adopted and p.year = ? and p.provider_agb = ?",
        [year, provider],
    ).fetchone()[0]
    margin = load_monitoring().early_warning.margin
    expected_first = None
    for m in range(1, last_month + 1):
        done = monthly[:m]
        projection = sum(done) + sum(done[-3:]) / len(done[-3:]) * (12 - m)
        if projection > ceiling * (1 + margin):
            expected_first = m
            break
    assert expected_first is not None and start.month <= expected_first <= start.month + 1

    warning = con.execute(
        "select * from programming.early_warnings where provider_agb = ? and kind = 'plafond'", [provider]
    ).df()
    assert len(warning) == 1
    assert warning["first_warning_month"].item() == expected_first
    assert warning["projected_overrun_cents"].item() == pytest.approx(
        sum(monthly) + sum(monthly[-3:]) / 3 * (12 - last_month) - ceiling
    )


def test_programming_monitors_the_pgb_as_one_provider_exact_against_the_truth(db, small_feeds):
    """The early warning covers care in kind and pgb: per law and month the pgb's booked money is the
    SVB's payments in the truth, and the product groups' realisation adds the accepted invoice lines to it."""
    _, con = db
    manifest = small_feeds / "manifest"
    paid = pgb.payments(manifest).assign(month=lambda p: pd.to_datetime(p["month_start"]))
    lines = pd.read_parquet(manifest / "declaration_lines.parquet")
    lines = lines[(lines["status"] == "accepted") & lines["delivered"]].assign(
        month=lambda f: pd.to_datetime(f["period_first"]).dt.to_period("M").dt.to_timestamp(),
        cents=lambda f: f["amount_cents"].where(f["debit_credit"] == "D", -f["amount_cents"]),
    )
    providers = con.execute("select * from programming.realisation_providers where provider_agb = 'pgb'").df()
    products = con.execute(
        "select law, month, sum(booked_cents) as booked from programming.realisation_products group by all"
    ).df()
    year = int(providers["year"].iloc[0])
    for law in ("wmo", "jeugd"):
        rows = providers[providers.law == law].sort_values("month")
        months = [pd.Timestamp(year, m, 1) for m in rows["month"]]
        truth = paid[paid.law == law].groupby("month")["cents"].sum()
        assert rows["booked_cents"].tolist() == [float(truth.get(m, 0)) for m in months]
        assert rows["ceiling_cents"].notna().all() and (rows["ceiling_cents"] > 0).all()
        assert rows["provider_name"].eq(FINANCING["pgb"]).all()
        in_kind = lines[lines.law == law].groupby("month")["cents"].sum()
        booked = products[products.law == law].set_index("month")["booked"]
        assert [booked[m.month] for m in months] == [float(in_kind.get(m, 0) + truth.get(m, 0)) for m in months]
    assert truth.sum() > 0  # the small feeds have pgb to monitor


def test_the_figures_are_at_the_month_both_money_sources_reach(db):
    """The SVB pays a month of care in the month after: at the latest invoiced month the pgb is unpaid, and
    counting it as nought would bend every projection down. Programming (and so the reports) are a month back."""
    _, con = db
    invoices, pgb = con.execute(
        """select (select max(period_month) from marts.fct_declaration_lines where is_booked),
                  (select max(care_month) from marts.fct_pgb_payments where is_booked)"""
    ).fetchone()
    assert pd.Timestamp(pgb) == pd.Timestamp(invoices) - pd.DateOffset(months=1)  # the normal cycle
    assert latest_month(con) == pd.Timestamp(pgb)
    realised = con.execute(
        "select max(month), min(booked_cents) filter (where month = ? and provider_agb = 'pgb') "
        "from programming.realisation_providers",
        [pgb.month],
    ).fetchone()
    assert realised[0] == pgb.month and realised[1] > 0  # no unpaid month counted as nought


def test_scenario_tables_add_up(db):
    _, con = db
    products = con.execute("select * from programming.scenario_products").df()
    programme = products[~products["is_base_year"]]
    assert (programme["budget_cents"] - programme["clients"] * programme["tariff_cents"]).abs().max() < 1e-6
    shares = programme.groupby(["scenario", "year", "main_group"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    # historical split: provider ceilings add up to each product group's budget
    ceilings = (
        con.execute(
            "select scenario, year, product_group, sum(ceiling_cents) c from programming.scenario_providers "
            "group by all"
        )
        .df()
        .set_index(["scenario", "year", "product_group"])["c"]
    )
    budgets = programme.set_index(["scenario", "year", "product_group"])["budget_cents"]
    assert ceilings.sort_index().to_numpy() == pytest.approx(budgets.loc[ceilings.index].sort_index().to_numpy())
    # the movement: zo_thuis_mogelijk has more Pleegzorg clients than no change in its target year
    pleeg = programme[programme["product_group"] == "Pleegzorg"].set_index(["scenario", "year"])["clients"]
    last = programme["year"].max()
    assert pleeg[("zo_thuis_mogelijk", last)] > pleeg[("geen_wijziging", last)]
    comparison = con.execute("select * from programming.scenario_comparison where scenario = 'geen_wijziging'").df()
    assert (comparison["difference_eur"] == 0).all()


def test_forecast_intervals_and_backtest(db):
    _, con = db
    fc = con.execute("select * from programming.baseline_forecast").df()
    assert set(fc["method"]) == {"damped", "linear", "none"}
    assert ((fc["lower"] <= fc["mean"] + 1e-9) & (fc["mean"] <= fc["upper"] + 1e-9)).all()
    bt = con.execute("select * from programming.forecast_backtest").df()
    assert bt["mape_pct"].notna().any() and (bt["train_months"] >= 12).all()


def test_risk_profile_flags_carry_their_figures(db):
    _, con = db
    risk = con.execute("select * from programming.provider_risk").df()
    assert risk["quarter_end"].nunique() >= 4
    elevated = risk[risk["elevated"]]
    assert len(elevated) and (elevated["flags"] >= load_monitoring().risk_profile.min_flags).all()
    assert elevated["reasons"].str.len().gt(0).all()
    share = risk.groupby(["quarter_end", "law"])["volume_share"].sum()
    assert share.to_numpy() == pytest.approx(1.0)


# --- issue 25: what the people who steer read in the reports, each figure recomputed here --------------------


def _mid_year(reports: Path, law: str, mode: str = "intern") -> Path:
    return reports / "budgethouder" / MID_YEAR[:7] / law / mode / "index.html"


def _raw(cell) -> float | None:
    return None if cell[0] in ("", None) else float(cell[0])


def test_budget_holder_states_the_year_end_against_the_begroting_per_main_group(rendered):
    """Per main group: begroting, booked, the run-rate projection redone by hand, and the expected
    over- or underspend; the totals row and the headline sentence say the same."""
    reports, con, *_ = rendered
    year, month = int(MID_YEAR[:4]), int(MID_YEAR[5:7])
    for law in ("wmo", "jeugd"):
        page = _mid_year(reports, law)
        rows = _tables(page)["hoofdgroepen_begroting"]
        lines = con.execute(
            """select p.main_group, month(l.care_month) as m, sum(l.amount_cents) as c
               from marts.fct_booked_money l join marts.dim_product p using (municipality_code, product_code)
               where l.law = ? and year(l.care_month) = ? and month(l.care_month) <= ?
               group by all""",
            [law, year, month],
        ).df()
        budget = dict(
            con.execute(
                "select main_group, sum(budget_cents) from marts.fct_budget where law = ? and budget_year = ? "
                "group by 1",
                [law, year],
            ).fetchall()
        )
        body = [r for r in rows if not r["_total"]]
        assert {r["main_group"][1] for r in body} == set(budget) | set(lines["main_group"])
        for r in body:
            group = r["main_group"][1]
            monthly = [float(lines[(lines.main_group == group) & (lines.m == m)]["c"].sum()) for m in range(1, 7)]
            projected = sum(monthly) + sum(monthly[-3:]) / 3 * (12 - month)
            assert _raw(r["ytd_cents"]) == pytest.approx(sum(monthly))
            assert _raw(r["projected_cents"]) == pytest.approx(round(projected), abs=1)
            if group in budget:
                assert _raw(r["budget_cents"]) == budget[group]
                assert _raw(r["over_budget_cents"]) == pytest.approx(round(projected) - budget[group], abs=1)
        total = next(r for r in rows if r["_total"])
        over = sum(_raw(r["over_budget_cents"]) for r in body if _raw(r["over_budget_cents"]) is not None)
        assert _raw(total["over_budget_cents"]) == pytest.approx(over)
        subtitle = lxml.html.parse(str(page)).getroot().xpath("//p[@class='sub']")[0].text_content()
        side = "boven" if _raw(total["over_budget_cents"]) > 0 else "onder"
        assert "Verwachting jaareinde: € " in subtitle and f"{side} de begroting (run rate)" in subtitle


def test_budget_holder_warns_about_providers_per_law(rendered):
    """A provider serving both laws is warned about with one law's money against that law's ceiling."""
    reports, con, *_ = rendered
    year, month = int(MID_YEAR[:4]), int(MID_YEAR[5:7])
    names = dict(con.execute("select provider_name, provider_agb from marts.dim_provider").fetchall())
    checked = 0
    for law in ("wmo", "jeugd"):
        for r in _tables(_mid_year(reports, law))["vroegsignalering"]:
            if r["level"][1] not in ("aanbieder", "pgb"):
                continue
            agb = "pgb" if r["level"][1] == "pgb" else names[r["subject"][1]]
            booked = con.execute(
                """select sum(amount_cents) from marts.fct_booked_money
                   where (provider_agb = ? and financing = 'zin' or ? = 'pgb' and financing = 'pgb')
                     and law = ? and year(care_month) = ? and month(care_month) <= ?""",
                [agb, agb, law, year, month],
            ).fetchone()[0]
            ceiling = con.execute(
                """select sum(ceiling_cents) from programming.scenario_providers join programming.scenarios
                   using (scenario) where adopted and provider_agb = ? and law = ? and year = ?""",
                [agb, law, year],
            ).fetchone()[0]
            assert _raw(r["ytd_cents"]) == pytest.approx(float(booked))
            assert _raw(r["ceiling_cents"]) == pytest.approx(ceiling)
            checked += 1
    assert checked > 0


def test_budget_holder_shows_care_quality_process_and_flows_per_product(rendered):
    reports, con, *_ = rendered
    year, month = int(MID_YEAR[:4]), int(MID_YEAR[5:7])
    trajectories = con.execute("select * from marts.fct_care_trajectories").df()
    for law in ("wmo", "jeugd"):
        tables = _tables(_mid_year(reports, law))
        t = trajectories[
            (trajectories.law == law)
            & (pd.to_datetime(trajectories.end_date) >= f"{year}-01-01")
            & (pd.to_datetime(trajectories.end_date) <= f"{year}-{month:02d}-30")
        ]
        for r in (r for r in tables["redenen_einde"] if not r["_total"]):
            g = t[t.product_group == r["product_group"][1]]
            assert int(_raw(r["ended"])) == len(g)
            assert int(_raw(r["with_reason"])) == int(g.has_stop_message.sum())
            assert int(_raw(r["according_to_plan"])) == int(g.ended_according_to_plan.fillna(False).sum())
        # inflow per product: question_answers' distinct count for the year so far
        truth = dict(
            con.execute(
                """select member, value from marts.question_answers where question_id = ? and cross_section = 'product'
                   and period_type = 'year' and period_start = ?::date""",
                ["W03" if law == "wmo" else "J02", f"{year}-01-01"],
            ).fetchall()
        )
        shown = {r["product_code"][1]: _raw(r["inflow_year"]) for r in tables["stromen_product"]}
        assert {k: v for k, v in shown.items() if v} == {k: v for k, v in truth.items() if v}
        # the total of clients is the distinct count for the law, not the sum over product groups
        total = next(r for r in tables["productgroepen"] if r["_total"])
        distinct = con.execute(
            "select count(distinct client_key) from marts.fct_support_months where law = ? and year(month_start) = ? "
            "and month(month_start) <= ?",
            [law, year, month],
        ).fetchone()[0]
        assert int(_raw(total["clients"])) == distinct
    process = {r["figure"][1]: r for r in _tables(_mid_year(reports, "wmo"))["wmo_proces"]}
    started = con.execute(
        "select count(*) from marts.fct_wmo_processes where report_date >= ?::date and report_date < ?::date + "
        "interval 1 month",
        [MID_YEAR, MID_YEAR],
    ).fetchone()[0]
    assert _raw(process["gestart"]["month"]) == started
    assert "wmo_proces" not in _tables(_mid_year(reports, "jeugd"))


def test_clients_and_shares_are_monitored_against_the_programme(rendered):
    reports, con, *_ = rendered
    year, month = int(MID_YEAR[:4]), int(MID_YEAR[5:7])
    care = con.execute(
        """select c.client_key, c.month_start, p.main_group, p.product_group from marts.fct_support_months c
           join marts.dim_product p using (municipality_code, product_code) where c.law = 'wmo'""",
    ).df()
    care["month_start"] = pd.to_datetime(care["month_start"])
    now = care[(care.month_start.dt.year == year) & (care.month_start.dt.month <= month)]
    prior = care[care.month_start.dt.year == year - 1]
    rows = _tables(_mid_year(reports, "wmo"))["programma_clienten"]
    for r in rows:
        group = r["product_group"][1]
        so_far = now[now.product_group == group].client_key.nunique()
        same = prior[(prior.product_group == group) & (prior.month_start.dt.month <= month)].client_key.nunique()
        whole = prior[prior.product_group == group].client_key.nunique()
        assert int(_raw(r["clients_ytd"])) == so_far
        assert _raw(r["clients_projected"]) == pytest.approx(so_far * (whole / same if same else 1.0))
        in_main = now[now.main_group == r["main_group"][1]].groupby("product_group").client_key.nunique().sum()
        assert _raw(r["share_ytd"]) == pytest.approx(so_far / in_main)
    assert any(r["signal"][1] for r in rows)  # the demo programme moves shares: something is signalled


def test_commentary_shows_where_written_and_says_so_where_not(rendered):
    reports, *_ = rendered
    wmo = lxml.html.parse(str(_mid_year(reports, "wmo"))).getroot()
    text = wmo.xpath("//section[@id='toelichting']")[0]
    assert text.xpath(".//strong")[0].text_content() == "stijging"  # Markdown rendered
    assert "inhaalslag in de declaraties" in text.text_content()
    jeugd = lxml.html.parse(str(_mid_year(reports, "jeugd"))).getroot()
    assert "geen toelichting geschreven" in jeugd.xpath("//section[@id='toelichting']")[0].text_content()


def test_progress_report_shows_first_line_quality_and_the_bijlage_6_table(rendered):
    reports, con, month, quarter = rendered
    year, last = int(quarter[:4]), int(quarter[5:7]) + 2
    for law in ("wmo", "jeugd"):
        tables = _tables(reports / "voortgang" / _label(quarter) / law / "intern" / "index.html")
        question = "W28" if law == "wmo" else "J17"
        truth = dict(
            con.execute(
                """select member, value from marts.question_answers where question_id = ? and cross_section = 'wijk'
                   and period_type = 'quarter' and period_start = ?::date""",
                [question, quarter],
            ).fetchall()
        )
        codes = dict(con.execute("select wijk_name, wijk_code from marts.dim_wijk").fetchall())
        shown = {codes.get(r["wijk_name"][1], r["wijk_name"][1]): _raw(r["clients"]) for r in tables["eerste_lijn"]}
        assert {k: v for k, v in shown.items() if v} == {k: v for k, v in truth.items() if v}
        lines = con.execute(
            """select p.product_group, if(l.financing = 'pgb', 'pgb', l.provider_agb) as provider_agb,
                      sum(l.amount_cents) as booked
               from marts.fct_booked_money l join marts.dim_product p using (municipality_code, product_code)
               where l.law = ? and year(l.care_month) = ? and month(l.care_month) <= ?
               group by all""",
            [law, year, last],
        ).df()
        names = dict(con.execute("select provider_agb, provider_name from marts.dim_provider").fetchall())
        names["pgb"] = FINANCING["pgb"]
        lines["provider_name"] = lines["provider_agb"].map(names)
        for r in tables["bijlage6"]:
            g = lines[(lines.product_group == r["product_group"][1]) & (lines.provider_name == r["provider_name"][1])]
            assert _raw(r["booked"]) == pytest.approx(float(g.booked.sum()))
            group_total = lines[lines.product_group == r["product_group"][1]].booked.sum()
            if group_total:
                assert _raw(r["share"]) == pytest.approx(g.booked.sum() / group_total)
        assert {"productgroepen", "programma", "redenen_einde"} <= set(tables)
    experience = _tables(reports / "voortgang" / _label(quarter) / "wmo" / "intern" / "index.html")["clientervaring"]
    w34 = con.execute(
        """select value / 100 from marts.question_answers where question_id = 'W34' and cross_section = 'none'
           and period_type = 'year' order by period_start desc limit 1"""
    ).fetchone()
    assert _raw(experience[0]["share"]) == pytest.approx(w34[0])


def test_wijk_report_gives_clients_per_thousand_inhabitants_from_the_cbs_seed(rendered):
    reports, con, _, quarter = rendered
    cbs = pd.read_csv(REPO_ROOT / "seeds" / "ref_cbs_kerncijfers_wijken.csv", dtype={"Codering_3": str})
    inhabitants = dict(zip(cbs["Codering_3"].str.strip(), cbs["AantalInwoners_5"], strict=True))
    young = dict(zip(cbs["Codering_3"].str.strip(), cbs["k_0Tot15Jaar_8"] + cbs["k_15Tot25Jaar_9"], strict=True))
    care = con.execute(
        """select law, coalesce(wijk_code, 'onbekend') as wijk, client_key from marts.fct_support_months
           where month_start >= ?::date and month_start < ?::date + interval 3 month""",
        [quarter, quarter],
    ).df()
    for mode in ("intern", "extern"):
        rows = _tables(reports / "wijken" / _label(quarter) / mode / "index.html")["wijken"]
        for r in rows:
            code = r["wijk_code"][1]
            wmo = care[(care.wijk == code) & (care.law == "wmo")].client_key.nunique()
            jeugd = care[(care.wijk == code) & (care.law == "jeugd")].client_key.nunique()
            if mode == "intern":
                assert int(_raw(r["wmo"])) == wmo and int(_raw(r["jeugd"])) == jeugd
            if code in inhabitants:  # externally a rate is hidden ('x') with the small count it comes from
                if r["wmo_rate"][0] != "x":
                    assert _raw(r["wmo_rate"]) == pytest.approx(wmo * 1000 / inhabitants[code])
                if r["jeugd_rate"][0] != "x":
                    assert _raw(r["jeugd_rate"]) == pytest.approx(jeugd * 1000 / young[code])
            if code == "onbekend" and mode == "intern":
                assert r["rate"][0] == ""  # no inhabitants: no rate is made up
    tables = _tables(reports / "wijken" / _label(quarter) / "intern" / "index.html")
    assert {"hoofdgroepen", "eerste_lijn", "trend", "ijkpunten"} <= set(tables)


def test_risk_profile_lists_every_flag_and_reads_the_contract_register(rendered, small_feeds):
    reports, con, _, quarter = rendered
    register = pd.read_csv(
        next((small_feeds / "landing" / "contractmanagement").glob("*.csv")), sep=";", encoding="cp1252", dtype=str
    )
    active = register[(register["soort"] == "kenmerk") & (register["status"] == "actief")]
    assert len(active) == 1
    agb, law = active["agb_code"].item(), active["wet"].item()
    risk = con.execute("select * from programming.provider_risk").df()
    registered = pd.to_datetime(active["datum"].item(), dayfirst=True)
    flagged = risk[risk.flag_contract]
    assert set(flagged.provider_agb) == {agb} and set(flagged.law) == {law}
    assert (pd.to_datetime(flagged.quarter_end) >= registered).all()
    later = risk[(risk.provider_agb == agb) & (risk.law == law) & (pd.to_datetime(risk.quarter_end) >= registered)]
    assert later.flag_contract.all()
    for law_ in ("wmo", "jeugd"):
        rows = _tables(reports / "aanbieders" / _label(quarter) / law_ / "intern" / "index.html")["risicoprofiel"]
        flags = [int(_raw(r["flags"])) for r in rows]
        truth = risk[
            (risk.law == law_)
            & (risk["flags"] >= 1)
            & (pd.to_datetime(risk.quarter_end) == pd.Timestamp(quarter) + pd.offsets.QuarterEnd(0))
        ]
        assert len(rows) == len(truth) and flags == sorted(flags, reverse=True)
    # the register's rows are on the provider's internal page, never on the external one
    page = reports / "aanbieders" / _label(quarter) / law / "{}" / "aanbieders" / agb / "index.html"
    rows = _tables(Path(str(page).format("intern")))["contractmanagement"]
    mine = register[(register.agb_code == agb) & (register.wet.isna() | (register.wet == law))]
    assert len(rows) == len(mine) > 0
    assert "contractmanagement" not in _tables(Path(str(page).format("extern")))


def test_provider_overview_shows_ceiling_and_message_traffic(rendered):
    reports, con, _, quarter = rendered
    year = int(quarter[:4])
    folder = reports / "aanbieders" / _label(quarter) / "wmo" / "intern"
    rows = [r for r in _tables(folder / "index.html")["aanbieders"] if not r["_total"]]
    traject = con.execute("select * from marts.fct_care_trajectories where law = 'wmo'").df()
    calendar = con.execute("select calendar_date, working_day_number from ref.calendar").df()
    number = dict(zip(pd.to_datetime(calendar.calendar_date), calendar.working_day_number, strict=True))
    start, end = pd.Timestamp(quarter), pd.Timestamp(quarter) + pd.DateOffset(months=3)
    for r in rows[:5]:
        agb = r["provider_agb"][1]
        ceiling = con.execute(
            """select sum(ceiling_cents) from programming.scenario_providers join programming.scenarios
               using (scenario) where adopted and provider_agb = ? and law = 'wmo' and year = ?""",
            [agb, year],
        ).fetchone()[0]
        assert _raw(r["ceiling_cents"]) == pytest.approx(ceiling)
        kenmerken = {
            x["figure"][1]: x["n"] for x in _tables(folder / "aanbieders" / agb / "index.html")["berichtenverkeer"]
        }
        t = traject[
            (traject.provider_agb == agb)
            & (pd.to_datetime(traject.start_date) >= start)
            & (pd.to_datetime(traject.start_date) < end)
        ]
        reported = t[t.has_start_message]
        late = sum(
            number[pd.Timestamp(s)] - number[pd.Timestamp(d)] > 5
            for s, d in zip(reported.start_reported_on, reported.start_date, strict=True)
        )
        assert int(_raw(kenmerken["Starts gemeld met een 305"])) == len(reported)
        assert int(_raw(kenmerken["... 305 later dan 5 werkdagen na de start"])) == late


def test_provider_overview_waiting_list_and_on_time_invoicing_over_closed_months(rendered):
    reports, con, _, quarter = rendered
    start = pd.Timestamp(quarter)
    rows = [
        r
        for r in _tables(reports / "aanbieders" / _label(quarter) / "wmo" / "intern" / "index.html")["aanbieders"]
        if not r["_total"]
    ]
    waiting = dict(
        con.execute(
            """select member, value from marts.question_answers where question_id = 'W07' and cross_section = 'provider'
               and period_type = 'month' and period_start = ?::date""",
            [(start + pd.DateOffset(months=2)).date()],
        ).fetchall()
    )
    closed = {
        pd.Timestamp(m)
        for (m,) in con.execute(
            "select distinct period_start from marts.question_answers where question_id = 'W08' "
            "and period_type = 'month' and is_complete"
        ).fetchall()
    }
    lines = con.execute(
        """select provider_agb, period_month, submitted_on_time from marts.fct_declaration_lines
           where is_booked and law = 'wmo' and period_month >= ?::date and period_month < ?::date + interval 3 month""",
        [quarter, quarter],
    ).df()
    lines["period_month"] = pd.to_datetime(lines["period_month"])
    for r in rows:
        agb = r["provider_agb"][1]
        assert _raw(r["waiting"]) == waiting.get(agb)
        mine = lines[(lines.provider_agb == agb) & lines.period_month.isin(closed)]
        expected = mine.submitted_on_time.mean() if len(mine) else None
        assert _raw(r["on_time"]) == (pytest.approx(expected) if expected is not None else None)


def test_bijlage_6_clients_and_average_and_the_wijk_tables_recomputed(rendered):
    reports, con, _, quarter = rendered
    year, last = int(quarter[:4]), int(quarter[5:7]) + 2
    care = con.execute(
        """select c.law, c.client_key, coalesce(c.provider_agb, 'pgb') as provider_agb, c.month_start,
                  coalesce(c.wijk_code, 'onbekend') as wijk, p.main_group, p.product_group
           from marts.fct_support_months c join marts.dim_product p using (municipality_code, product_code)"""
    ).df()
    care["month_start"] = pd.to_datetime(care["month_start"])
    names = dict(con.execute("select provider_name, provider_agb from marts.dim_provider").fetchall())
    names[FINANCING["pgb"]] = "pgb"
    ytd = care[(care.month_start.dt.year == year) & (care.month_start.dt.month <= last) & (care.law == "jeugd")]
    for r in _tables(reports / "voortgang" / _label(quarter) / "jeugd" / "intern" / "index.html")["bijlage6"]:
        agb = names.get(r["provider_name"][1], r["provider_name"][1])
        clients = ytd[(ytd.product_group == r["product_group"][1]) & (ytd.provider_agb == agb)].client_key.nunique()
        assert int(_raw(r["clients"])) == clients
        if clients:
            assert _raw(r["per_client"]) == pytest.approx(_raw(r["booked"]) / clients)
    # wijk report: clients per wijk, law and main group, and the trend's latest quarter
    inq = care[
        (care.month_start >= pd.Timestamp(quarter))
        & (care.month_start < pd.Timestamp(quarter) + pd.DateOffset(months=3))
    ]
    wijken = con.execute(
        """select wijk_code, wijk_name, inhabitants, inhabitants_under_25 from marts.dim_wijk
           where municipality_code in (select municipality_code from marts.fct_care_months)"""
    ).df()
    by_name = wijken.set_index("wijk_name")
    tables = _tables(reports / "wijken" / _label(quarter) / "intern" / "index.html")
    for r in tables["hoofdgroepen"]:
        law = {"Wmo": "wmo", "Jeugd": "jeugd"}[r["law"][1]]
        name = r["wijk_name"][1]
        code = by_name.at[name, "wijk_code"] if name in by_name.index else name
        clients = inq[(inq.wijk == code) & (inq.law == law) & (inq.main_group == r["main_group"][1])]
        assert int(_raw(r["clients"])) == clients.client_key.nunique()
        if name in by_name.index:
            base = by_name.at[name, "inhabitants" if law == "wmo" else "inhabitants_under_25"]
            assert _raw(r["rate"]) == pytest.approx(clients.client_key.nunique() * 1000 / base)
    latest = tables["trend"][-1]
    assert set(latest) - {"quarter", "_total"} == set(wijken.wijk_code)  # only the municipality's own wijken
    for code, inhabitants in zip(wijken.wijk_code, wijken.inhabitants, strict=True):
        assert _raw(latest[code]) == pytest.approx(inq[inq.wijk == code].client_key.nunique() * 1000 / inhabitants)
    # the first line of Jeugd: the CJG delivers no referrals, so none are shown (not zero)
    rows = _tables(reports / "voortgang" / _label(quarter) / "jeugd" / "intern" / "index.html")["eerste_lijn"]
    assert rows and all(r["referrals"][0] == "" for r in rows)


# ---------------------------------------------------------------------------------------- what users see
# Words that must not reach a Dutch reader: English labels, status and unit codes, parser messages, jargon.
FORBIDDEN = re.compile(
    r"\b(quarantined|duplicate|niet_geregistreerd|bron_niet_geleverd|geen_gegevens|product_category|age_group|"
    r"main_group|provider|clients|calendar_days|working_days|within_term|outside_term|statsmodels|LMDI|"
    r"Distinct|None|NaN|nan|NaT|Traceback|StartTag|expected columns|the contract)\b"
)


def _visible_text(path: Path) -> str:
    """What a reader sees: no scripts or styles, no technical identifiers (class 'tech': table and column
    names a data steward needs to find the data)."""
    doc = lxml.html.parse(str(path)).getroot()
    for element in doc.xpath("//script|//style|//*[contains(concat(' ', @class, ' '), ' tech ')]"):
        element.drop_tree()
    return doc.text_content()


def test_no_english_labels_codes_or_parser_messages_reach_the_dutch_products(rendered):
    reports, *_ = rendered
    pages = sorted(reports.glob("**/*.html"))
    assert len(pages) > 60 and (reports / "datakwaliteit" / "index.html") in pages
    found = {}
    for page in pages:
        hits = sorted(set(FORBIDDEN.findall(_visible_text(page))))
        if hits:
            found[str(page.relative_to(reports))] = hits
    assert found == {}


def _editions(reports: Path) -> list[Path]:
    """Every report edition's page (product/period/[law/]mode/index.html), not the provider pages."""
    return [
        p
        for p in reports.glob("*/*/**/index.html")
        if p.parent.name in ("intern", "extern") and p.parts[len(reports.parts)] != "stamkaarten"
    ]


def test_the_report_index_lists_every_edition_and_every_link_on_a_report_resolves(rendered):
    reports, _, month, quarter = rendered
    index = reports / "index.html"
    hrefs = set(lxml.html.parse(str(index)).getroot().xpath("//a/@href"))
    editions = _editions(reports)
    assert len(editions) >= 16  # two months and three quarterly products, per law and mode
    for page in editions:
        assert page.relative_to(reports).as_posix() in hrefs, f"{page} not in the index"
    for href in hrefs:
        assert (index.parent / href).resolve().exists(), f"index links to missing {href}"
    provider_page = sorted((reports / "aanbieders" / _label(quarter) / "wmo" / "intern" / "aanbieders").glob("*"))[0]
    for page in [*editions, provider_page / "index.html"]:
        doc = lxml.html.parse(str(page)).getroot()
        links = {a.text_content(): a.get("href") for a in doc.xpath("//nav[@aria-label='Navigatie']//a")}
        assert links["Tabellen (Excel)"] == "tabellen.xlsx" and "Alle rapporten" in links
        assert ("Datakwaliteit" in links) == ("intern" in page.relative_to(reports).parts)
        for href in [*links.values(), *doc.xpath("//p[@class='vragen']/a/@href")]:
            if not href.startswith("#"):
                assert (page.parent / href).resolve().exists(), f"{page}: link to missing {href}"
    budget = reports / "budgethouder" / month[:7] / "wmo" / "intern" / "index.html"
    questions = lxml.html.parse(str(budget)).getroot().xpath("//section[@id='kerncijfers']//p[@class='vragen']/a")
    assert {"W08", "W11"} <= {a.text_content() for a in questions}  # the budget holder's key figures
    colophon = lxml.html.parse(str(budget)).getroot().xpath("//footer")[0].text_content()
    through = rendered[1].execute("select max(data_through) from marts.question_answers").fetchone()[0]
    assert f"gegevens t/m {pd.Timestamp(through):%d-%m-%Y}" in colophon and "grip 0." in colophon
    assert "Hoe lees ik dit?" in budget.read_text(encoding="utf-8")


def test_the_workbooks_carry_real_number_formats_and_no_text_in_number_columns(rendered):
    import openpyxl

    reports, con, month, _ = rendered
    book = openpyxl.load_workbook(reports / "budgethouder" / month[:7] / "wmo" / "intern" / "tabellen.xlsx")
    assert book.sheetnames[0] == "Over dit bestand" and "Kerncijfers" in book.sheetnames
    key = book["Kerncijfers"]
    assert key.freeze_panes == "A2" and key.auto_filter.ref
    assert "€" in key["B2"].number_format and isinstance(key["B2"].value, int | float)
    # the budget equals the mart, in euros
    budget = con.execute(
        "select sum(budget_cents) from marts.fct_budget where law = 'wmo' and budget_year = ?", [int(month[:4])]
    ).fetchone()[0]
    assert key["B2"].value == pytest.approx(budget / 100, abs=0.005)
    for path in reports.glob("**/extern/tabellen.xlsx"):
        for sheet in openpyxl.load_workbook(path).worksheets[1:]:
            for column in sheet.iter_cols(min_row=2):
                if any(c.number_format != "General" for c in column):  # a number column
                    assert not any(isinstance(c.value, str) for c in column), f"{path}:{sheet.title}"


def test_periods_link_to_each_other_tables_sort_and_search_and_the_dbt_docs_open_from_disk(rendered):
    sync_playwright = browser_or_skip()
    reports, _, month, quarter = rendered
    earlier = reports / "budgethouder" / MID_YEAR[:7] / "wmo" / "intern" / "index.html"
    later = reports / "budgethouder" / month[:7] / "wmo" / "intern" / "index.html"
    providers = reports / "aanbieders" / _label(quarter) / "wmo" / "intern" / "index.html"
    docs = reports.parent / "dbt_docs" / "index.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # a page drawn before the later period existed still links to it: perioden.js is read in the browser
        page.goto(earlier.as_uri())
        page.click("nav a.volgende")
        assert Path(page.url.removeprefix("file://")).resolve() == later.resolve()
        page.click("nav a.vorige")
        assert Path(page.url.removeprefix("file://")).resolve() == earlier.resolve()
        # the provider index: search narrows the rows, a click on a column sorts by its value
        page.goto(providers.as_uri())
        rows = page.locator("table[data-table='aanbieders'] tbody tr.body")
        total = rows.count()
        assert total >= 15
        name = rows.nth(3).locator("td").first.inner_text()
        page.fill("input.zoek", name)
        visible = [r for r in rows.all() if r.is_visible()]
        assert 1 <= len(visible) < total and all(name.lower() in r.inner_text().lower() for r in visible)
        page.fill("input.zoek", "")
        first = rows.first.locator("td")
        col = next(i for i in range(first.count()) if first.nth(i).get_attribute("data-kind") == "count")
        header = page.locator("table[data-table='aanbieders'] thead th").nth(col)
        header.click()
        header.click()  # the second click sorts descending
        raw = page.eval_on_selector_all(
            f"table[data-table='aanbieders'] tbody tr.body td:nth-child({col + 1})",
            "cells => cells.map(c => c.dataset.raw)",
        )
        numbers = [float(v) for v in raw if v not in ("", "x")]
        assert len(numbers) >= 15 and numbers == sorted(numbers, reverse=True)
        assert header.get_attribute("aria-sort") == "descending"
        assert errors == []
        page.screenshot(path=str(ARTIFACTS / "aanbieders_zoeken.png"))
        # the dbt docs site is one file that opens from disk: the project tree loads, nothing is blocked. dbt's
        # own bundle asks for two URLs that are unrendered template text ('{{ getIcon(...) }}' and a favicon
        # "${require(...)}"); over HTTP they fail the same way, so only those may fail
        failed = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(docs.as_uri())
        page.wait_for_selector("text=Welcome!", timeout=60_000)
        assert page.locator(".app-body").count() > 0 and "Sources" in page.inner_text("body")
        assert [url for url in failed if "%7B" not in url] == []  # %7B: an unrendered '{' in dbt's own template
        assert [e for e in errors if "CORS" in e or "Cross origin" in e] == []
        page.screenshot(path=str(ARTIFACTS / "dbt_docs.png"))
        browser.close()
