"""The portal on the small feeds' published warehouse, served by uvicorn as ``grip portal`` serves it.

Its figures are checked against independent queries on the published copy (question_answers, the
booked invoice lines, the begroting), its external mode against the suppression threshold, and in
Chromium every page opens without console errors, a chosen filter changes the figures to those of
question_answers, and a screenshot of each page lands in test-artifacts/.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import lxml.html
import openpyxl
import pandas as pd
import pytest
import uvicorn

from orchestration.lib.config import settings
from orchestration.portal.app import create_app
from orchestration.programming.inputs import latest_month

from .browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser_or_skip, collect_errors


class Served:
    """A portal in a uvicorn thread on a free port of 127.0.0.1."""

    def __init__(self, app):
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                break
            time.sleep(0.05)
        assert self.server.started, "the portal did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> tuple[int, bytes, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=120) as response:
                return response.status, response.read(), response.headers.get("content-type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("content-type", "")

    def page(self, path: str):
        status, body, _ = self.get(path)
        assert status == 200, f"{path}: {status} {body[:300]!r}"
        return lxml.html.fromstring(body.decode("utf-8"))

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def portals(built, tmp_path_factory):
    """The internal and the external portal. Their reports folder is a copy with one internal and one
    external edition added, so the external mode's refusal of internal files can be seen; the working
    warehouse is pointed at a file that does not exist: the portal reads the published copy only."""
    folder, _ = built
    s = settings()
    reports = tmp_path_factory.mktemp("portal_data")
    shutil.copytree(s.reports_dir, reports / "reports")
    for mode in ("intern", "extern"):
        edition = reports / "reports" / "voortgang" / "2020-K3" / "wmo" / mode
        edition.mkdir(parents=True, exist_ok=True)  # rendered already when another module ran first
        (edition / "index.html").write_text(f"<html><body>{mode}</body></html>", encoding="utf-8")
    s = dataclasses.replace(s, data_dir=reports, warehouse=reports / "geen_werkwarehouse.duckdb")
    assert s.published_warehouse == folder / "warehouse" / "grip_published.duckdb"
    intern, extern = Served(create_app(s)), Served(create_app(s, external=True))
    con = duckdb.connect(str(s.published_warehouse), read_only=True, config=s.duckdb_config())
    yield intern, extern, con, s
    con.close()
    intern.stop()
    extern.stop()


def _table(doc, key: str) -> list[dict[str, str]]:
    """The rows of a drawn table as {column: raw value}; the total row under the key 'total'."""
    rows = []
    for tr in doc.xpath(f"//table[@data-table='{key}']/tbody/tr"):
        row = {td.get("data-col"): td.get("data-raw") for td in tr.xpath("td")}
        row["_total"] = "total" in (tr.get("class") or "")
        row["_text"] = [td.text_content() for td in tr.xpath("td")]
        rows.append(row)
    return rows


def _answers(con, where: str, params: list) -> pd.DataFrame:
    return con.execute(f"select * from marts.question_answers where {where}", params).df()


def _expected(value, unit: str) -> float:
    """question_answers' value as the page carries it raw: euros in cents, percentages as shares."""
    if unit in ("euro", "euro_per_care_month"):
        return round(value * 100)
    return value / 100 if unit == "percent" else value


def test_every_question_of_the_catalogue_is_listed_with_its_explorer_and_stamkaart(portals):
    intern, _, con, _ = portals
    doc = intern.page("/vragen")
    ids = [r[0] for r in con.execute("select question_id from ref.question_catalogue order by 1").fetchall()]
    assert len(ids) == 59
    listed = {a.text_content() for a in doc.xpath("//table[@data-table='vragen']//a[starts-with(@href, '/vragen/')]")}
    assert set(ids) <= listed
    for qid in ids:
        assert doc.xpath(f"//a[@href='/rapporten/stamkaarten/{qid}.html']"), qid


