"""question_answers against figures computed independently from the generator's truth: exact."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from orchestration.lib.config import REPO_ROOT
from tests.truth import flows, pgb

QUESTIONS = {
    "clients": {"wmo": "W01", "jeugd": "J01"},
    "provisions": {"wmo": "W06", "jeugd": "J06"},
    "inflow": {"wmo": "W03", "jeugd": "J02"},
    "outflow": {"wmo": "W04", "jeugd": "J03"},
    "booked": {"wmo": "W08", "jeugd": "J07"},
}
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
def support(small_feeds):
    """Months of support in kind (financing 'zin') and with a personal budget ('pgb'), with the client's
    wijk, gender and age group: the basis of every client and money question that includes pgb."""
    manifest = small_feeds / "manifest"
    in_kind = flows.care_months(manifest, FIRST, LAST).assign(financing="zin")
    m = pd.concat([in_kind, pgb.support_months(manifest, FIRST, LAST)], ignore_index=True)
    m = m.merge(flows.client_attributes(manifest), on="client_key", how="left")
    # a pgb-only client takes its attributes from the register alone: none when the register's BSN is mistyped
    register = pd.read_parquet(manifest / "clients.parquet")["register_bsn"]
    registered = {flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY) for b in register}
    unknown = ~m["client_key"].isin(registered | set(flows.trajectories(manifest)["client_key"]))
    m.loc[unknown, ["wijk_code", "birth_year_month"]] = None
    m["gender"] = m["gender"].where(~unknown, "0").fillna("0")
    m["age_group"] = [flows.age_group(b, mo) for b, mo in zip(m["birth_year_month"], m["month_start"], strict=True)]
    m["wijk"] = m["wijk_code"].fillna("onbekend")
    return m


@pytest.fixture(scope="module")
def months(support):
    """Care months in kind only: the questions about trajectories, allocations and units (W02, J09, J14, ...)."""
    return support[support["financing"] == "zin"].copy()


def compare(answers, truth: pd.DataFrame, measure: str, period: str, cross_section: str, value_col: str):
    qids = QUESTIONS[measure]
    got = answers[
        answers["question_id"].isin(qids.values())
        & (answers["period_type"] == period)
        & (answers["cross_section"] == cross_section)
    ]
    got = got.assign(law=got["question_id"].map({v: k for k, v in qids.items()}))
    got = got.set_index(["law", "period_start", "member"])["value"].sort_index()
    want = truth.set_index(["law", "period_start", "member"])[value_col].astype(float).sort_index()
    assert len(want) > 0
    pd.testing.assert_series_equal(got, want, check_names=False)


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize(
    "cross_section, column",
    [
        ("none", None),
        ("provider", "provider_agb"),
        ("product_category", "product_category"),
        ("wijk", "wijk"),
        ("gender", "gender"),
        ("age_group", "age_group"),
        ("referrer", "referrer_type"),
        ("financing", "financing"),
    ],
)
def test_clients_in_care_and_provisions(answers, support, period, cross_section, column):
    m = flows.with_period(support, period)
    m["member"] = "totaal" if column is None else m[column].astype(str)
    grouped = m.groupby(["law", "period_start", "member"])
    compare(answers, grouped["client_key"].nunique().rename("v").reset_index(), "clients", period, cross_section, "v")
    compare(
        answers, grouped["allocation_id"].nunique().rename("v").reset_index(), "provisions", period, cross_section, "v"
    )


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
def test_inflow_and_outflow(answers, support, period):
    inflow, outflow = flows.inflow_outflow(support)
    for measure, events in (("inflow", inflow), ("outflow", outflow)):
        f = flows.with_period(events, period).assign(member="totaal")
        truth = f.groupby(["law", "period_start", "member"])["client_key"].nunique().rename("v").reset_index()
        compare(answers, truth, measure, period, "none", "v")


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize(
    "cross_section, column", [("none", None), ("provider", "provider"), ("financing", "financing")]
)
def test_booked_amount_in_euros(answers, small_feeds, period, cross_section, column):
    lines = pd.read_parquet(small_feeds / "manifest" / "declaration_lines.parquet")
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].copy()
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    lines["month_start"] = lines["period_first"].map(lambda d: d.replace(day=1))
    lines["financing"] = "zin"
    paid = pgb.payments(small_feeds / "manifest").assign(provider="pgb", financing="pgb")
    lines = pd.concat([lines, paid[["law", "month_start", "cents", "provider", "financing"]]], ignore_index=True)
    lines = flows.with_period(lines, period)
    lines["member"] = "totaal" if column is None else lines[column]
    truth = (lines.groupby(["law", "period_start", "member"])["cents"].sum() / 100).rename("eur").reset_index()
    compare(answers, truth, "booked", period, cross_section, "eur")


def assert_periods_marked(answers: pd.DataFrame, feeds) -> None:
    """period_end, data_through (the last message date) and is_complete, computed again from the manifest."""
    messages = pd.read_parquet(feeds / "manifest" / "messages.parquet")
    through = max(messages.loc[~messages["malformed"], "dagtekening"])
    dated = answers[answers["period_start"].notna()]
    assert {pd.Timestamp(d).date() for d in dated["data_through"]} == {through}
    offsets = {"month": pd.offsets.MonthEnd(0), "quarter": pd.offsets.QuarterEnd(0), "year": pd.offsets.YearEnd(0)}
    want_end = [
        (pd.Timestamp(s) + offsets[t]).date() for s, t in zip(dated["period_start"], dated["period_type"], strict=True)
    ]
    assert [pd.Timestamp(d).date() for d in dated["period_end"]] == want_end
    # a figure built on invoices is complete once the invoice term (60 days) after the period has passed too
    catalogue = pd.read_csv(REPO_ROOT / "seeds" / "question_catalogue.csv", dtype=str)
    waits = set(catalogue.loc[catalogue["waits_for_invoices"] == "true", "question_id"])
    term = [dt.timedelta(days=60 if q in waits else 0) for q in dated["question_id"]]
    assert dated["is_complete"].tolist() == [e + t <= through for e, t in zip(want_end, term, strict=True)]
    assert waits and not dated.loc[dated["question_id"].isin(waits), "is_complete"].all()
    assert answers.loc[answers["period_start"].isna(), "is_complete"].isna().all()


@pytest.mark.integration
def test_every_period_says_how_far_the_data_reach_and_whether_it_is_complete(answers, small_feeds):
    assert_periods_marked(answers, small_feeds)


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
    # the begroting covers care in kind and personal budgets (pgb) alike
    paid = pgb.payments(small_feeds / "manifest").rename(columns={"main_group": "hoofdgroep"})
    paid["year"] = paid["month_start"].map(lambda d: d.year)
    lines = pd.concat([lines, paid[["year", "law", "hoofdgroep", "cents"]]], ignore_index=True)
    booked = lines.groupby(["year", "law", "hoofdgroep"])["cents"].sum()
    merged = budget.set_index(["year", "law", "hoofdgroep"])["budget_cents"].to_frame().join(booked, how="inner")
    merged["pct"] = (100 * merged["cents"] / merged["budget_cents"]).round(1)
    of_main_group = answers[answers["cross_section"] == "main_group"]
    euro = of_main_group[of_main_group["question_id"].isin(["W10", "J08"]) & (of_main_group["unit"] == "euro")]
    got = {(d.year, law, m): v for d, law, m, v in euro[["period_start", "law", "member", "value"]].values}
    got = {k: v for k, v in got.items() if v}  # a budget line without bookings reads € 0
    assert got == {k: v / 100 for k, v in booked.items()}  # J08 in € as well as in %: exact to the cent
    pct = of_main_group[of_main_group["question_id"].isin(["W09", "J08"]) & (of_main_group["unit"] == "percent")]
    got = {(d.year, law, m): v for d, law, m, v in pct[["period_start", "law", "member", "value"]].values}
    for (year, law, group), row in merged.iterrows():
        assert got[(year, law, group)] == pytest.approx(row["pct"], abs=0.05), (year, law, group)


def yearly(answers, qid, cross_section="none"):
    got = answers[
        (answers["question_id"] == qid)
        & (answers["cross_section"] == cross_section)
        & (answers["period_type"] == "year")
    ]
    return {d.year: v for d, v in zip(got["period_start"], got["value"], strict=True)}


def answered(answers, qid, period, cross_section, unit=None) -> dict:
    """{(period_start, member): value} of one question, period type, cross-section (and unit)."""
    a = answers[
        (answers["question_id"] == qid)
        & (answers["period_type"] == period)
        & (answers["cross_section"] == cross_section)
    ]
    if unit:
        a = a[a["unit"] == unit]
    return {(p, m): v for p, m, v in zip(a["period_start"], a["member"], a["value"], strict=True)}


def per_member(frame: pd.DataFrame, column: str | None, value) -> dict:
    """{(period_start, member): value(group)} with member 'totaal' when column is None."""
    frame = frame.assign(member="totaal" if column is None else frame[column].fillna("onbekend").astype(str))
    return {k: v for k, v in frame.groupby(["period_start", "member"]).apply(value, include_groups=False).items()}


def assert_equal(got: dict, want: dict, what: str, tolerance: float = 0.0) -> None:
    """Same keys; values exact (counts) or within the rounding of the answer (means, percentages)."""
    assert want, f"{what}: the truth is empty, so the test would prove nothing"
    assert got.keys() == want.keys(), f"{what}: {sorted(set(got) ^ set(want), key=str)[:5]}"
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=tolerance), (what, k)


def dated(frame: pd.DataFrame, column: str, period: str) -> pd.DataFrame:
    """The frame with period_start of the date in ``column``."""
    return flows.with_period(frame.assign(month_start=[d.replace(day=1) for d in frame[column]]), period)


def pgb_money(manifest) -> pd.DataFrame:
    """The SVB's payments shaped like booked lines: by month of care, provider 'pgb', the grant's category."""
    paid = pgb.payments(manifest)
    products = pd.read_parquet(manifest / "products.parquet")
    return pd.DataFrame(
        {
            "law": paid["law"],
            "client_key": paid["client_key"],
            "provider_agb": "pgb",
            "product_category": paid["product"].map(dict(zip(products["code"], products["category"], strict=True))),
            "period_first": paid["month_start"],
            "year": pd.Series([d.year for d in paid["month_start"]], index=paid.index, dtype="int64"),
            "eur": paid["cents"] / 100,
        }
    )


def booked_lines(manifest):
    lines = pd.read_parquet(manifest / "declaration_lines.parquet")
    lines = lines[lines["delivered"]].copy()
    lines["client_key"] = [flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY) for b in lines["bsn"]]
    lines["eur"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"]) / 100
    lines["year"] = lines["period_first"].map(lambda d: d.year)
    return lines


def clients(frame: pd.DataFrame) -> int:
    return frame["client_key"].nunique()


PERIODS = ["month", "quarter", "year"]
PERSON = [
    (None, "none"),
    ("provider_agb", "provider"),
    ("wijk", "wijk"),
    ("age_group", "age_group"),
    ("gender", "gender"),
]


@pytest.mark.integration
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("column, cross_section", PERSON)
def test_single_or_multiple_care(answers, months, period, column, cross_section):
    """A client's kind of care counts the categories over all providers; every member shows both kinds."""
    m = flows.with_period(months[months["law"] == "wmo"], period)
    kinds = m.groupby(["period_start", "client_key"])["product_category"].nunique().rename("categories")
    m = m.join(kinds, on=["period_start", "client_key"])
    for unit, chosen in (("clients_single", m["categories"] == 1), ("clients_multiple", m["categories"] > 1)):
        want = per_member(m, column, lambda g, chosen=chosen: g.loc[chosen.loc[g.index], "client_key"].nunique())
        assert_equal(answered(answers, "W02", period, cross_section, unit), want, f"W02 {unit}")


