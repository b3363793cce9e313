"""Work process, first line, linkage and quality answers against independent calculations: exact."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from orchestration.lib.linkage import precision_recall
from tests.integration.test_marts import answered
from tests.truth import first_line, flows, linkage, process

FIRST, LAST = dt.date(2018, 1, 1), dt.date(2020, 12, 1)  # the small feeds' reporting months
CJG_LAST = dt.date(2020, 9, 1)  # the CJG delivers two months after the quarter: Q3 2020 is its last


@pytest.fixture(scope="module")
def warehouse(built):
    data_dir, _ = built
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def answers(warehouse):
    frame = warehouse.execute("select * from marts.question_answers").df()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def assert_same(actual: dict, expected: dict, what: str):
    assert expected, f"{what}: the truth is empty, so the test would prove nothing"
    assert actual.keys() == expected.keys(), f"{what}: {sorted(set(actual) ^ set(expected))[:5]}"
    for k, v in expected.items():
        assert actual[k] == pytest.approx(v, abs=0.051), (what, k)


@pytest.fixture(scope="module")
def procs(small_feeds):
    return process.processes(small_feeds / "landing")


def test_delivered_processes_carry_the_true_dates(procs, small_feeds):
    """The truth used below is the generator's, but for the defects it injected."""
    truth = pd.read_parquet(small_feeds / "manifest" / "processes.parquet").set_index("procesnummer")
    p = procs.set_index("procesnummer")
    end = dt.date(2020, 12, 31)
    same = [
        (r == (t if t is not None and not pd.isna(t) and t <= end else None))
        for r, t in zip(p["report"], truth.loc[p.index, "datum_melding"], strict=True)
    ]
    assert sum(same) / len(same) > 0.98


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize(
    "cross_section, column", [("none", None), ("team", "team"), ("product_category", "product_category")]
)
def test_work_process(answers, procs, period, cross_section, column):
    p = procs.assign(member="totaal" if column is None else procs[column])
    exp: dict[str, dict] = {
        k: {}
        for k in (
            "W12",
            "W13",
            "W14",
            "W15",
            "W16c",
            "W16w",
            "W17",
            "W18c",
            "W18w",
            "W19",
            "W20",
            "W21in",
            "W21out",
            "W21open",
            "W22in",
            "W22out",
        )
    }

    def add(key, start, frame, value):
        for member, v in value(frame).items():
            exp[key][(start, member)] = v

    count = lambda f: f.groupby("member").size()  # noqa: E731
    for kind, start, end in process.periods(FIRST, dt.date(2020, 12, 31)):
        if kind != period:
            continue
        within = lambda col, start=start, end=end: p[[d is not None and start <= d <= end for d in p[col]]]  # noqa: E731
        add("W13", start, within("report"), count)
        add("W14", start, within("ended_on"), count)
        produced = within("inv_end")
        add("W15", start, produced, count)
        # W16 over the processes that ended, whose duration is known (a defect can remove the melding date)
        ended = within("ended_on")
        add("W16c", start, ended, lambda f: f.dropna(subset=["cal_days"]).groupby("member")["cal_days"].mean())
        add("W16w", start, ended, lambda f: f.dropna(subset=["work_days"]).groupby("member")["work_days"].mean())
        reported = p[[r is not None and r <= end for r in p["report"]]]
        add("W12", start, reported[[e is None or e > end for e in reported["ended_on"]]], count)
        stock = reported[[e is None or e > end for e in reported["inv_end"]]].copy()
        add("W17", start, stock, count)
        stock["age_c"] = [(end - r).days for r in stock["report"]]
        stock["age_w"] = [process.working_days_between(r, end) for r in stock["report"]]
        add("W18c", start, stock, lambda f: f.groupby("member")["age_c"].mean())
        add("W18w", start, stock, lambda f: f.groupby("member")["age_w"].mean())
        started = within("report")
        add("W19", start, started[started["soort"] == "Hercontrole"], count)
        add("W20", start, started[started["spoed"] == "J"], count)
        reports = produced[(produced["soort"] == "Melding") & produced["report_ok"].notna()]
        add("W21in", start, reports[reports["report_ok"] == True], count)  # noqa: E712
        add("W21out", start, reports[reports["report_ok"] == False], count)  # noqa: E712
        open_reports = stock[stock["soort"] == "Melding"]
        add("W21open", start, open_reports[[t is not None and t < end for t in open_reports["report_term_end"]]], count)
        decided = within("decision")
        decided = decided[decided["application_ok"].notna()]
        add("W22in", start, decided[decided["application_ok"] == True], count)  # noqa: E712
        add("W22out", start, decided[decided["application_ok"] == False], count)  # noqa: E712

    for key, (qid, unit) in {
        "W12": ("W12", None),
        "W13": ("W13", None),
        "W14": ("W14", None),
        "W15": ("W15", None),
        "W16c": ("W16", "calendar_days"),
        "W16w": ("W16", "working_days"),
        "W17": ("W17", None),
        "W18c": ("W18", "calendar_days"),
        "W18w": ("W18", "working_days"),
        "W19": ("W19", None),
        "W20": ("W20", None),
        "W21in": ("W21", "within_term"),
        "W21out": ("W21", "outside_term"),
        "W21open": ("W21", "open_outside_term"),
        "W22in": ("W22", "within_term"),
        "W22out": ("W22", "outside_term"),
    }.items():
        assert_same(answered(answers, qid, period, cross_section, unit), exp[key], f"{key} {period} {cross_section}")


