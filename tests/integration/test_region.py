"""Two municipalities in one warehouse, each with its own catalogue under the same product codes.

The generator's profile ``regio`` (synthetic/profiles.py) simulates 0392 and 0453 together: the
same product codes, but 0453 names their product groups and main groups as Velsen does, so a
code means something else in each member. The product and budget registers carry the optional
``gemeentecode`` column (docs/feeds.md). Every figure below is compared exactly with the
generator's truth, per municipality: a join on the product code alone would put one member's
clients and euros under the other's groups, and a budget without its municipality would be
compared with the wrong member's spending.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from synthetic.generate import GeneratorConfig, generate
from tests.conftest import run_data_layers, use_data_dir
from tests.integration.test_marts import assert_periods_marked

pytestmark = pytest.mark.integration
REGION = ("0392", "0453")


@pytest.fixture(scope="module")
def region_feeds(tmp_path_factory):
    out = tmp_path_factory.mktemp("regio_feeds")
    # ends mid-November: the last month, quarter and year are incomplete and must say so
    generate(GeneratorConfig(out=out, seed=7, scale=0.05, end=dt.date(2020, 11, 15), profile="regio"))
    return out


@pytest.fixture(scope="module")
def region(tmp_path_factory, region_feeds):
    with pytest.MonkeyPatch.context() as mp:
        folder = use_data_dir(mp, tmp_path_factory.mktemp("regio"), region_feeds)
        mp.setenv("GRIP_MUNICIPALITY", ",".join(REGION))
        result = run_data_layers()
    con = duckdb.connect(str(folder / "warehouse" / "grip_published.duckdb"), read_only=True)
    yield result, con
    con.close()


def _frame(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def test_the_region_publishes_with_both_municipalities_in_the_answers(region):
    result, con = region
    assert result.success
    answered = {r[0] for r in con.execute("select distinct municipality_code from marts.question_answers").fetchall()}
    assert answered == set(REGION)


def test_incomplete_periods_are_marked_in_every_municipalitys_answers(region, region_feeds):
    _, con = region
    answers = con.execute("select * from marts.question_answers").df()
    assert_periods_marked(answers, region_feeds)
    incomplete = answers[answers["is_complete"] == False]  # noqa: E712
    assert set(incomplete["municipality_code"]) == set(REGION)
    assert set(incomplete["period_type"]) == {"month", "quarter", "year"}


def test_a_product_code_means_what_its_own_municipality_says(region, region_feeds):
    _, con = region
    truth = pd.read_parquet(region_feeds / "manifest" / "products.parquet")
    want = truth.rename(
        columns={"municipality": "municipality_code", "code": "product_code", "hoofdgroep": "main_group"}
    )
    want = want.assign(product_group=want["product_group_name"])
    keys = ["municipality_code", "product_code"]
    want = want[[*keys, "main_group", "product_group"]]
    got = con.execute(f"select {', '.join(want.columns)} from marts.dim_product").df()
    pd.testing.assert_frame_equal(_frame(got, keys), _frame(want, keys))
    # the point of the region: the same code under different groups in each member
    per_code = want.groupby("product_code")["product_group"].nunique()
    assert (per_code == 2).sum() > 0


def test_each_allocation_carries_the_groups_of_its_own_municipality(region, region_feeds):
    _, con = region
    truth = pd.read_parquet(region_feeds / "manifest" / "allocations.parquet")
    truth = truth[truth["allocated_by_end"] & ~truth["withdrawn_known"]]
    want = (
        truth.groupby(["municipality", "hoofdgroep", "product_group_name"]).size().rename("trajectories").reset_index()
    )
    want.columns = ["municipality_code", "main_group", "product_group", "trajectories"]
    got = con.execute(
        "select municipality_code, main_group, product_group, count(*) as trajectories "
        "from marts.fct_care_trajectories group by all"
    ).df()
    keys = ["municipality_code", "main_group", "product_group"]
    pd.testing.assert_frame_equal(_frame(got, keys), _frame(want, keys), check_dtype=False)


def test_each_municipality_is_measured_against_its_own_budget_to_the_cent(region, region_feeds):
    _, con = region
    allocations = pd.read_parquet(region_feeds / "manifest" / "allocations.parquet")[["tid", "hoofdgroep"]]
    lines = pd.read_parquet(region_feeds / "manifest" / "declaration_lines.parquet")
    lines = lines[lines["delivered"] & (lines["status"] == "accepted")].merge(allocations, on="tid")
    lines["cents"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    lines["budget_year"] = lines["period_first"].map(lambda d: d.year)
    booked = lines.groupby(["municipality", "budget_year", "law", "hoofdgroep"])["cents"].sum()
    budget = pd.read_parquet(region_feeds / "manifest" / "budget.parquet")
    budget = budget.rename(columns={"year": "budget_year"}).set_index(
        ["municipality", "budget_year", "law", "hoofdgroep"]
    )
    want = pd.concat([budget["budget_cents"], booked.rename("booked_cents")], axis=1).fillna({"booked_cents": 0})
    want.index.names = ["municipality_code", "budget_year", "law", "main_group"]
    want = want.reset_index()
    got = con.execute(
        "select municipality_code, budget_year, law, main_group, budget_cents, booked_cents "
        "from marts.fct_budget_realisation"
    ).df()
    keys = ["municipality_code", "budget_year", "law", "main_group"]
    assert set(got["municipality_code"]) == set(REGION)
    pd.testing.assert_frame_equal(_frame(got, keys), _frame(want, keys), check_dtype=False)