@pytest.mark.integration
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize(
    "column, cross_section",
    [(None, "none"), ("provider_agb", "provider"), ("wijk", "wijk"), ("product_category", "product_category")],
)
def test_clients_over_18(answers, months, period, column, cross_section):
    m = months[(months["law"] == "jeugd") & ~months["age_group"].isin(["0-3", "4-11", "12-17", "onbekend"])]
    want = per_member(flows.with_period(m, period), column, clients)
    assert_equal(answered(answers, "J09", period, cross_section), want, "J09")


@pytest.fixture(scope="module")
def trajectories(small_feeds):
    t = flows.trajectories(small_feeds / "manifest")
    attrs = flows.client_attributes(small_feeds / "manifest")
    t = t.merge(attrs, on="client_key", how="left")
    t["wijk"] = t["wijk_code"].fillna("onbekend")
    return t


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize("column, cross_section", [(None, "none"), ("provider", "provider"), ("wijk", "wijk")])
def test_recidivism(answers, trajectories, period, column, cross_section):
    # the generator knows who really came back (returned_after is set only on a true return, never on a
    # switch or change of level); the data show it when every earlier trajectory of the client in the
    # category is seen to end (a 307 or allocation end; one whose end fell before the feed looks open)
    # more than the gap (31 days) and at most the window (365) before the return starts
    t = trajectories
    back = t[t["returned_after"].notna()]
    earlier = back[["tid", "client_key", "law", "category", "start_date"]].merge(
        t[["client_key", "law", "category", "start_date", "end_date"]], on=["client_key", "law", "category"]
    )
    earlier = earlier[earlier["start_date_y"] < earlier["start_date_x"]]
    seen_end = earlier["end_date"].map(lambda d: dt.date.max if pd.isna(d) else d).groupby(earlier["tid"]).max()
    back = back.assign(
        days=[
            (s - seen_end[i]).days if i in seen_end else float("nan")
            for i, s in zip(back["tid"], back["start_date"], strict=True)
        ]
    )
    back = back[
        (back["days"] > 31)
        & (back["days"] <= 365)
        & (back["start_date"] >= FIRST)
        & (back["start_date"] <= dt.date(2020, 12, 31))
    ]
    back = dated(back, "start_date", period)
    for law, qid in (("wmo", "W23"), ("jeugd", "J11")):
        want = per_member(back[back["law"] == law], column, clients)
        assert_equal(answered(answers, qid, period, cross_section), want, qid)


