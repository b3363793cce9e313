"""Programming and the report products on the small feeds, sharing one nightly build.

Programming: the provider the generator made overspend is warned about in the month an
independent calculation from the ground truth says, and the scenario tables add up.
Reports: figures on the page equal the marts (computed here independently), external mode
hides every small count, nothing published holds personal data, and in headless Chromium
each page opens without console errors with every chart drawn (screenshots in test-artifacts/)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import lxml.html
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.definitions import defs
from orchestration.lib.config import REPO_ROOT
from orchestration.lib.resources import Warehouse
from orchestration.programming.thresholds import load_monitoring
from orchestration.reports.products import current_periods, render_current

ARTIFACTS = Path(os.environ.get("GRIP_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def rendered(built):
    folder, _ = built
    assert render_current(defs, DagsterInstance.ephemeral(), Warehouse())
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
            select p.product_group, sum(l.amount_cents) from marts.fct_declaration_lines l
            join marts.dim_product p on p.municipality_code = l.municipality_code and p.product_code = l.product_code
            where l.is_booked and l.law = ? and year(l.period_month) = ? and month(l.period_month) <= ?
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
    label = f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"
    for law in ("wmo", "jeugd"):
        rows = _tables(reports / "voortgang" / label / law / "intern" / "index.html")["stromen"]
        latest = rows[-1]
        clients = con.execute(
            """select count(distinct client_key) from marts.fct_care_months
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


def test_provider_overview_has_a_page_per_provider(rendered):
    reports, con, _, quarter = rendered
    label = f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"
    folder = reports / "aanbieders" / label / "intern"
    rows = [r for r in _tables(folder / "index.html")["aanbieders"] if not r["_total"]]
    truth = dict(
        con.execute(
            """select provider_agb, count(distinct client_key) from marts.fct_care_months
                                where month_start >= ?::date and month_start < ?::date + interval 3 month group by 1""",
            [quarter, quarter],
        ).fetchall()
    )
    for r in rows:
        agb = r["provider_agb"][1]
        assert int(float(r["clients"][0])) == truth.get(agb, 0)
        assert (folder / "aanbieders" / agb / "index.html").exists()
    assert sum(1 for agb in truth if truth[agb]) <= len(rows)


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


def _browser_or_skip():
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian package 'chromium'; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright for Python is not installed")
    return sync_playwright


def test_pages_render_in_chromium_without_errors(rendered):
    sync_playwright = _browser_or_skip()
    reports, _, month, quarter = rendered
    label = f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"
    provider_pages = sorted((reports / "aanbieders" / label / "intern" / "aanbieders").glob("*/index.html"))
    pages = [
        reports / "budgethouder" / month[:7] / "wmo" / "intern" / "index.html",
        reports / "budgethouder" / month[:7] / "jeugd" / "extern" / "index.html",
        reports / "voortgang" / label / "jeugd" / "intern" / "index.html",
        reports / "voortgang" / label / "wmo" / "extern" / "index.html",
        reports / "aanbieders" / label / "intern" / "index.html",
        provider_pages[0],
    ]
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
    assert charts >= 8


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
