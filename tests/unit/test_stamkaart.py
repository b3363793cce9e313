"""The stamkaart page: what a steward reads about one question."""

import datetime as dt

import pandas as pd

from orchestration.reports.stamkaart import cross_section_status, latest_values, nl_number, render_card

QUESTION = {
    "question_id": "W16",
    "law": "wmo",
    "text_nl": "De cumulatieve doorlooptijd",
    "roles": "management",
    "unit": "days",
    "cross_sections": "team|product_category|wijk",
    "definition": "Mean throughput time.",
}


def answers():
    rows = [
        ("year", dt.date(2019, 1, 1), "none", 30.0, "calendar_days"),
        ("year", dt.date(2020, 1, 1), "none", 29.5, "calendar_days"),
        ("year", dt.date(2020, 1, 1), "none", 20.4, "working_days"),
        ("year", dt.date(2020, 1, 1), "team", 21.0, "working_days"),
    ]
    f = pd.DataFrame(rows, columns=["period_type", "period_start", "cross_section", "value", "unit"])
    return f.assign(question_id="W16", status="beantwoord", status_reason=None)


def test_cross_sections_given_and_missing():
    assert cross_section_status(QUESTION, answers()) == (["team"], ["product_category", "wijk"])


def test_cross_sections_are_named_in_dutch_and_one_only_unknown_is_not_in_the_data():
    f = answers().assign(member="x")
    f.loc[len(f)] = ["year", dt.date(2020, 1, 1), "wijk", 3.0, "working_days", "W16", "beantwoord", None, "onbekend"]
    names = {"team": "team", "product_category": "productcategorie", "wijk": "wijk"}
    assert cross_section_status(QUESTION, f, names) == (["team"], ["productcategorie", "wijk"])


def test_latest_values_are_the_last_period_totals():
    latest = latest_values(answers())
    assert set(zip(latest["unit"], latest["value"], strict=True)) == {("calendar_days", 29.5), ("working_days", 20.4)}


def test_a_partial_period_is_marked_and_shown_beside_the_last_complete_one():
    rows = [
        ("quarter", dt.date(2026, 7, 1), "none", 300.0, "euro", True),
        ("quarter", dt.date(2026, 10, 1), "none", 100.0, "euro", False),
        ("quarter", dt.date(2026, 4, 1), "none", 290.0, "euro", True),
    ]
    f = pd.DataFrame(rows, columns=["period_type", "period_start", "cross_section", "value", "unit", "is_complete"])
    f = f.assign(question_id="W08", status="beantwoord", status_reason=None, data_through=dt.date(2026, 10, 31))
    assert latest_values(f)["period_start"].tolist() == [dt.date(2026, 7, 1), dt.date(2026, 10, 1)]
    page = render_card({**QUESTION, "question_id": "W08", "unit": "euro"}, f)
    assert "01-10-2026 (onvolledig: gegevens t/m 31-10-2026)" in page and "01-07-2026</td>" in page
    assert "01-04-2026" not in page


def test_an_ended_period_still_waiting_for_invoices_reads_provisional():
    rows = [("month", dt.date(2026, 9, 1), dt.date(2026, 9, 30), "none", 10.0, "euro", False)]
    columns = ["period_type", "period_start", "period_end", "cross_section", "value", "unit", "is_complete"]
    f = pd.DataFrame(rows, columns=columns).assign(
        question_id="W08", status="beantwoord", status_reason=None, data_through=dt.date(2026, 10, 31)
    )
    page = render_card({**QUESTION, "question_id": "W08", "unit": "euro"}, f)
    assert "01-09-2026 (voorlopig: de factuurtermijn na deze periode loopt nog)" in page


def test_dutch_number_format():
    assert nl_number(1234567.891, "euro") == "€ 1.234.567,89"
    assert nl_number(12.3, "percent") == "12,3%"
    assert nl_number(1500.0, "clients") == "1.500"


def test_card_shows_status_values_and_banner():
    page = render_card(QUESTION, answers(), banner="SYNTHETISCHE DATA")
    assert "SYNTHETISCHE DATA" in page and "Gewenst maar niet in de data: product_category, wijk" in page
    assert "29,5" in page and "20,4" in page and "01-01-2019" not in page
    empty = render_card(
        {**QUESTION, "question_id": "W35"},
        pd.DataFrame(
            {
                "question_id": ["W35"],
                "period_type": [None],
                "period_start": [None],
                "cross_section": ["none"],
                "value": [None],
                "unit": ["count"],
                "status": ["niet_geregistreerd"],
                "status_reason": ["Niet vastgelegd (003)."],
            }
        ),
    )
    assert "Niet te beantwoorden: niet geregistreerd" in empty and "Niet vastgelegd (003)." in empty


def test_card_shows_feasibility_and_element_quality():
    elements = pd.DataFrame(
        [
            {
                "element_id": "wp.datum_melding",
                "name_nl": "Datum melding",
                "role": "kern",
                "category": "a",
                "category_label": "Vulgraad ≥ 95% met plausibele waarden",
                "fill_rate": 0.987,
                "period": "2020-11",
            },
            {
                "element_id": "wp.team",
                "name_nl": "Wmo-team",
                "role": "doorsnede",
                "category": "e",
                "category_label": "Onvoldoende",
                "fill_rate": 0.5,
                "period": "2020-11",
            },
        ]
    )
    verdict = {
        "feasibility_label": "Te beantwoorden na aanpassing van het proces",
        "reason": "Onvoldoende kwaliteit: Wmo-team.",
    }
    page = render_card(QUESTION, answers(), None, elements, verdict)
    assert "Te beantwoorden na aanpassing van het proces</b>: Onvoldoende kwaliteit: Wmo-team." in page
    assert "<td>Datum melding</td><td>kern</td>" in page and "98,7%" in page
    assert page.index("<td>Datum melding</td>") < page.index("<td>Wmo-team</td>")  # core elements first