@pytest.mark.integration
def test_processes_ended_per_outcome(answers, procs):
    ended = procs[[d is not None and FIRST <= d for d in procs["ended_on"]]]
    ended = ended.assign(year=[dt.date(d.year, 1, 1) for d in ended["ended_on"]])
    want = ended.groupby(["year", "outcome"]).size().to_dict()
    assert_same(answered(answers, "W14", "year", "outcome"), want, "W14 per outcome")


@pytest.fixture(scope="module")
def swt(small_feeds):
    t = first_line.swt_trajectories(small_feeds / "manifest")
    return t, first_line.active_months(t, FIRST, LAST)


@pytest.fixture(scope="module")
def cjg(small_feeds):
    manifest = small_feeds / "manifest"
    t = first_line.cjg_trajectories(manifest)
    active = first_line.active_months(t, FIRST, CJG_LAST)
    contacts = pd.read_parquet(manifest / "cjg_contacts.parquet").drop_duplicates("contact_id")
    contacts = contacts[[FIRST <= d <= dt.date(2020, 9, 30) for d in contacts["date"]]]
    contact_months = pd.DataFrame(
        {
            "person": contacts["cjg_id"],
            "trajectory_id": None,
            "product": "contactmoment",
            "wijk_code": None,
            "month_start": [d.replace(day=1) for d in contacts["date"]],
        }
    )
    return t, pd.concat([active, contact_months], ignore_index=True), contacts


def per_period(frame: pd.DataFrame, period: str, date_col: str = "month_start") -> pd.Series:
    m = pd.to_datetime(frame[date_col])
    return {"month": m, "quarter": m.dt.to_period("Q").dt.start_time, "year": m.dt.to_period("Y").dt.start_time}[
        period
    ].dt.date


@pytest.mark.integration
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
@pytest.mark.parametrize("source", ["swt", "cjg"])
def test_first_line_clients_flows_and_products(answers, swt, cjg, period, source):
    t, active = swt if source == "swt" else cjg[:2]
    q = {"swt": ("W28", "W29", "W30", "W31"), "cjg": ("J17", "J19", "J20", "J21")}[source]
    a = active.assign(period_start=per_period(active, period))
    inflow, outflow = first_line.flows(a)
    sections = [("none", None), ("product", "product")] + ([("wijk", "wijk_code")] if source == "swt" else [])
    for cs, col in sections:
        a["member"] = "totaal" if col is None else a[col]
        traj = a[a["trajectory_id"].notna()]
        assert_same(
            answered(answers, q[0], period, cs),
            a.groupby(["period_start", "member"])["person"].nunique().to_dict(),
            f"{q[0]} {cs}",
        )
        assert_same(
            answered(answers, q[3], period, cs),
            traj.groupby(["period_start", "member"])["trajectory_id"].nunique().to_dict(),
            f"{q[3]} {cs}",
        )
        for qid, events in ((q[1], inflow), (q[2], outflow)):
            e = a[[(p, m) in events for p, m in zip(a["person"], a["month_start"], strict=True)]]
            assert_same(
                answered(answers, qid, period, cs),
                e.groupby(["period_start", "member"])["person"].nunique().to_dict(),
                f"{qid} {cs}",
            )