def test_the_explorer_shows_question_answers_own_figures_over_time_and_per_member(portals):
    intern, _, con, _ = portals
    checked = 0
    for (qid,) in con.execute("select question_id from ref.question_catalogue order by 1").fetchall():
        # the default view: the total per quarter (or the finest period the question has)
        doc = intern.page(f"/vragen/{qid}")
        rows = _table(doc, "antwoord")
        qa = _answers(con, "question_id = ? and cross_section = 'none'", [qid])
        if qa.empty:  # no total (J12: per client only): the explorer opens on its one cross-section instead
            assert rows and rows[-1]["_total"], qid
            continue
        types = set(qa["period_type"].dropna())
        chosen = "quarter" if "quarter" in types else (sorted(types)[0] if types else None)
        qa = qa[qa["period_type"] == chosen] if chosen else qa
        first_unit = qa.sort_values(["period_start", "unit"])["unit"].iloc[0] if len(qa) else None
        periods = list(dict.fromkeys(qa.sort_values("period_start")["period_start"]))
        values = qa[qa["unit"] == first_unit].set_index("period_start")["value"]
        shown = [r["value_0"] for r in rows]
        assert len(shown) == len(periods), qid  # one row per period, also where only another unit has a figure
        for raw, period in zip(shown, periods, strict=True):
            value = values.get(period)
            if value is None or pd.isna(value):
                assert raw == "", qid
            else:
                assert float(raw) == pytest.approx(_expected(value, first_unit), abs=1e-6), qid
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("qid, cross_section", [("W01", "provider"), ("J01", "wijk"), ("W08", "main_group")])
def test_a_cross_section_in_one_period_lists_every_member_and_question_answers_total(portals, qid, cross_section):
    intern, _, con, _ = portals
    latest = con.execute(
        "select max(period_start) from marts.question_answers where question_id = ? and period_type = 'quarter'", [qid]
    ).fetchone()[0]
    doc = intern.page(f"/vragen/{qid}?periodetype=quarter&periode={latest:%Y-%m-%d}&doorsnede={cross_section}")
    rows = _table(doc, "antwoord")
    qa = _answers(
        con,
        "question_id = ? and period_type = 'quarter' and period_start = ? and cross_section in (?, 'none')",
        [qid, latest, cross_section],
    )
    members = qa[qa["cross_section"] == cross_section].set_index("member")["value"]
    total = qa[qa["cross_section"] == "none"]["value"].iloc[0]
    body = [r for r in rows if not r["_total"]]
    assert len(body) == len(members) and rows[-1]["_total"]
    unit = qa["unit"].iloc[0]
    shown = {tuple(r["_text"])[0]: float(r["value_0"]) for r in body}
    assert sorted(shown.values()) == pytest.approx(sorted(_expected(v, unit) for v in members))
    assert float(rows[-1]["value_0"]) == pytest.approx(_expected(total, unit))
    values = [float(r["value_0"]) for r in body]
    assert values == sorted(values, reverse=True)  # largest first