@pytest.mark.integration
@pytest.mark.parametrize("period", ["quarter", "year"])
@pytest.mark.parametrize(
    "column, cross_section", [(None, "none"), ("provider", "provider"), ("category", "product_category")]
)
def test_care_duration_and_waiting_time(answers, trajectories, period, column, cross_section):
    # the answers are rounded to one decimal (half up); against the unrounded mean they are within 0.05
    t = trajectories
    ended = t[t["end_date"].notna() & (t["end_date"] >= FIRST) & (t["end_date"] <= dt.date(2020, 12, 31))].copy()
    ended["days"] = [(e - s).days + 1 for s, e in zip(ended["start_date"], ended["end_date"], strict=True)]
    ended = dated(ended, "end_date", period)
    for law, qid, div in (("wmo", "W26", 1), ("jeugd", "J04", 7)):
        want = per_member(ended[ended["law"] == law], column, lambda g, div=div: (g["days"] / div).mean())
        assert_equal(answered(answers, qid, period, cross_section), want, qid, 0.0501)

    w = t[
        (t["law"] == "jeugd")
        & (t["request_kind"] == "315")
        & t["start_known"].notna()
        & (t["request_date"] >= FIRST)
        & (t["request_date"] <= dt.date(2020, 12, 31))
        & (t["start_date"] >= FIRST)
    ].copy()
    w["days"] = [(s - r).days for s, r in zip(w["start_known"], w["request_date"], strict=True)]
    want = per_member(dated(w, "start_date", period), column, lambda g: g["days"].mean())
    assert_equal(answered(answers, "J16", period, cross_section), want, "J16", 0.0501)