@pytest.mark.integration
def test_referrals_contacts_and_guidance_duration(answers, swt, cjg):
    t, _ = swt
    r = t[t["referral_date"].notna()]
    r = r[
        [
            s <= d and (e is None or pd.isna(e) or d <= e)
            for s, d, e in zip(r["start"], r["referral_date"], r["end"], strict=True)
        ]
    ]
    want = r.groupby(per_period(r, "year", "referral_date")).size().to_dict()
    assert_same(answered(answers, "W32", "year", "none"), {(k, "totaal"): v for k, v in want.items()}, "W32")

    ct, _, contacts = cjg
    ia = contacts[contacts["kind"] == "Informatie en advies"]
    want = ia.groupby(per_period(ia, "quarter", "date")).size().to_dict()
    assert_same(answered(answers, "J18", "quarter", "none"), {(k, "totaal"): v for k, v in want.items()}, "J18")

    ended = ct[ct["end"].notna()].copy()
    ended["days"] = [(e - s).days + 1 for s, e in zip(ended["start"], ended["end"], strict=True)]
    ended = ended[[FIRST <= e <= dt.date(2020, 12, 31) for e in ended["end"]]]
    want = ended.groupby(per_period(ended, "year", "end"))["days"].mean().to_dict()
    assert_same(answered(answers, "J22", "year", "none"), {(k, "totaal"): v for k, v in want.items()}, "J22")


@pytest.mark.integration
def test_swt_before_june_2018_is_flagged_unreliable(answers):
    swt = answers[answers["question_id"].isin(["W28", "W29", "W30", "W31", "W32"]) & answers["period_start"].notna()]
    early = swt["period_start"] < dt.date(2018, 6, 1)
    assert early.any() and (swt.loc[early, "status"] == "onbetrouwbaar").all()
    assert (swt.loc[~early, "status"] == "beantwoord").all()


@pytest.mark.integration
def test_linkage_precision_and_recall(warehouse, small_feeds):
    links = warehouse.execute("select source, source_key, suite4_key from linkage.client_links").df()
    truths = linkage.true_links(small_feeds / "manifest")
    for source, truth in truths.items():
        predicted = links[links["source"] == source]
        truth = truth[truth["source_key"].isin(predicted["source_key"])]  # persons the delivered feed holds
        assert len(truth) == len(predicted) > 0
        score = precision_recall(predicted, truth)
        assert score["links_true"] > 0
        assert score["precision"] >= 0.98 and score["recall"] >= 0.95, (source, score)


@pytest.mark.integration
def test_scaling_and_satisfaction(answers, small_feeds):
    manifest = small_feeds / "manifest"
    t = flows.trajectories(manifest).set_index("tid")
    levels = {"wmo_amb_licht": 1, "wmo_amb_middel": 2, "wmo_amb_zwaar": 3}
    follow = t[t["predecessor"].notna() & t["product_group"].isin(levels)]
    rows = []
    for _, r in follow.iterrows():
        prev = t.loc[int(r["predecessor"])] if int(r["predecessor"]) in t.index else None
        if prev is None or prev["stop_reason_known"] != "37" or prev["product_group"] not in levels:
            continue
        if levels[prev["product_group"]] != levels[r["product_group"]] and FIRST <= r["start_date"] <= dt.date(
            2020, 12, 31
        ):
            rows.append((dt.date(r["start_date"].year, 1, 1), r["client_key"]))
    want = pd.DataFrame(rows, columns=["year", "client"]).groupby("year")["client"].nunique().to_dict()
    assert_same(answered(answers, "W33", "year", "none"), {(y, "totaal"): v for y, v in want.items()}, "W33")

    cev = pd.read_parquet(manifest / "cev.parquet")
    long = cev.melt(id_vars="year", var_name="statement", value_name="answer").dropna()
    want = 100 * (long["answer"] >= 4).groupby(long["year"]).mean()
    assert_same(
        answered(answers, "W34", "year", "none"), {(dt.date(y, 1, 1), "totaal"): v for y, v in want.items()}, "W34"
    )
    w34 = answers[answers["question_id"] == "W34"]
    assert (w34["status"] == "beperkt").all() and w34["status_reason"].str.contains("ZorgfocuZ").all()