def test_the_money_drill_down_adds_up_to_the_booked_lines_the_begroting_and_distinct_clients(portals):
    intern, _, con, _ = portals
    latest = latest_month(con)  # the month both money sources reach (test_programming_and_reports)
    year, month = latest.year, latest.month
    # care in kind and pgb, the pgb as one provider
    booked = con.execute(
        """select l.law, p.main_group, p.product_group, if(l.financing = 'pgb', 'pgb', l.provider_agb) as provider_agb,
                  l.amount_cents
           from marts.fct_booked_money l join marts.dim_product p using (municipality_code, product_code)
           where year(l.care_month) = ? and month(l.care_month) <= ?""",
        [year, month],
    ).df()
    care = con.execute(
        """select c.law, c.main_group, p.product_group, coalesce(c.provider_agb, 'pgb') as provider_agb, c.client_key
           from marts.fct_support_months c join marts.dim_product p using (municipality_code, product_code)
           where year(c.month_start) = ? and month(c.month_start) <= ?""",
        [year, month],
    ).df()
    budget = con.execute(
        "select law, main_group, budget_cents from marts.fct_budget where budget_year = ?", [year]
    ).df()

    def check(query: str, key: str, filt: dict, budget_by: str | None):
        rows = _table(intern.page(f"/geld?jaar={year}{query}"), "geld")
        b, c = booked, care
        for col, value in filt.items():
            b, c = b[b[col] == value], c[c[col] == value]
        by_key = b.groupby(key)["amount_cents"].sum()
        clients = c.groupby(key)["client_key"].nunique()
        body = [r for r in rows if not r["_total"]]
        assert len(body) >= len(by_key) > 0
        for r in body:
            name = r["_text"][0]
            k = next((k for k in by_key.index if k == name or (key == "law" and k.lower() == name.lower())), None)
            if k is None:  # a row with a budget or clients but nothing booked, or a provider shown by name
                continue
            assert float(r["ytd_cents"]) == by_key[k]
            assert int(r["clients"]) == clients.get(k, 0)
            if budget_by:
                scope = budget[budget["law"] == filt["law"]] if "law" in filt else budget
                expected = scope.groupby(budget_by)["budget_cents"].sum()
                assert float(r["budget_cents"] or "nan") == expected.get(k, float("nan")) or k not in expected
        total = rows[-1]
        assert total["_total"] and float(total["ytd_cents"]) == b["amount_cents"].sum()
        assert int(total["clients"]) == c["client_key"].nunique()  # distinct: not the sum of the rows
        return body

    laws = check("", "law", {}, "law")
    assert {r["_text"][0] for r in laws} == {"Wmo", "Jeugd"}
    main = booked[booked["law"] == "wmo"].groupby("main_group")["amount_cents"].sum().idxmax()
    check("&wet=wmo", "main_group", {"law": "wmo"}, "main_group")
    groups = booked[(booked["law"] == "wmo") & (booked["main_group"] == main)]
    group = groups.groupby("product_group")["amount_cents"].sum().idxmax()
    query = f"&wet=wmo&hoofdgroep={urllib.request.quote(main)}"
    check(query, "product_group", {"law": "wmo", "main_group": main}, None)
    rows = _table(intern.page(f"/geld?jaar={year}{query}&productgroep={urllib.request.quote(group)}"), "geld")
    per_provider = groups[groups["product_group"] == group].groupby("provider_agb")["amount_cents"].sum()
    shown = [float(r["ytd_cents"]) for r in rows if not r["_total"] and r["ytd_cents"] not in ("", "0", "0.0")]
    assert sorted(shown) == sorted(per_provider[per_provider != 0].astype(float))


def test_the_start_page_gives_the_budget_position_per_law_with_its_signal(portals):
    intern, _, con, _ = portals
    doc = intern.page("/")
    latest = latest_month(con)  # the month both money sources reach (test_programming_and_reports)
    for law, name in (("wmo", "Wmo"), ("jeugd", "Jeugd")):
        rows = _table(doc, f"positie_{law}")
        budget = con.execute(
            "select sum(budget_cents) from marts.fct_budget where law = ? and budget_year = ?", [law, latest.year]
        ).fetchone()[0]
        booked = con.execute(
            """select sum(amount_cents) from marts.fct_booked_money
               where law = ? and year(care_month) = ? and care_month <= ?""",
            [law, latest.year, latest],
        ).fetchone()[0]
        total = rows[-1]
        assert float(total["budget_cents"]) == budget and float(total["ytd_cents"]) == booked
        over = float(total["over_budget_cents"])
        card = doc.xpath(f"//div[@data-law='{name}']")[0]
        assert ("over" if over > 0 else "onder") in card.get("class")
        assert ("boven de begroting" if over > 0 else "onder de begroting") in card.text_content()
        for r in rows[:-1]:
            signal = "boven begroting" if float(r["over_budget_cents"] or "nan") > 0 else None
            if signal:
                assert r["signal"] == signal
    assert doc.xpath("//section[@id='categorieen']") and "geweigerde leveringen" in doc.text_content()


def test_a_wijk_page_shows_that_wijks_answers(portals):
    intern, _, con, _ = portals
    doc = intern.page("/wijken")
    rows = _table(doc, "wijken")
    code = next(r["wijk_code"] for r in rows if r["wijk_code"] not in ("onbekend", None))
    href = doc.xpath(f"//a[starts-with(@href, '/wijken/{code}')]/@href")[0]
    page = intern.page(href)
    quarter = href.split("kwartaal=")[1]
    answers = {r["question_id"]: r for r in _table(page, "vragen_wijk")}
    expected = con.execute(
        """select question_id, value from marts.question_answers where cross_section = 'wijk' and member = ?
           and period_type = 'quarter' and period_start = ?::date and unit = 'clients'""",
        [code, quarter],
    ).fetchall()
    assert expected
    for qid, value in expected:
        assert float(answers[qid]["count"]) == value
    name = con.execute("select wijk_name from marts.dim_wijk where wijk_code = ?", [code]).fetchone()[0]
    assert {r["wijk_name"] for r in _table(page, "hoofdgroepen")} == {name}