MONEY = [(None, "none"), ("provider_agb", "provider"), ("product_category", "product_category")]


@pytest.mark.integration
@pytest.mark.parametrize("period", ["quarter", "year"])
@pytest.mark.parametrize("column, cross_section", MONEY)
def test_cost_per_client_and_intensity(answers, months, support, small_feeds, period, column, cross_section):
    """Booked euros of the member (in kind and pgb) over its clients with support (W27, J15); euros in kind
    over care months in kind (J14)."""
    lines = booked_lines(small_feeds / "manifest")
    booked = lines[lines["status"] == "accepted"].rename(columns={"provider": "provider_agb"})
    allocs = pd.read_parquet(small_feeds / "manifest" / "allocations.parquet")[["toewijzing", "category"]]
    booked = booked.merge(allocs.rename(columns={"category": "product_category"}), on="toewijzing", how="left")
    with_pgb = pd.concat([booked, pgb_money(small_feeds / "manifest")], ignore_index=True)
    booked, with_pgb = dated(booked, "period_first", period), dated(with_pgb, "period_first", period)
    s = flows.with_period(support, period)
    for law, qid in (("wmo", "W27"), ("jeugd", "J15")):
        n = per_member(s[s["law"] == law], column, clients)
        cost = per_member(with_pgb[with_pgb["law"] == law], column, lambda g: g["eur"].sum())
        want = {k: cost[k] / n[k] for k in cost.keys() & n.keys()}
        assert_equal(answered(answers, qid, period, cross_section), want, qid, 0.0051)
    m = flows.with_period(months, period)
    care_months = per_member(
        m[m["law"] == "jeugd"], column, lambda g: len(g.drop_duplicates(["client_key", "month_start"]))
    )
    cost = per_member(booked[booked["law"] == "jeugd"], column, lambda g: g["eur"].sum())
    want = {k: cost[k] / care_months[k] for k in cost.keys() & care_months.keys()}
    assert_equal(answered(answers, "J14", period, cross_section, "euro_per_care_month"), want, "J14", 0.0051)