@pytest.mark.integration
def test_all_59_questions_are_answered_or_say_why_not(answers, warehouse):
    catalogue = warehouse.execute("select question_id, law from ref.question_catalogue").df()
    assert len(catalogue) == 59 and (catalogue["law"] == "wmo").sum() == 36
    assert set(answers["question_id"]) == set(catalogue["question_id"])
    empty = answers[answers["period_start"].isna()]
    assert set(empty["question_id"]) == {"W35", "W36", "J23"}
    assert (empty["status"] == "niet_geregistreerd").all() and empty["status_reason"].str.contains("003").all()
    answered = answers[answers["period_start"].notna()]
    assert answered["value"].notna().all()


@pytest.mark.integration
def test_stop_reasons_per_provider(warehouse, small_feeds):
    t = flows.trajectories(small_feeds / "manifest")
    t = t[t["stop_known"].notna()]
    t = t.assign(
        quarter=[dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1) for d in t["stop_known"]],
        reason=t["stop_reason_known"].fillna("onbekend"),
    )
    want = t.groupby(["law", "provider", "quarter", "reason"]).size().to_dict()
    mart = warehouse.execute(
        "select law, provider_agb, quarter_start, stop_reason, trajectories_ended, "
        "share_of_provider_pct from marts.fct_stop_reasons"
    ).df()
    got_ = {
        (
            r.law,
            r.provider_agb,
            r.quarter_start.date() if hasattr(r.quarter_start, "date") else r.quarter_start,
            r.stop_reason,
        ): r.trajectories_ended
        for r in mart.itertuples()
    }
    assert_same(got_, want, "stop reasons")
    shares = mart.groupby(["law", "provider_agb", "quarter_start"])["share_of_provider_pct"].sum()
    assert ((shares - 100).abs() < 0.5).all()


@pytest.mark.integration
def test_support_mix_counts_each_person_once(warehouse, small_feeds):
    """Totals per law and year: first line only, specialist only, both, through the true links."""
    manifest = small_feeds / "manifest"
    register = pd.read_parquet(manifest / "clients.parquet").set_index("clientnummer")["register_bsn"]
    key = lambda b: flows.pseudonymise(b, flows.DEMO_PSEUDONYM_KEY)  # noqa: E731
    links = pd.read_parquet(manifest / "links_stapp.parquet").set_index("klantnummer")["clientnummer"]
    t = first_line.swt_trajectories(manifest)
    active = first_line.active_months(t, FIRST, LAST)
    active["person"] = [
        key(register[links[p]]) if isinstance(links.get(p), str) else "swt:" + p for p in active["person"]
    ]
    months = flows.care_months(manifest, FIRST, LAST)
    spec = months[(months["law"] == "wmo") & (months["product_category"] == "02")]
    for year in (2018, 2019, 2020):
        fl = {p for p, m in zip(active["person"], active["month_start"], strict=True) if m.year == year}
        sp = {c for c, m in zip(spec["client_key"], spec["month_start"], strict=True) if m.year == year}
        row = warehouse.execute(
            """
            select sum(clients_first_line_only), sum(clients_specialist_only), sum(clients_both)
            from marts.fct_wijk_support_mix where law = 'wmo' and period_type = 'year' and year(period_start) = ?""",
            [year],
        ).fetchone()
        assert row == (len(fl - sp), len(sp - fl), len(fl & sp)), year
