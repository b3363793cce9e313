"""Personal budgets (pgb) from the SVB feed against the generator's truth: exact to the cent and the client."""

import datetime as dt

import duckdb
import pandas as pd
import pytest

from orchestration.lib.config import DEMO_PSEUDONYM_KEY
from orchestration.lib.pseudonym import pseudonymise
from tests.truth import flows, pgb

FIRST, LAST = dt.date(2018, 1, 1), dt.date(2020, 12, 1)  # the small feeds' reporting months


@pytest.fixture(scope="module")
def warehouse(built):
    data_dir, _ = built
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    yield con
    con.close()


def frame(con, sql: str, params=None) -> pd.DataFrame:
    out = con.execute(sql, params or []).df()
    if "month_start" in out:
        out["month_start"] = pd.to_datetime(out["month_start"]).dt.date
    return out


@pytest.mark.integration
def test_granted_paid_and_unspent_per_law_main_group_and_month_equal_the_truth(warehouse, small_feeds):
    manifest = small_feeds / "manifest"
    granted = pgb.granted_months(manifest, FIRST, LAST)
    paid = pgb.payments(manifest)
    paid = paid[(paid["month_start"] >= FIRST) & (paid["month_start"] <= LAST)]
    keys = ["law", "main_group", "month_start"]
    want = (
        granted.groupby(keys)["granted_cents"].sum().to_frame().join(paid.groupby(keys)["cents"].sum(), how="outer")
    ).fillna(0)
    want["unspent"] = want["granted_cents"] - want["cents"]
    got = frame(
        warehouse,
        """select law, main_group, month_start, sum(granted_cents) as granted, sum(paid_cents) as paid,
                  sum(unspent_cents) as unspent
           from marts.fct_pgb_months group by all""",
    ).set_index(keys)
    assert len(want) > 50 and set(want.index.get_level_values("law")) == {"wmo", "jeugd"}
    assert got.index.sort_values().tolist() == want.index.sort_values().tolist()
    for column, truth in (("granted", "granted_cents"), ("paid", "cents"), ("unspent", "unspent")):
        assert got[column].astype(int).to_dict() == want[truth].astype(int).to_dict(), column
    assert (want["unspent"] > 0).sum() > len(want) / 2  # budget holders leave part of their budget unspent


@pytest.mark.integration
def test_per_grant_the_paid_and_unspent_amounts_reconcile_with_the_svb_register(warehouse, small_feeds):
    truth = pgb.grants(small_feeds / "manifest").set_index("toekenningsnummer")
    got = frame(warehouse, "select * from marts.fct_pgb_grants").set_index("grant_id")
    assert sorted(got.index) == sorted(truth.index)
    assert got["granted_cents"].to_dict() == truth["amount_cents"].to_dict()
    assert got["paid_cents"].astype(int).to_dict() == truth["spent_cents"].to_dict()
    assert (got["unspent_cents"] == got["granted_cents"] - got["paid_cents"]).all() and got["is_reconciled"].all()
    parents = truth[truth["holder_is_parent"]]
    assert len(parents) and not got.loc[parents.index, "holder_is_client"].any()  # a parent holds a youth's budget


@pytest.mark.integration
def test_pgb_money_per_month_in_the_booked_amount_equals_the_payments(warehouse, small_feeds):
    paid = pgb.payments(small_feeds / "manifest")
    want = (paid.groupby(["law", "month_start"])["cents"].sum() / 100).to_dict()
    got = frame(
        warehouse,
        """select law, period_start as month_start, value from marts.question_answers
           where question_id in ('W08', 'J07') and period_type = 'month' and cross_section = 'financing'
             and member = 'pgb'""",
    )
    assert {(r.law, r.month_start): r.value for r in got.itertuples()} == pytest.approx(want, abs=0.005)
    by_group = (paid.groupby(["law", "main_group", "month_start"])["cents"].sum()).to_dict()
    booked = frame(
        warehouse,
        """select law, main_group, care_month as month_start, sum(amount_cents) as cents
           from marts.fct_pgb_payments where is_booked group by all""",
    )
    assert {(r.law, r.main_group, r.month_start): r.cents for r in booked.itertuples()} == by_group