@pytest.mark.integration
@pytest.mark.parametrize("period", ["quarter", "year"])
def test_care_intensity_in_units_per_care_month_of_a_product(answers, months, small_feeds, period):
    """J14 per product: the net units of the booked lines over the months clients were in care with it."""
    lines = booked_lines(small_feeds / "manifest")
    booked = lines[(lines["status"] == "accepted") & (lines["law"] == "jeugd")]
    booked = booked.merge(pd.read_parquet(small_feeds / "manifest" / "allocations.parquet")[["toewijzing", "product"]])
    booked = dated(
        booked.assign(units=booked["volume"].where(booked["debit_credit"] == "D", -booked["volume"])),
        "period_first",
        period,
    )
    units = per_member(booked, "product", lambda g: g["units"].sum())
    m = flows.with_period(months[months["law"] == "jeugd"], period)
    care_months = per_member(m, "product_code", lambda g: len(g.drop_duplicates(["client_key", "month_start"])))
    want = {k: units[k] / care_months[k] for k in units.keys() & care_months.keys()}
    assert_equal(answered(answers, "J14", period, "product", "units_per_care_month"), want, "J14 units", 0.0051)


@pytest.mark.integration
def test_most_expensive_clients(answers, small_feeds):
    lines = booked_lines(small_feeds / "manifest")
    booked = pd.concat([lines[lines["status"] == "accepted"], pgb_money(small_feeds / "manifest")])
    jeugd = booked[booked["law"] == "jeugd"].groupby(["year", "client_key"])["eur"].sum().reset_index()
    for year, group in jeugd.groupby("year"):
        ranked = group.sort_values(["eur", "client_key"], ascending=[False, True]).reset_index(drop=True)
        top = answers[(answers["question_id"] == "J12") & (answers["period_start"] == dt.date(year, 1, 1))]
        want = [
            (f"{i + 1:02d} {k}", round(e, 2))
            for i, (k, e) in enumerate(zip(ranked["client_key"][:20], ranked["eur"][:20], strict=True))
        ]
        got = sorted((mbr, round(v, 2)) for mbr, v in zip(top["member"], top["value"], strict=True))
        assert got == want, year
        n80 = int((ranked["eur"].cumsum() < 0.8 * ranked["eur"].sum()).sum()) + 1
        assert yearly(answers, "J13")[year] == n80


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize("column, cross_section", [(None, "none"), ("provider", "provider")])
def test_invoices_on_time(answers, small_feeds, period, column, cross_section):
    """W24 over the accepted Wmo lines for care in the reporting period, never a rejected one."""
    lines = booked_lines(small_feeds / "manifest")
    lines = lines[(lines["law"] == "wmo") & (lines["status"] == "accepted") & (lines["period_first"] >= FIRST)]
    want = per_member(dated(lines, "period_first", period), column, lambda g: 100 * g["on_time"].mean())
    assert_equal(answered(answers, "W24", period, cross_section), want, "W24", 0.0501)
    assert min(p for p, _ in want) == FIRST  # no year before the reporting period


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize("column, cross_section", MONEY)
def test_share_of_clients_with_a_payment(answers, support, small_feeds, period, column, cross_section):
    """A payment counts for the law, provider and category of the allocation it pays for; a pgb payment
    for its grant's law and category, under provider 'pgb', in its month of care."""
    manifest = small_feeds / "manifest"
    pay = pd.read_parquet(manifest / "payments.parquet")
    allocs = pd.read_parquet(manifest / "allocations.parquet")[["toewijzing", "law", "category"]]
    pay = pay.merge(allocs, on="toewijzing").rename(
        columns={"provider": "provider_agb", "category": "product_category"}
    )
    pay["client_key"] = [flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY) for b in pay["bsn"]]
    pay = pd.concat([pay, pgb_money(manifest)], ignore_index=True)
    pay = dated(pay, "period_first", period)
    m = flows.with_period(support, period)
    pay["member"] = "totaal" if column is None else pay[column].astype(str)
    paid = set(zip(pay["law"], pay["period_start"], pay["member"], pay["client_key"], strict=True))
    m["member"] = "totaal" if column is None else m[column].astype(str)
    m = m.drop_duplicates(["law", "period_start", "member", "client_key"])
    m["paid"] = [k in paid for k in zip(m["law"], m["period_start"], m["member"], m["client_key"], strict=True)]
    for law, qid in (("wmo", "W05"), ("jeugd", "J05")):
        want = (100 * m[m["law"] == law].groupby(["period_start", "member"])["paid"].mean()).to_dict()
        assert_equal(answered(answers, qid, period, cross_section), want, qid, 0.0501)


