"""Report building blocks: Dutch formats, small-count suppression, the cost-change split, Excel safety."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.reports.document import Report, Section, fmt, is_current, write_report
from orchestration.reports.explain import EFFECTS, decompose, decompose_per_client
from orchestration.reports.suppression import SUPPRESSED, suppress


def test_dutch_formats():
    assert fmt(123456789, "money") == "€ 1.234.568"
    assert fmt(0.1234, "pct") == "12,3%"
    assert fmt(1234567, "count") == "1.234.567"
    assert fmt(None, "money") == "-" and fmt(SUPPRESSED, "count") == "x"


def test_primary_and_secondary_suppression_against_the_total():
    table = pd.DataFrame(
        {
            "wijk": ["A", "B", "C", "D", "Totaal"],
            "clients": [40, 4, 25, 12, 81],
            "cost_per_client": [1.0, 2.0, 3.0, 4.0, 2.5],
        }
    )
    out = suppress(table, ["clients"], 10, total_row=True, derived={"cost_per_client": "clients"})
    assert out.loc[1, "clients"] == SUPPRESSED  # primary: 4
    assert out.loc[3, "clients"] == SUPPRESSED  # secondary: otherwise 81 - 40 - 25 - 12 = 4
    assert out.loc[0, "clients"] == 40 and out.loc[4, "clients"] == 81
    assert out.loc[1, "cost_per_client"] == SUPPRESSED and out.loc[0, "cost_per_client"] == 1.0


def test_no_secondary_needed_when_two_cells_are_hidden():
    table = pd.DataFrame({"k": ["A", "B", "C", "T"], "n": [3, 5, 50, 58]})
    out = suppress(table, ["n"], 10, total_row=True)
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 50, 58]


def _components(rows):
    return pd.DataFrame(rows, columns=["product_group", "clients", "care_months", "units", "cost"])


def test_cost_change_split_adds_up_and_isolates_price():
    before = _components([("A", 10, 100, 1000, 50_000), ("B", 10, 50, 200, 20_000)])
    # only the price of A rises 10%: the whole change of A is price, nothing else moves
    after = _components([("A", 10, 100, 1000, 55_000), ("B", 10, 50, 200, 20_000)])
    out = decompose(before, after).set_index("product_group")
    assert out.loc["A", "price"] == pytest.approx(5_000)
    assert out.loc["A", ["volume", "mix", "duration", "intensity"]].abs().max() < 1e-9
    # everything moves: the effects still add up to the change exactly
    after = _components([("A", 14, 126, 1300, 60_000), ("B", 9, 40, 150, 17_000), ("C", 2, 4, 10, 900)])
    out = decompose(before, after).set_index("product_group")
    assert (out[list(EFFECTS)].sum(axis=1) - out["total"]).abs().max() < 1e-6
    assert out.loc["C", "mix"] == 900  # a new product group is mix
    # volume: 20 -> 25 clients, weighted by the log mean of A's cost
    w = (60_000 - 50_000) / math.log(60_000 / 50_000)
    assert out.loc["A", "volume"] == pytest.approx(w * math.log(25 / 20))


def test_split_against_programme_adds_up():
    plan = pd.DataFrame({"product_group": ["A", "B"], "clients": [100.0, 50.0], "cost": [1e6, 2e6]})
    actual = pd.DataFrame({"product_group": ["A", "B"], "clients": [120.0, 45.0], "cost": [1.3e6, 1.9e6]})
    out = decompose_per_client(plan, actual)
    assert (out[["volume", "mix", "cost_per_client"]].sum(axis=1) - out["total"]).abs().max() < 1e-6


def test_excel_neutralises_formulas_and_external_mode_suppresses(tmp_path):
    table = pd.DataFrame(
        {"name": ['=HYPERLINK("http://evil")', "@SUM(A1)", "gewoon"], "clients": [3, 20, 30], "cost": [100, 200, 300]}
    )
    report = Report("T", "t", [Section("s", table, {"name": "text", "clients": "count", "cost": "money"}, key="s")])
    write_report(tmp_path / "ext", report, "SYNTHETISCH", external_threshold=10)
    sheet = openpyxl.load_workbook(tmp_path / "ext" / "tabellen.xlsx")["s"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0].startswith("'=") and values[1][0].startswith("'@")
    # a suppressed count is an empty cell with a note, never an 'x' that breaks a sum
    assert values[0][1] is None and "onderdrukt" in sheet.cell(row=2, column=2).comment.text
    assert values[1][1] == 20 and values[2][2] == 3  # cents become euros
    page = (tmp_path / "ext" / "index.html").read_text()
    assert "SYNTHETISCH" in page and 'data-raw="3"' not in page


def test_the_workbook_has_real_formats_fitting_widths_a_frozen_filtered_header_and_readable_sheet_names(tmp_path):
    table = pd.DataFrame(
        {
            "provider": ["Zorg en Welzijn Kennemerland met een lange naam", "B", "Totaal"],
            "clients": [1234, 20, 1254],
            "cost": [123_456_78, 5_000, 123_461_78],
            "share": [0.4918228958915038, 0.5081771041084962, 1.0],
        }
    )
    kinds = {"provider": "text", "clients": "count", "cost": "money", "share": "pct"}
    labels = {"provider": "Aanbieder", "clients": "Cliënten", "cost": "Geboekt", "share": "Aandeel"}
    sections = [
        Section("Geboekt per aanbieder: [kwartaal]", table, kinds, labels, key="a", total_row=True),
        Section("Geboekt per aanbieder: [kwartaal]", table.head(1), kinds, labels, key="b"),
    ]
    write_report(tmp_path, Report("Titel", "sub", sections, data_through=dt.date(2026, 10, 31)), None)
    book = openpyxl.load_workbook(tmp_path / "tabellen.xlsx")
    assert book.sheetnames[0] == "Over dit bestand"
    assert "gegevens t/m 31-10-2026" in " ".join(str(c.value) for c in book["Over dit bestand"]["A"])
    first, second = book.sheetnames[1:]
    assert first == "Geboekt per aanbieder   kwartaa" and second.endswith("(2)") and len(second) <= 31
    sheet = book[first]
    assert [c.value for c in sheet[1]] == ["Aanbieder", "Cliënten", "Geboekt", "Aandeel"]
    assert sheet["B2"].value == 1234 and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].value == 123456.78 and sheet["C2"].number_format.startswith('"€" #,##0.00')
    assert sheet["D2"].value == 0.4918228958915038 and sheet["D2"].number_format == "0.0%"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D4"
    assert sheet.column_dimensions["A"].width >= len(table["provider"][0])  # the longest name fits
    assert sheet["A4"].font.bold and not sheet["A3"].font.bold  # the total row


def test_an_unchanged_page_is_not_drawn_again_and_a_changed_one_is(tmp_path):
    from orchestration.reports.document import Chart

    def report(clients):
        table = pd.DataFrame({"wijk": ["A", "B"], "clients": clients})
        return Report(
            "t",
            "s",
            [
                Section(
                    "wijken",
                    table,
                    {"wijk": "text", "clients": "count"},
                    key="w",
                    chart=Chart("bar", "wijk", ["clients"], "c"),
                )
            ],
        )

    page = write_report(tmp_path, report([40, 12]), None)
    page.write_text("drawn before")  # a marker: survives only if the page is not drawn again
    write_report(tmp_path, report([40, 12]), None)
    assert page.read_text() == "drawn before"
    write_report(tmp_path, report([40, 13]), None)  # one number changed
    assert 'data-raw="13"' in page.read_text()
    page.write_text("drawn before")
    write_report(tmp_path, report([40, 13]), None, external_threshold=10)  # same data, other mode
    assert 'data-raw="13"' in page.read_text()


def test_a_page_drawn_again_takes_its_unchanged_chart_from_beside_it_and_draws_a_changed_one(tmp_path, monkeypatch):
    """A page drawn again for a change beside its chart (here a part of the nightly that fell behind) does not
    draw the chart again: the chart is most of a page's cost. The page keeps its charts by content in
    .grafieken.json."""
    from orchestration.reports import document
    from orchestration.reports.document import Chart

    def report(clients, stale):
        table = pd.DataFrame({"wijk": ["A", "B"], "clients": clients})
        chart = Chart("bar", "wijk", ["clients"], "c")
        section = Section("wijken", table, {"wijk": "text", "clients": "count"}, key="w", chart=chart)
        return Report("t", "s", [section], stale=stale)

    drawn = []
    document._RECENT.clear()  # charts drawn by earlier tests in this process
    draw = document._draw_chart
    monkeypatch.setattr(document, "_draw_chart", lambda section: drawn.append(section.key) or draw(section))
    page = write_report(tmp_path, report([40, 12], []), None)
    first = page.read_text()
    assert drawn == ["w"] and (tmp_path / ".grafieken.json").exists()

    document._RECENT.clear()  # the next night is another process
    write_report(tmp_path, report([40, 12], ["Datakwaliteit: niet bijgewerkt"]), None)
    assert drawn == ["w"]  # the page was written again (a stale part), its chart was not drawn again
    assert page.read_text() != first and "<svg" in page.read_text()

    write_report(tmp_path, report([40, 13], ["Datakwaliteit: niet bijgewerkt"]), None)
    assert drawn == ["w", "w"]  # one value changed: the chart is drawn


def test_a_night_that_only_moves_the_data_reach_keeps_the_page_and_says_its_figures_were_checked(tmp_path):
    """The day the data reach moves every night; drawing every page again for it was most of a quiet night's
    reports. The page keeps the data it was drawn from in its colophon, and nagekeken.js beside it says when
    newer data gave the same figures (the page shows that line only then)."""
    import json

    def report(clients, through):
        table = pd.DataFrame({"wijk": ["A", "B"], "clients": clients})
        return Report(
            "t", "s", [Section("w", table, {"wijk": "text", "clients": "count"}, key="w")], data_through=through
        )

    def checked():
        text = (tmp_path / "nagekeken.js").read_text(encoding="utf-8")
        assert text.startswith("window.GRIP_NAGEKEKEN = ") and text.endswith(";\n")
        return json.loads(text.removeprefix("window.GRIP_NAGEKEKEN = ").rstrip(";\n"))

    page = write_report(tmp_path, report([40, 12], dt.date(2026, 10, 30)), None)
    drawn = page.read_text()
    assert 'data-gegevens="30-10-2026"' in drawn and "gegevens t/m 30-10-2026" in drawn
    assert '<script src="nagekeken.js"></script>' in drawn
    assert checked() == {"op": f"{dt.date.today():%d-%m-%Y}", "gegevens": "30-10-2026"}

    write_report(tmp_path, report([40, 12], dt.date(2026, 10, 31)), None)
    assert page.read_text() == drawn  # not drawn again: it still names the data it was drawn from
    assert checked()["gegevens"] == "31-10-2026"  # and says the newer data were checked

    write_report(tmp_path, report([40, 13], dt.date(2026, 11, 1)), None)  # a figure changed: drawn again
    assert 'data-gegevens="01-11-2026"' in page.read_text() and checked()["gegevens"] == "01-11-2026"


def test_a_page_is_current_whatever_the_index_of_its_tables(tmp_path):
    """Rows that a query returned in another order and that were then sorted keep other index labels.
    The page shows no index, so it is the same page; hashing the index redrew every provider page each night."""
    table = pd.DataFrame({"wijk": ["A", "B"], "clients": [40, 12]})

    def report(t):
        return Report("t", "s", [Section("wijken", t, {"wijk": "text", "clients": "count"}, key="w")])

    write_report(tmp_path, report(table), None)
    assert is_current(tmp_path, report(table.set_axis([7, 3])), None)
    assert not is_current(tmp_path, report(table.iloc[::-1]), None)  # rows in another order: another page
    assert not is_current(tmp_path, report(table), None, external_threshold=10)  # the other mode


def test_commentary_prefers_the_laws_own_file_and_says_when_none_was_written(tmp_path, monkeypatch):
    from orchestration.reports.commentary import commentary

    monkeypatch.setenv("GRIP_REPORT_CONTENT_DIR", str(tmp_path))
    folder = tmp_path / "toelichting" / "voortgang"
    folder.mkdir(parents=True)
    (folder / "2026-K3.md").write_text("Voor beide wetten.", encoding="utf-8")
    (folder / "2026-K3-jeugd.md").write_text("Alleen Jeugd.", encoding="utf-8")
    assert commentary("voortgang", "2026-K3", "jeugd").prose == "Alleen Jeugd."
    assert commentary("voortgang", "2026-K3", "wmo").prose == "Voor beide wetten."
    missing = commentary("voortgang", "2026-K2", "wmo")
    assert "geen toelichting geschreven" in missing.prose and "toelichting/voortgang/2026-K2.md" in missing.text


def test_commentary_is_shown_as_text_never_as_markup(tmp_path, monkeypatch):
    import shutil

    from orchestration.lib.config import REPO_ROOT
    from orchestration.reports.document import Report, Section, render_html

    monkeypatch.setenv("GRIP_REPORT_CONTENT_DIR", str(tmp_path))
    shutil.copytree(REPO_ROOT / "reports" / "templates", tmp_path / "templates")
    section = Section("Toelichting", pd.DataFrame(), {}, prose="**Let op** <script>alert(1)</script>", key="t")
    page = render_html(Report("R", "S", [section]), None, None)
    assert "<strong>Let op</strong>" in page and "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_a_section_links_only_the_questions_in_the_municipalitys_own_catalogue():
    """A municipality whose catalogue drops a question has no stamkaart for it: the report must not link one."""
    import duckdb

    from orchestration.reports.products import _dress

    con = duckdb.connect()
    con.execute("create schema ref; create schema marts")
    con.execute("create table ref.question_catalogue as select * from (values ('W08'), ('W11')) t(question_id)")
    con.execute("create table marts.question_answers as select date '2026-10-31' as data_through")
    section = Section("Kerncijfers", pd.DataFrame({"a": [1]}), {"a": "count"}, key="kerncijfers")
    report = Report("Budgethoudersrapportage", "", [section])
    _dress([report], "budgethouder", con, [], "wmo")
    assert section.questions == ("W08", "W11")  # W09 and W10 are not in this catalogue
    assert report.data_through == dt.date(2026, 10, 31)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page script")
@pytest.mark.parametrize(
    ("drawn_from", "checked", "shown"),
    [
        ("30-10-2026", None, None),  # no nagekeken.js (a page opened from elsewhere): nothing shown
        ("30-10-2026", {"op": "01-11-2026", "gegevens": "30-10-2026"}, None),  # checked against the same data
        (
            "30-10-2026",
            {"op": "01-11-2026", "gegevens": "31-10-2026"},
            "Nagekeken op 01-11-2026 met gegevens t/m 31-10-2026: de cijfers zijn niet veranderd.",
        ),
    ],
)
def test_the_page_says_its_figures_held_only_when_newer_data_were_checked(drawn_from, checked, shown):
    """pagina.js in node, with the few parts of a browser page it touches stubbed."""
    script = (Path(__file__).parents[2] / "reports" / "templates" / "pagina.js").read_text(encoding="utf-8")
    harness = f"""
    var line = {{hidden: true, textContent: ""}};
    var footer = {{getAttribute: function () {{ return {json.dumps(drawn_from)}; }},
                   querySelector: function () {{ return line; }}}};
    var window = {{GRIP_NAGEKEKEN: {json.dumps(checked)}}};
    var document = {{querySelectorAll: function () {{ return []; }},
                     querySelector: function (s) {{ return s === "footer[data-gegevens]" ? footer : null; }}}};
    {script}
    console.log(JSON.stringify(line.hidden ? null : line.textContent));
    """
    out = subprocess.run(["node", "-e", harness], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == shown