def test_the_external_portal_hides_small_counts_and_serves_nothing_internal(portals):
    _, extern, con, s = portals
    threshold = s.report_min_count
    doc = extern.page("/vragen/W01?doorsnede=provider")
    rows = _table(doc, "antwoord")
    values = [r["value_0"] for r in rows]
    assert "x" in values
    assert all(v == "x" or float(v) >= threshold for v in values)
    assert sum(v == "x" for v in values[:-1]) != 1  # one hidden cell could be derived from the total
    assert "Extern" in doc.xpath("//div[@class='mode']")[0].text_content()
    menu = " ".join(doc.xpath("//header//nav//a/text()"))
    assert "Datakwaliteit" not in menu and "dbt" not in menu
    j12 = extern.page("/vragen/J12")
    assert not _table(j12, "antwoord") and "alleen intern" in j12.text_content()
    assert extern.get("/vragen/J12/download.csv")[0] == 404
    for path in ("/rapporten/datakwaliteit/index.html", "/rapporten/voortgang/2020-K3/wmo/intern/", "/dbt-docs"):
        assert extern.get(path)[0] == 404, path
    assert extern.get("/rapporten/voortgang/2020-K3/wmo/extern/")[0] == 200
    assert extern.get("/rapporten/stamkaarten/W01.html")[0] == 200
    assert extern.get("/rapporten/../warehouse/grip_published.duckdb")[0] == 404
    listed = extern.page("/rapporten").xpath("//ul[@class='edities']//a/@href")
    assert listed and not [h for h in listed if "/intern/" in h]
    csv_text = extern.get("/vragen/W01/download.csv?doorsnede=provider")[1].decode("utf-8-sig")
    cells = [line.split(",")[-1] for line in csv_text.splitlines()[2:]]
    assert "" in cells and all(c == "" or float(c) >= threshold for c in cells)


def test_downloads_are_the_table_as_csv_and_a_workbook_with_real_formats(portals):
    intern, _, con, _ = portals
    query = "?periodetype=quarter&doorsnede=main_group"
    rows = _table(intern.page(f"/vragen/W08{query}"), "antwoord")
    status, body, kind = intern.get(f"/vragen/W08/download.csv{query}")
    assert status == 200 and kind.startswith("text/csv")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("# SYNTHETISCHE DATA")
    frame = pd.read_csv(io.StringIO("\n".join(lines[1:])))
    assert list(frame["hoofdgroep"]) == [r["_text"][0] for r in rows]
    assert list(frame["code"])[-1] == "totaal"
    euros = frame[[c for c in frame.columns if "euro" in c][0]]
    assert list(euros.round(2)) == pytest.approx([float(r["value_0"]) / 100 for r in rows])
    status, body, kind = intern.get(f"/vragen/W08/download.xlsx{query}")
    assert status == 200 and "spreadsheetml" in kind
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames[0] == "Over dit bestand"
    sheet = book.worksheets[1]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    money = [c for c in sheet[2] if isinstance(c.value, (int, float))]
    assert money and money[0].number_format.startswith('"€"')


def test_unknown_pages_and_choices_answer_in_dutch_without_a_traceback(portals):
    intern, *_ = portals
    status, body, _ = intern.get("/vragen/X99")
    assert status == 404 and "staat niet in de catalogus" in body.decode()
    status, body, _ = intern.get("/wijken/onbekend")
    assert status == 404 and "niet bekend" in body.decode()
    # a nonsense filter falls back to the default view instead of failing
    assert intern.get("/vragen/W01?periodetype=eeuw&periode=gisteren&doorsnede=';drop&lid=zzz")[0] == 200
    assert intern.get("/geld?jaar=abc&hoofdgroep=zonder-wet")[0] == 200