@pytest.mark.integration
@pytest.mark.parametrize("column, cross_section", [(None, "none"), ("provider", "provider"), ("wijk", "wijk")])
def test_waiting_list(answers, small_feeds, column, cross_section):
    manifest = small_feeds / "manifest"
    wl = pd.read_parquet(manifest / "waiting_list.parquet")
    wl = wl[wl["law"] == "wmo"].merge(pd.read_parquet(manifest / "allocations.parquet")[["tid", "provider"]], on="tid")
    wl["client_key"] = [flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY) for b in wl["bsn"]]
    wl = wl.merge(flows.client_attributes(manifest), on="client_key", how="left").assign(wijk=lambda f: f["wijk_code"])
    want = per_member(dated(wl, "peildatum", "month"), column, clients)
    assert len(want) > 12
    assert_equal(answered(answers, "W07", "month", cross_section), want, "W07")


@pytest.mark.integration
@pytest.mark.parametrize("column, cross_section", [(None, "none"), ("provider_agb", "provider"), ("wijk", "wijk")])
def test_youths_turning_17_5_without_a_request(answers, months, small_feeds, column, cross_section):
    manifest = small_feeds / "manifest"
    allocs = pd.read_parquet(manifest / "allocations.parquet")
    rejected = pd.read_parquet(manifest / "rejected_requests.parquet")
    sent = pd.concat(
        [allocs.loc[allocs["request_kind"] == "315", ["bsn", "request_date"]], rejected[["bsn", "request_date"]]]
    )
    sent = sent[(sent["request_date"] >= FIRST) & (sent["request_date"] <= dt.date(2020, 12, 31))]
    sent["client_key"] = [flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY) for b in sent["bsn"]]
    asked = sent.groupby("client_key")["request_date"].apply(list).to_dict()

    def months_old(row):
        b = row.birth_year_month
        return row.month_start.year * 12 + row.month_start.month - int(b[:4]) * 12 - int(b[5:7])

    j = months[(months["law"] == "jeugd") & months["birth_year_month"].notna()]
    j = j[[months_old(r) == 210 for r in j.itertuples()]]
    window_end = lambda m: (pd.Timestamp(m) + pd.DateOffset(months=6) + pd.offsets.MonthEnd(0)).date()  # noqa: E731
    without = j[
        [
            not any(m <= d <= window_end(m) for d in asked.get(k, []))
            for k, m in zip(j["client_key"], j["month_start"], strict=True)
        ]
    ]
    want = per_member(flows.with_period(without, "year"), column, clients)
    assert_equal(answered(answers, "J10", "year", cross_section), want, "J10")
    assert j["client_key"].nunique() > without["client_key"].nunique()  # the test tells the two apart