@pytest.mark.integration
def test_a_pgb_client_who_also_has_care_in_kind_is_counted_once(warehouse, small_feeds):
    manifest = small_feeds / "manifest"
    in_kind = flows.care_months(manifest, FIRST, LAST)[["law", "month_start", "client_key"]].drop_duplicates()
    with_pgb = pgb.support_months(manifest, FIRST, LAST)[["law", "month_start", "client_key"]].drop_duplicates()
    both = in_kind.merge(with_pgb)
    assert len(both) > 0, "the generator must give some pgb clients care in kind too"
    law, month = both.iloc[0]["law"], both.iloc[0]["month_start"]
    union = pd.concat([in_kind, with_pgb])
    want = union[(union["law"] == law) & (union["month_start"] == month)]["client_key"].nunique()
    rows = dict(
        warehouse.execute(
            """select member, value from marts.question_answers
               where question_id = ? and period_type = 'month' and period_start = ?
                 and cross_section in ('none', 'financing')""",
            ["W01" if law == "wmo" else "J01", month],
        ).fetchall()
    )
    assert rows["totaal"] == want < rows["zin"] + rows["pgb"]
    key = both.iloc[0]["client_key"]
    assert warehouse.execute("select financing from marts.dim_client where client_key = ?", [key]).fetchone() == (
        "beide",
    )


@pytest.mark.integration
def test_budget_holder_and_client_are_keys_at_the_door_and_names_go_nowhere(warehouse, small_feeds):
    columns = {r[0] for r in warehouse.execute("describe raw.svb_toekenningen").fetchall()}
    assert {"client_key", "budgethouder_key", "bsn_valid", "budgethouder_bsn_valid"} <= columns
    assert not columns & {"bsn_client", "bsn_budgethouder", "naam_budgethouder"}
    truth = pgb.grants(small_feeds / "manifest").set_index("toekenningsnummer")
    got = dict(warehouse.execute("select toekenningsnummer, budgethouder_key from raw.svb_toekenningen").fetchall())
    assert got == {g: pseudonymise(b, DEMO_PSEUDONYM_KEY) for g, b in truth["holder_bsn"].items()}


@pytest.mark.integration
def test_the_budget_holder_sees_care_in_kind_pgb_and_both_against_the_begroting(warehouse, small_feeds):
    from orchestration.reports import budgethouder

    manifest = small_feeds / "manifest"
    paid = pgb.payments(manifest)
    lines = pd.read_parquet(manifest / "declaration_lines.parquet")
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].merge(
        pd.read_parquet(manifest / "allocations.parquet")[["tid", "hoofdgroep"]], on="tid"
    )
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    budget = pd.read_parquet(manifest / "budget.parquet")
    for law in ("wmo", "jeugd"):
        got = budgethouder.financing(warehouse, law, 2020, 10).set_index("main_group")
        ytd = pd.Series([d.year == 2020 and d.month <= 10 for d in paid["month_start"]], index=paid.index)
        mine = paid[(paid["law"] == law) & ytd]
        assert (
            got["pgb_cents"][got["pgb_cents"] != 0].astype(int).to_dict()
            == mine.groupby("main_group")["cents"].sum().to_dict()
        )
        lines_ytd = pd.Series([d.year == 2020 and d.month <= 10 for d in lines["period_first"]], index=lines.index)
        in_kind = lines[(lines["law"] == law) & lines_ytd]
        assert (
            got["in_kind_cents"][got["in_kind_cents"] != 0].astype(int).to_dict()
            == in_kind.groupby("hoofdgroep")["cents"].sum().to_dict()
        )
        assert (got["total_cents"] == got["in_kind_cents"] + got["pgb_cents"]).all()
        b = budget[(budget["law"] == law) & (budget["year"] == 2020)].set_index("hoofdgroep")["budget_cents"]
        assert got["budget_cents"].dropna().astype(int).to_dict() == b.to_dict()
    section = budgethouder.financing_section(warehouse, "jeugd", 2020, 10)
    assert section.table.iloc[-1]["main_group"] == "Totaal" and "pgb" in section.text


@pytest.mark.integration
def test_a_payment_on_a_grant_the_register_lacks_is_kept_and_never_booked(warehouse, small_feeds):
    truth = pd.read_parquet(small_feeds / "manifest" / "pgb_payments.parquet")
    unknown = truth[truth["delivered"] & truth["unknown_grant"]]
    got = frame(warehouse, "select payment_id, amount_cents, is_booked, law from marts.fct_pgb_payments")
    got = got[got["law"].isna()]
    assert len(unknown) == 1  # the generator plants one: the test must see it
    assert got["payment_id"].tolist() == unknown["betalingsnummer"].tolist()
    assert got["amount_cents"].tolist() == unknown["cents"].tolist() and not got["is_booked"].any()
