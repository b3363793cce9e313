"""Programming on the small feeds: the provider the generator made overspend is warned about
in the month an independent calculation from the ground truth says, and the scenario tables
add up."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from orchestration.programming.monitoring import load_monitoring


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
    lines = lines.assign(month=pd.to_datetime(lines["period_first"]).dt.to_period("M").dt.to_timestamp(),
                         signed=lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"]))
    year = start.year
    truth = lines[lines["month"].dt.year == year].groupby("month")["signed"].sum()

    table = con.execute("select * from programming.realisation_providers where provider_agb = ? order by month",
                        [provider]).df()
    last_month = int(table["month"].max())
    monthly = [float(truth.get(pd.Timestamp(year, m, 1), 0)) for m in range(1, last_month + 1)]
    assert table["booked_cents"].tolist() == pytest.approx(monthly)

    # the projection by hand: booked so far plus the average of the last three months for each month left
    ceiling = con.execute("select sum(ceiling_cents) from programming.scenario_providers p join programming.scenarios s "
                          "using (scenario) where s.adopted and p.year = ? and p.provider_agb = ?", [year, provider]).fetchone()[0]
    margin = load_monitoring().early_warning.margin
    expected_first = None
    for m in range(1, last_month + 1):
        done = monthly[:m]
        projection = sum(done) + sum(done[-3:]) / len(done[-3:]) * (12 - m)
        if projection > ceiling * (1 + margin):
            expected_first = m
            break
    assert expected_first is not None and start.month <= expected_first <= start.month + 1

    warning = con.execute("select * from programming.early_warnings where provider_agb = ? and kind = 'plafond'",
                          [provider]).df()
    assert len(warning) == 1
    assert warning["first_warning_month"].item() == expected_first
    assert warning["projected_overrun_cents"].item() == pytest.approx(
        sum(monthly) + sum(monthly[-3:]) / 3 * (12 - last_month) - ceiling)


def test_scenario_tables_add_up(db):
    _, con = db
    products = con.execute("select * from programming.scenario_products").df()
    programme = products[~products["is_base_year"]]
    assert (programme["budget_cents"] - programme["clients"] * programme["tariff_cents"]).abs().max() < 1e-6
    shares = programme.groupby(["scenario", "year", "main_group"])["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    # historical split: provider ceilings add up to each product group's budget
    ceilings = con.execute("select scenario, year, product_group, sum(ceiling_cents) c from programming.scenario_providers "
                           "group by all").df().set_index(["scenario", "year", "product_group"])["c"]
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