@pytest.mark.integration
def test_payments_equal_what_suite4_paid(built, small_feeds):
    data_dir, _ = built
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    got = con.execute(
        "select count(*), sum(amount_cents), count(distinct client_key) from marts.fct_payments"
    ).fetchone()
    con.close()
    pay = pd.read_parquet(small_feeds / "manifest" / "payments.parquet")
    assert got == (len(pay), pay["cents"].sum(), pay["bsn"].nunique())


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "year"])
@pytest.mark.parametrize("column, cross_section", [(None, "none"), ("provider", "provider"), ("product", "product")])
def test_use_of_allocated_volume(answers, small_feeds, period, column, cross_section):
    manifest = small_feeds / "manifest"
    t = flows.trajectories(manifest)
    t = t[t["law"] == "wmo"]
    last = dt.date(2020, 12, 31)
    start_of = {"month": lambda m: m, "year": lambda m: m.replace(month=1)}[period]
    allocated: dict[tuple, float] = {}
    for r in t.itertuples():
        until = r.allocation_end_known if pd.notna(r.allocation_end_known) else last
        for m in pd.date_range(max(r.decision_date.replace(day=1), FIRST), min(until, last), freq="MS").date:
            days_in_month = (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).day
            covered = (min(until, m.replace(day=days_in_month)) - max(r.decision_date, m)).days + 1
            vol = {
                "1": r.volume * covered,
                "2": r.volume * covered / 7,
                "4": r.volume * covered / days_in_month,
                "6": r.volume if r.decision_date >= m else 0,
            }[r.frequency]
            key = (r.toewijzing, start_of(m))
            allocated[key] = allocated.get(key, 0) + vol
    member = {r.toewijzing: "totaal" if column is None else str(getattr(r, column)) for r in t.itertuples()}
    lines = booked_lines(manifest)
    lines = lines[lines["status"] == "accepted"]
    signed = lines["volume"].where(lines["debit_credit"] == "D", -lines["volume"])
    delivered = signed.groupby([lines["toewijzing"], lines["period_first"].map(lambda d: start_of(d.replace(day=1)))])
    delivered = delivered.sum().to_dict()
    ratios: dict[tuple, list] = {}
    for (alloc, start), vol in allocated.items():
        if vol > 0:
            ratios.setdefault((start, member[alloc]), []).append(delivered.get((alloc, start), 0) / vol)
    want = {k: 100 * sum(v) / len(v) for k, v in ratios.items()}
    assert_equal(answered(answers, "W25", period, cross_section), want, "W25", 0.0501)


@pytest.mark.integration
def test_every_column_of_every_model_and_seed_is_documented(built):
    """The YAML beside the models lists every column the build produces, each with a description:
    a new column without one fails here (the manifest alone cannot know which columns a model has)."""
    import json

    from orchestration.dbt.project import manifest_path

    manifest = json.loads(manifest_path().read_text(encoding="utf-8"))
    documented = {
        (n["schema"], n["name"]): {c for c, v in n["columns"].items() if v.get("description", "").strip()}
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed")
    }
    data_dir, _ = built
    with duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True) as con:
        built_columns = con.execute(
            "select table_schema, table_name, list(column_name) from information_schema.columns "
            "where table_schema in ('staging', 'intermediate', 'marts', 'ref') group by all"
        ).fetchall()
    missing = [
        f"{schema}.{table}.{column}"
        for schema, table, columns in built_columns
        if (schema, table) in documented
        for column in columns
        if column not in documented[(schema, table)]
    ]
    assert len(documented) > 50 and not missing, missing


@pytest.mark.integration
def test_no_answer_claims_beantwoord_while_a_wanted_cross_section_is_missing(answers):
    """The catalogue's wanted cross-sections against what the answers give: every one of them with at
    least one known member, or the question's rows say `beperkt` and name the cross-section in Dutch."""
    import csv

    with open(REPO_ROOT / "seeds" / "ref_doorsneden.csv", encoding="utf-8") as fh:
        names = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    with open(REPO_ROOT / "seeds" / "question_catalogue.csv", encoding="utf-8") as fh:
        catalogue = list(csv.DictReader(fh))
    known = answers[(answers["member"] != "onbekend") & answers["period_start"].notna()]
    given = known.groupby("question_id")["cross_section"].agg(set).to_dict()
    lacking = {}
    for q in catalogue:
        qid = q["question_id"]
        wanted = {c for c in q["cross_sections"].split("|") if c not in ("", "none")}
        if qid not in given:
            continue  # unanswered: its own status (bron_niet_geleverd, niet_geregistreerd, ...)
        missing = wanted - given[qid]
        rows = answers[answers["question_id"] == qid]
        if missing:
            lacking[qid] = missing
            assert set(rows["status"]) <= {"beperkt", "benadering", "onbetrouwbaar"}, qid
            assert all(names[c] in r for c in missing for r in rows["status_reason"]), qid
        else:
            assert not rows["status_reason"].fillna("").str.contains("Gewenste doorsnede").any(), qid
    assert lacking == {}, f"the data hold these wanted cross-sections, but the answers lack them: {lacking}"