PAGES = [
    ("start", "/"),
    ("vragen", "/vragen"),
    ("vraag_totaal", "/vragen/W08"),
    ("vraag_aanbieders", "/vragen/W01?doorsnede=provider"),
    ("vraag_wijk_lid", "/vragen/J01?doorsnede=wijk"),
    ("geld", "/geld"),
    ("geld_wmo", "/geld?wet=wmo"),
    ("wijken", "/wijken"),
    ("rapporten", "/rapporten"),
]


def test_every_page_opens_in_chromium_without_errors_and_a_filter_changes_the_figures(portals):
    sync_playwright = browser_or_skip()
    intern, extern, con, _ = portals
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = collect_errors(page)
        for served, mode in ((intern, "intern"), (extern, "extern")):
            for name, path in PAGES:
                page.goto(served.base + path)
                assert "SYNTHETISCHE DATA" in page.inner_text(".banner"), path
                for figure in page.locator("figure.chart").all():
                    box = figure.locator("svg").bounding_box()
                    assert box and box["width"] > 100 and box["height"] > 50, f"{path}: chart not drawn"
                page.screenshot(path=str(ARTIFACTS / f"portaal_{mode}_{name}.png"), full_page=True)
                assert errors == [], f"{mode} {path}: {errors}"
            page.goto(served.base + "/wijken")
            wijk = page.locator("table[data-table='wijken'] td[data-col='wijk_name'] a").first
            wijk.click()
            page.wait_for_selector("table[data-table='vragen_wijk']")
            page.screenshot(path=str(ARTIFACTS / f"portaal_{mode}_wijk.png"), full_page=True)
            assert errors == []

        # choosing a cross-section submits the form; the table then holds question_answers' members
        page.goto(intern.base + "/vragen/W01")
        with page.expect_navigation():
            page.select_option("select[name=doorsnede]", "wijk")
        assert "doorsnede=wijk" in page.url
        raw = page.eval_on_selector_all(
            "table[data-table='antwoord'] tr.body td[data-col='value_0']", "c => c.map(x => Number(x.dataset.raw))"
        )
        period = page.eval_on_selector("select[name=periode]", "s => s.value")
        expected = con.execute(
            """select value from marts.question_answers where question_id = 'W01' and cross_section = 'wijk'
               and period_type = 'quarter' and period_start = ?::date order by value desc""",
            [period],
        ).fetchall()
        assert raw == [v for (v,) in expected]
        # choosing a member shows that member over time
        label = page.locator("select[name=lid] option").nth(1)
        code, name = label.get_attribute("value"), label.inner_text()
        with page.expect_navigation():
            page.select_option("select[name=lid]", code)
        series = page.eval_on_selector_all(
            "table[data-table='antwoord'] tr.body td[data-col='value_0']", "c => c.map(x => Number(x.dataset.raw))"
        )
        expected = con.execute(
            """select value from marts.question_answers where question_id = 'W01' and cross_section = 'wijk'
               and member = ? and period_type = 'quarter' order by period_start""",
            [code],
        ).fetchall()
        assert series == [v for (v,) in expected] and name in page.inner_text("select[name=lid]")
        page.screenshot(path=str(ARTIFACTS / "portaal_intern_vraag_gekozen.png"), full_page=True)
        # drill down by clicking: law, then main group
        page.goto(intern.base + "/geld")
        with page.expect_navigation():
            page.click("table[data-table='geld'] td[data-col='label'] a >> text=Wmo")
        with page.expect_navigation():
            page.locator("table[data-table='geld'] td[data-col='label'] a").first.click()
        assert "hoofdgroep=" in page.url and page.locator("nav.kruimel a").count() == 3
        assert errors == []
        browser.close()


def test_portal_refuses_to_start_without_a_published_warehouse(tmp_path, monkeypatch):
    from orchestration.cli import main

    monkeypatch.setenv("GRIP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIP_PUBLISHED_WAREHOUSE", raising=False)
    with pytest.raises(FileNotFoundError, match="run the nightly first"):
        create_app(settings(need_key=False))
    assert main(["portal"]) == 2
    assert not Path(tmp_path / "warehouse").exists()
