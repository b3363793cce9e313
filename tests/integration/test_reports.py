"""The report products on the small feeds: figures on the page equal the marts (computed here
independently), external mode hides every small count, and in headless Chromium each page
opens without console errors with every chart drawn. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import lxml.html
import pytest
from dagster import DagsterInstance

from orchestration.lib.config import REPO_ROOT
from orchestration.reports.products import current_periods, render_current

ARTIFACTS = Path(os.environ.get("GRIP_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def rendered(built):
    folder, _ = built
    assert render_current(DagsterInstance.ephemeral())
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
            row = {td.get("data-col"): (td.get("data-raw"), td.text_content(), td.get("data-kind")) for td in tr.xpath("./td")}
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
        truth = dict(con.execute("""
            select p.product_group, sum(l.amount_cents) from marts.fct_declaration_lines l
            join marts.dim_product p on p.product_code = l.product_code
            where l.is_booked and l.law = ? and year(l.period_month) = ? and month(l.period_month) <= ?
            group by 1""", [law, year, m]).fetchall())
        rows = [r for r in tables["productgroepen"] if not r["_total"] and r["cost"][0]]
        shown = {r["product_group"][1]: float(r["cost"][0]) for r in rows}
        assert shown == pytest.approx({k: float(v) for k, v in truth.items()})
        for r in rows:  # the text a reader sees is the same figure, in whole euros
            assert _euros(r["cost"][1]) == pytest.approx(float(r["cost"][0]) / 100, abs=0.5)
        headline = {r["figure"][1]: r["value"] for r in tables["kerncijfers"]}
        realised = next(v for k, v in headline.items() if k.startswith("Gerealiseerd"))
        assert float(realised[0]) == pytest.approx(sum(truth.values()))
        budget = con.execute("select sum(budget_cents) from marts.fct_budget where law = ? and budget_year = ?",
                             [law, year]).fetchone()[0]
        assert float(headline["Begroting"][0]) == pytest.approx(budget)


def test_progress_report_flows_equal_the_marts(rendered):
    reports, con, _, quarter = rendered
    label = f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"
    for law in ("wmo", "jeugd"):
        rows = _tables(reports / "voortgang" / label / law / "intern" / "index.html")["stromen"]
        latest = rows[-1]
        clients = con.execute("""select count(distinct client_key) from marts.fct_care_months
                                 where law = ? and month_start >= ?::date and month_start < ?::date + interval 3 month""",
                              [law, quarter, quarter]).fetchone()[0]
        inflow = con.execute("""select count(*) from marts.fct_client_flows where law = ? and flow = 'instroom'
                                and month_start >= ?::date and month_start < ?::date + interval 3 month""",
                             [law, quarter, quarter]).fetchone()[0]
        assert latest["quarter"][1] == label
        assert int(latest["clients"][0]) == clients and int(latest["inflow"][0]) == inflow
        assert len(rows) == 8


def test_provider_overview_has_a_page_per_provider(rendered):
    reports, con, _, quarter = rendered
    label = f"{quarter[:4]}-K{(int(quarter[5:7]) - 1) // 3 + 1}"
    folder = reports / "aanbieders" / label / "intern"
    rows = [r for r in _tables(folder / "index.html")["aanbieders"] if not r["_total"]]
    truth = dict(con.execute("""select provider_agb, count(distinct client_key) from marts.fct_care_months
                                where month_start >= ?::date and month_start < ?::date + interval 3 month group by 1""",
                             [quarter, quarter]).fetchall())
    for r in rows:
        agb = r["provider_agb"][1]
        assert int(float(r["clients"][0])) == truth.get(agb, 0)
        assert (folder / "aanbieders" / agb / "index.html").exists()
    assert sum(1 for agb in truth if truth[agb]) <= len(rows)


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
            for col, cell in (totals[0].items() if totals else []):
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
    pages = [reports / "budgethouder" / month[:7] / "wmo" / "intern" / "index.html",
             reports / "budgethouder" / month[:7] / "jeugd" / "extern" / "index.html",
             reports / "voortgang" / label / "jeugd" / "intern" / "index.html",
             reports / "voortgang" / label / "wmo" / "extern" / "index.html",
             reports / "aanbieders" / label / "intern" / "index.html", provider_pages[0]]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    charts = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
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
    for findings, scanned in (scan_database(published, names), scan_parquet(data / "exports", names),
                              scan_reports(reports, names)):
        assert findings == [] and scanned > 0
    # the same scan on the private warehouse does find what it looks for
    private, _ = scan_database(data / "warehouse" / "grip.duckdb", names)
    assert {f.rule for f in private} >= {"postcode"}
