"""question_answers against figures computed independently from the generator's truth: exact."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from tests.truth import flows

QUESTIONS = {"clients": {"wmo": "W01", "jeugd": "J01"}, "provisions": {"wmo": "W06", "jeugd": "J06"},
             "inflow": {"wmo": "W03", "jeugd": "J02"}, "outflow": {"wmo": "W04", "jeugd": "J03"},
             "booked": {"wmo": "W08", "jeugd": "J07"}}
FIRST, LAST = dt.date(2018, 1, 1), dt.date(2020, 12, 1)  # the small feeds' reporting months


@pytest.fixture(scope="module")
def answers(built):
    data_dir, _ = built
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    frame = con.execute("select * from marts.question_answers").df()
    con.close()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


@pytest.fixture(scope="module")
def months(small_feeds):
    m = flows.care_months(small_feeds / "manifest", FIRST, LAST)
    attrs = flows.client_attributes(small_feeds / "manifest")
    m = m.merge(attrs, on="client_key", how="left")
    m["age_group"] = [flows.age_group(b, mo) for b, mo in zip(m["birth_year_month"], m["month_start"])]
    m["wijk"] = m["wijk_code"].fillna("onbekend")
    return m


def compare(answers, truth: pd.DataFrame, measure: str, period: str, cross_section: str, value_col: str):
    qids = QUESTIONS[measure]
    got = answers[answers["question_id"].isin(qids.values()) & (answers["period_type"] == period)
                  & (answers["cross_section"] == cross_section)]
    got = got.assign(law=got["question_id"].map({v: k for k, v in qids.items()}))
    got = got.set_index(["law", "period_start", "member"])["value"].sort_index()
    want = truth.set_index(["law", "period_start", "member"])[value_col].astype(float).sort_index()
    assert len(want) > 0
    pd.testing.assert_series_equal(got, want, check_names=False)


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize("cross_section, column", [
    ("none", None), ("provider", "provider_agb"), ("product_category", "product_category"), ("wijk", "wijk"),
    ("gender", "gender"), ("age_group", "age_group")])
def test_clients_in_care_and_provisions(answers, months, period, cross_section, column):
    m = flows.with_period(months, period)
    m["member"] = "totaal" if column is None else m[column].astype(str)
    grouped = m.groupby(["law", "period_start", "member"])
    compare(answers, grouped["client_key"].nunique().rename("v").reset_index(), "clients", period, cross_section, "v")
    compare(answers, grouped["allocation_id"].nunique().rename("v").reset_index(), "provisions", period,
            cross_section, "v")


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
def test_inflow_and_outflow(answers, months, period):
    inflow, outflow = flows.inflow_outflow(months)
    for measure, events in (("inflow", inflow), ("outflow", outflow)):
        f = flows.with_period(events, period).assign(member="totaal")
        truth = f.groupby(["law", "period_start", "member"])["client_key"].nunique().rename("v").reset_index()
        compare(answers, truth, measure, period, "none", "v")


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize("cross_section, column", [("none", None), ("provider", "provider")])
def test_booked_amount_in_euros(answers, small_feeds, period, cross_section, column):
    lines = pd.read_parquet(small_feeds / "manifest" / "declaration_lines.parquet")
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].copy()
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    lines["month_start"] = lines["period_first"].map(lambda d: d.replace(day=1))
    lines = flows.with_period(lines, period)
    lines["member"] = "totaal" if column is None else lines[column]
    truth = (lines.groupby(["law", "period_start", "member"])["cents"].sum() / 100).rename("eur").reset_index()
    compare(answers, truth, "booked", period, cross_section, "eur")


@pytest.mark.integration
def test_budget_and_utilisation(answers, small_feeds):
    budget = pd.read_parquet(small_feeds / "manifest" / "budget.parquet")
    w11 = answers[(answers["question_id"] == "W11") & (answers["cross_section"] == "main_group")]
    want = budget[budget["law"] == "wmo"].set_index(["year", "hoofdgroep"])["budget_cents"] / 100
    got = w11.assign(year=[d.year for d in w11["period_start"]]).set_index(["year", "member"])["value"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index().astype(float), check_names=False)

    lines = pd.read_parquet(small_feeds / "manifest" / "declaration_lines.parquet")
    allocs = pd.read_parquet(small_feeds / "manifest" / "allocations.parquet")[["tid", "hoofdgroep"]]
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].merge(allocs, on="tid")
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    lines["year"] = lines["period_first"].map(lambda d: d.year)
    booked = lines.groupby(["year", "law", "hoofdgroep"])["cents"].sum()
    merged = budget.set_index(["year", "law", "hoofdgroep"])["budget_cents"].to_frame().join(booked, how="inner")
    merged["pct"] = (100 * merged["cents"] / merged["budget_cents"]).round(1)
    pct = answers[answers["question_id"].isin(["W09", "J08"]) & (answers["cross_section"] == "main_group")]
    got = {(d.year, law, m): v for d, law, m, v in pct[["period_start", "law", "member", "value"]].values}
    for (year, law, group), row in merged.iterrows():
        assert got[(year, law, group)] == pytest.approx(row["pct"], abs=0.05), (year, law, group)
