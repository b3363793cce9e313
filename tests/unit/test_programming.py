"""Programming: scenario arithmetic against hand calculations, the forecast against a known
trend, the projection and early warning, risk flags, and scenario validation errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from orchestration.programming.early_warning import clients_against, first_warnings, project, realisation_against
from orchestration.programming.forecast import backtest, forecast, forecast_groups
from orchestration.programming.inputs import PGB_PROVIDER
from orchestration.programming.plan import compare, programme_products, provider_ceilings, wijk_yardsticks
from orchestration.programming.risk import RiskThresholds, risk_profile
from orchestration.programming.scenario import Scenario, ScenarioError, load_scenarios, parse_overrides
from orchestration.programming.thresholds import load_monitoring

BASE = pd.DataFrame(
    [
        # 2019: 80 clients in A at € 1,000 each, 20 in B at € 4,000 each
        {"law": "jeugd", "main_group": "M", "product_group": "A", "clients": 80, "booked_cents": 80 * 100_000},
        {"law": "jeugd", "main_group": "M", "product_group": "B", "clients": 20, "booked_cents": 20 * 400_000},
    ]
)
TOTALS = pd.DataFrame({"law": "jeugd", "main_group": "M", "year": [2020, 2021, 2022], "clients": [110.0, 120.0, 130.0]})


def _scenario(**fields) -> Scenario:
    return Scenario.model_validate(
        {"name": "t", "title": "t", "base_year": 2019, "horizon_years": 3, "indexation": 0.02, **fields}
    )


def test_programme_shares_tariffs_and_budget_by_hand():
    sc = _scenario(
        groups={"M": {"years_to_target": 2, "target_shares": {"A": 0.9, "B": 0.1}, "duration_change": {"B": -0.10}}}
    )
    out = programme_products(sc, BASE, TOTALS).set_index(["year", "product_group"])
    # 2020 is halfway: B's share 0.2 -> 0.15, its cost 4,000 x 1.02 x (1 - 0.05)
    assert out.loc[(2020, "B"), "clients"] == pytest.approx(110 * 0.15)
    assert out.loc[(2020, "B"), "tariff_cents"] == pytest.approx(400_000 * 1.02 * 0.95)
    assert out.loc[(2020, "A"), "budget_cents"] == pytest.approx(110 * 0.85 * 100_000 * 1.02)
    # 2021 reaches the target; 2022 holds it, with two more years of indexation
    assert out.loc[(2021, "B"), "clients"] == pytest.approx(120 * 0.1)
    assert out.loc[(2022, "B"), "tariff_cents"] == pytest.approx(400_000 * 1.02**3 * 0.9)
    assert out.loc[(2022, "A"), "budget_cents"] == pytest.approx(130 * 0.9 * 100_000 * 1.02**3)
    # the base year is the realisation itself
    assert out.loc[(2019, "B"), "budget_cents"] == 20 * 400_000 and bool(out.loc[(2019, "B"), "is_base_year"])


def test_a_product_group_without_history_is_costed_at_its_main_groups_average():
    sc = _scenario(groups={"M": {"years_to_target": 2, "target_shares": {"A": 0.5, "B": 0.2, "C": 0.3}}})
    out = programme_products(sc, BASE, TOTALS).set_index(["year", "product_group"])
    average = (80 * 100_000 + 20 * 400_000) / 100  # the main group's booked money per client in the base year
    assert out.loc[(2019, "C"), "clients"] == 0 and out.loc[(2019, "C"), "budget_cents"] == 0
    assert out.loc[(2021, "C"), "clients"] == pytest.approx(120 * 0.3)
    assert out.loc[(2021, "C"), "tariff_cents"] == pytest.approx(average * 1.02**2)


def test_no_change_keeps_shares_and_only_indexes():
    out = programme_products(_scenario(), BASE, TOTALS).set_index(["year", "product_group"])
    assert out.loc[(2022, "A"), "share"] == pytest.approx(0.8)
    assert out.loc[(2022, "A"), "tariff_cents"] == pytest.approx(100_000 * 1.02**3)


def test_provider_ceilings_historical_and_equal():
    products = programme_products(_scenario(), BASE, TOTALS)
    providers = pd.DataFrame(
        [
            {
                "provider_agb": "P1",
                "law": "jeugd",
                "main_group": "M",
                "product_group": "A",
                "clients": 60,
                "booked_cents": 6_000_000,
            },
            {
                "provider_agb": "P2",
                "law": "jeugd",
                "main_group": "M",
                "product_group": "A",
                "clients": 20,
                "booked_cents": 2_000_000,
            },
            {
                "provider_agb": "P2",
                "law": "jeugd",
                "main_group": "M",
                "product_group": "B",
                "clients": 20,
                "booked_cents": 8_000_000,
            },
        ]
    )
    hist = provider_ceilings(_scenario(), products, providers).set_index(["year", "provider_agb", "product_group"])
    budget_a_2020 = 110 * 0.8 * 100_000 * 1.02
    assert hist.loc[(2020, "P1", "A"), "ceiling_cents"] == pytest.approx(0.75 * budget_a_2020)
    assert hist.loc[(2020, "P2", "B"), "ceiling_cents"] == pytest.approx(110 * 0.2 * 400_000 * 1.02)
    equal = provider_ceilings(_scenario(provider_split="equal"), products, providers).set_index(
        ["year", "provider_agb", "product_group"]
    )
    assert equal.loc[(2020, "P1", "A"), "ceiling_cents"] == pytest.approx(0.5 * budget_a_2020)
    # ceilings add up to the product group's budget
    by_group = hist.groupby(["year", "product_group"])["ceiling_cents"].sum()
    budgets = products[~products["is_base_year"]].set_index(["year", "product_group"])["budget_cents"]
    assert np.allclose(by_group.sort_index(), budgets.sort_index())


def test_the_pgb_keeps_its_historical_share_when_providers_split_equally():
    products = programme_products(_scenario(), BASE, TOTALS)
    row = {"law": "jeugd", "main_group": "M", "product_group": "A"}
    providers = pd.DataFrame(
        [
            {**row, "provider_agb": "P1", "clients": 50, "booked_cents": 5_000_000},
            {**row, "provider_agb": "P2", "clients": 10, "booked_cents": 1_000_000},
            {**row, "provider_agb": PGB_PROVIDER, "clients": 20, "booked_cents": 2_000_000},
        ]
    )
    equal = provider_ceilings(_scenario(provider_split="equal"), products, providers)
    equal = equal[equal["year"] == 2020].set_index("provider_agb")
    budget_a_2020 = 110 * 0.8 * 100_000 * 1.02
    # the pgb keeps a quarter (2,000,000 of 8,000,000); P1 and P2 share the other three quarters equally
    assert equal.loc[PGB_PROVIDER, "ceiling_cents"] == pytest.approx(0.25 * budget_a_2020)
    assert equal.loc["P1", "ceiling_cents"] == pytest.approx(0.375 * budget_a_2020)
    assert equal.loc["P2", "client_share"] == pytest.approx(0.375)
    assert equal["ceiling_cents"].sum() == pytest.approx(budget_a_2020)


def test_wijk_yardsticks_by_hand():
    base = pd.DataFrame(
        {
            "law": "wmo",
            "main_group": "Begeleiding thuis",
            "product_group": ["Z"],
            "clients": [100],
            "booked_cents": [1_000_000],
        }
    )
    totals = pd.DataFrame(
        {"law": "wmo", "main_group": "Begeleiding thuis", "year": [2020, 2021], "clients": [100.0, 120.0]}
    )
    sc = _scenario(horizon_years=2, wijken={"wmo": {"first_line_share": 0.6, "years_to_target": 2}})
    products = programme_products(sc, base, totals)
    wijken = pd.DataFrame(
        {"law": "wmo", "main_group": "Begeleiding thuis", "wijk_code": ["W1", "W2"], "clients": [25, 75]}
    )
    first_line = pd.DataFrame({"law": "wmo", "wijk_code": ["W1", "W2"], "share_first_line_only": [0.4, 0.5]})
    out = wijk_yardsticks(sc, products, wijken, first_line, {("wmo", "Begeleiding thuis")})
    # whether a main group is ambulatory comes from its products' categories, not its name
    other = wijk_yardsticks(sc, products, wijken, first_line, set())
    assert other["first_line_share_target"].isna().all()
    out = out.set_index(["year", "wijk_code"])
    assert out.loc[(2021, "W1"), "clients_yardstick"] == pytest.approx(30)
    assert out.loc[(2020, "W1"), "first_line_share_target"] == pytest.approx(0.5)  # halfway from 0.4 to 0.6
    assert out.loc[(2021, "W2"), "first_line_clients_yardstick"] == pytest.approx(90 * 0.6 / 0.4)


def test_comparison_against_the_reference():
    a = programme_products(_scenario(), BASE, TOTALS)
    b = programme_products(_scenario(name="b", groups={"M": {"target_shares": {"A": 1.0}}}), BASE, TOTALS)
    out = compare(pd.concat([a, b]), "t").set_index(["scenario", "year"])
    expected = 130 * 0.2 * 400_000 * 1.02**3 - 130 * 0.2 * 100_000 * 1.02**3  # all of B's clients moved to A
    assert out.loc[("b", 2022), "difference_eur"] == pytest.approx(-expected / 100, abs=0.01)
    assert out.loc[("t", 2022), "difference_eur"] == 0


def _trend(n=72, slope=2.0, noise=1.0, seed=3) -> pd.Series:
    months = pd.date_range("2014-01-01", periods=n, freq="MS")
    return pd.Series(100 + slope * np.arange(n) + np.random.default_rng(seed).normal(0, noise, n), index=months)


@pytest.mark.parametrize("method,tolerance", [("linear", 0.01), ("damped", 0.03)])
def test_forecast_recovers_a_known_trend(method, tolerance):
    y = _trend()
    out = forecast(y, 12, method)
    truth = 100 + 2.0 * np.arange(72, 84)
    assert np.all(np.abs(out["mean"].to_numpy() - truth) / truth < tolerance)
    assert np.mean((truth >= out["lower"].to_numpy()) & (truth <= out["upper"].to_numpy())) >= 0.75
    assert out.index[0] == pd.Timestamp("2020-01-01")


def test_level_forecast_and_backtest_of_a_flat_series():
    y = pd.Series(
        50.0 + np.random.default_rng(1).normal(0, 0.5, 36), index=pd.date_range("2017-01-01", periods=36, freq="MS")
    )
    assert forecast(y, 6, "none")["mean"].to_numpy() == pytest.approx(50, abs=1)
    bt = backtest(y, "none")
    assert bt["train_months"] == 24 and bt["mape_pct"] < 2 and abs(bt["bias_pct"]) < 2


def _history(main: str, first: str, last: str = "2019-12-01") -> pd.DataFrame:
    months = pd.date_range(first, last, freq="MS")
    return pd.DataFrame({"law": "wmo", "main_group": main, "month": months, "clients": 10.0, "booked_cents": 1000.0})


def test_a_main_group_with_a_short_base_year_is_held_at_its_base_and_said_so():
    history = pd.concat([_history("Oud", "2017-01-01"), _history("Nieuw", "2019-10-01")], ignore_index=True)
    forecasts, _, short = forecast_groups(history, 2019, 2, "none")
    assert set(forecasts["main_group"]) == {"Oud"}
    assert short == [
        "wmo Nieuw: 3 maand(en) geschiedenis tot en met 2019, een trend vraagt er 12; "
        "het programma houdt het basisjaar vast (niet naar een heel jaar omgerekend)"
    ]
    # held flat: without a forecast the programme carries the base year's clients forward
    base = pd.DataFrame(
        [{"law": "wmo", "main_group": "Nieuw", "product_group": "N", "clients": 4, "booked_cents": 400}]
    )
    out = programme_products(_scenario(horizon_years=2), base, TOTALS.iloc[0:0])
    assert out.loc[out["year"] == 2021, "clients"].tolist() == [4.0]


def test_without_a_year_of_history_anywhere_programming_says_why():
    with pytest.raises(ValueError, match="geen hoofdgroep heeft een jaar geschiedenis tot en met het basisjaar 2019"):
        forecast_groups(_history("Nieuw", "2019-04-01"), 2019, 2, "none")


def test_forecast_refuses_gaps_and_unknown_methods():
    y = _trend(24).drop(pd.Timestamp("2014-05-01"))
    with pytest.raises(ValueError, match="gaps"):
        forecast(y, 3)
    with pytest.raises(ValueError, match="unknown trend method"):
        forecast(_trend(24), 3, "cubic")


def test_projection_and_crossing_month_by_hand():
    p = project([10, 10, 10, 20], ceiling=100)
    assert p["ytd_cents"] == 50 and p["run_rate_cents"] == pytest.approx(40 / 3)
    assert p["projected_cents"] == pytest.approx(50 + 8 * 40 / 3)
    assert p["crossing_month"] == 8 and p["warning"]  # 50, 63.3, 76.7, 90, 103.3: passed in month 8
    assert project([10, 10, 10, 20], ceiling=100, margin=0.6)["warning"] is False  # 156.7 < 160
    assert project([60, 50], ceiling=100)["crossing_month"] == 2  # already passed
    assert project([5, 5], ceiling=100)["crossing_month"] is None and not project([5, 5], ceiling=100)["warning"]


def test_warning_in_the_month_the_projection_passes_the_ceiling():
    months = pd.date_range("2020-01-01", periods=6, freq="MS")
    realised = pd.DataFrame({"provider_agb": "P", "month": months, "booked_cents": [10, 10, 10, 16, 16, 16]})
    ceilings = pd.DataFrame({"provider_agb": ["P"], "ceiling_cents": [130.0]})
    table = realisation_against(realised, ceilings, ["provider_agb"], 2020, 6)
    # month 3: 30 + 9 x 10 = 120 (no); month 4: 46 + 8 x 12 = 142 (yes)
    assert table.loc[table["month"] == 3, "warning"].item() is False
    warned = first_warnings(table, ["provider_agb"]).iloc[0]
    assert warned["first_warning_month"] == 4 and warned["overrun_at_first_warning_cents"] == pytest.approx(12)


def test_risk_flags_with_their_figures():
    q = pd.Timestamp("2020-12-31")
    rows = [("BIG", 8_000_000, 4_000_000, 40, 200_000)] + [(f"S{i}", 100_000, 100_000, 4, 25_000) for i in range(10)]
    frame = pd.DataFrame(
        [
            {
                "quarter_end": q,
                "provider_agb": p,
                "law": "jeugd",
                "product_group": "A",
                "volume_cents": v,
                "volume_prior_cents": prior,
                "clients": c,
                "cost_per_client_cents": cost,
            }
            for p, v, prior, c, cost in rows
        ]
    )
    out = risk_profile(frame, RiskThresholds()).set_index("provider_agb")
    big = out.loc["BIG"]
    assert big["flag_volume"] and big["flag_clients"] and big["flag_growth"] and big["flag_cost"] and big["elevated"]
    assert big["growth"] == pytest.approx(1.0) and big["cost_ratio"] == pytest.approx(8.0)
    assert "volumegroei +100%" in big["reasons"]
    assert not out.loc["S1", "elevated"]


def test_shipped_scenarios_and_monitoring_file_are_valid():
    loaded = load_scenarios()
    assert not loaded.skipped
    assert {s.name for s in loaded.scenarios} >= {"geen_wijziging", "zo_thuis_mogelijk", "zwaar_naar_licht"}
    assert sum(s.adopted for s in loaded.scenarios) == 1
    assert load_monitoring().early_warning.margin >= 0


def _write(folder, name, text):
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


GOOD = "name: good\ntitle: good\nadopted: true\n"


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "name: x\ntitle: x\ngroups: {M: {target_shares: {A: 0.5, B: 0.4}}}\n",
            r"x.yaml: groups.M.target_shares: .*add up to 1, they add up to 0.900",
        ),
        ("name: x\ntitle: x\nhorizon: 4\n", r"x.yaml: horizon: Extra inputs are not permitted"),
        ("name: y\ntitle: x\n", r"x.yaml: name: moet gelijk zijn aan de bestandsnaam"),
        ("name: x\ntitle: [x\n", r"x.yaml: geen geldige YAML"),
        (
            "name: x\ntitle: x\nhorizon_years: 2\ngroups: {M: {years_to_target: 3}}\n",
            r"beyond horizon_years 2",
        ),
    ],
)
def test_a_bad_scenario_file_is_skipped_with_file_and_field_and_the_others_load(tmp_path, text, message):
    _write(tmp_path, "x", text)
    _write(tmp_path, "good", GOOD)
    loaded = load_scenarios(tmp_path)
    assert [s.name for s in loaded.scenarios] == ["good"]
    (reason,) = loaded.skipped
    assert re.search(message, reason), reason


def test_no_usable_scenario_or_two_adopted_stops_the_scenarios(tmp_path):
    _write(tmp_path, "x", "name: x\ntitle: [x\n")
    with pytest.raises(ScenarioError, match=r"no usable scenario files.*x.yaml: geen geldige YAML"):
        load_scenarios(tmp_path)
    _write(tmp_path, "x", "name: x\ntitle: x\nadopted: true\n")
    _write(tmp_path, "good", GOOD)
    with pytest.raises(ScenarioError, match="at most one scenario can be adopted, found good, x"):
        load_scenarios(tmp_path)


def test_launchpad_overrides_and_data_checks(tmp_path):
    _write(tmp_path, "x", "name: x\ntitle: x\nadopted: true\n")
    (sc,) = load_scenarios(tmp_path, parse_overrides("x: {horizon_years: 6}")).scenarios
    assert sc.horizon_years == 6
    with pytest.raises(ScenarioError, match="launchpad override: unknown scenario"):
        load_scenarios(tmp_path, parse_overrides("nope: {horizon_years: 6}"))
    with pytest.raises(ScenarioError, match=r"\(with launchpad override\): indexation"):
        load_scenarios(tmp_path, parse_overrides("x: {indexation: 3}"))
    bad = _scenario(groups={"M": {"target_shares": {"A": 0.5, "Z": 0.5}}, "Q": {"trend": "none"}})
    assert bad.unknown_groups({"M": {"A", "B"}, "N": {"C"}}, "f.yaml") == [
        "f.yaml: groups.M.target_shares: onbekende productgroep(en) Z; bekend zijn: A, B",
        "f.yaml: groups.Q: onbekende hoofdgroep; bekend zijn: M, N",
    ]
    assert _scenario(groups={"M": {"target_shares": {"A": 1}}}).unknown_groups({"M": {"A"}}, "f.yaml") == []


def test_clients_are_projected_with_last_years_ratio_and_shares_are_of_the_main_group():
    realised = pd.DataFrame(
        {
            "law": ["wmo", "wmo"],
            "main_group": ["M", "M"],
            "product_group": ["a", "b"],
            "clients_ytd": [30, 10],
            "clients_prior_ytd": [20, 0],
            "clients_prior_year": [30, 0],
        }
    )
    programme = pd.DataFrame(
        {
            "law": ["wmo"] * 2,
            "main_group": ["M"] * 2,
            "product_group": ["a", "b"],
            "clients": [40.0, 20.0],
            "share": [0.5, 0.5],
        }
    )
    out = clients_against(realised, programme, margin=0.1, share_points=0.05).set_index("product_group")
    assert out.loc["a", "clients_projected"] == 45  # 30 x 30/20
    assert out.loc["b", "clients_projected"] == 10  # no last year: the ratio is 1
    assert out.loc["a", "share_ytd"] == 0.75 and out.loc["b", "share_ytd"] == 0.25
    assert out.loc["a", "warning_clients"] and not out.loc["b", "warning_clients"]  # 45 > 40 x 1.1; 10 < 22
    assert out["warning_share"].all()  # 0.75 and 0.25 against 0.5


def test_the_contract_register_flags_a_provider_from_the_quarter_it_was_registered_in():
    by_group = pd.DataFrame(
        {
            "quarter_end": pd.to_datetime(["2026-03-31", "2026-06-30", "2026-06-30"]),
            "provider_agb": ["1", "1", "1"],
            "law": ["wmo", "wmo", "jeugd"],
            "product_group": ["g", "g", "h"],
            "volume_cents": [100.0, 100.0, 100.0],
            "volume_prior_cents": [100.0, 100.0, 100.0],
            "clients": [1, 1, 1],
            "cost_per_client_cents": [100.0, 100.0, 100.0],
        }
    )
    contract = pd.DataFrame({"provider_agb": ["1"], "law": ["wmo"], "registered_on": pd.to_datetime(["2026-04-15"])})
    out = risk_profile(by_group, RiskThresholds(), contract).set_index(["quarter_end", "law"])
    assert not out.loc[(pd.Timestamp("2026-03-31"), "wmo"), "flag_contract"]  # before it was registered
    assert out.loc[(pd.Timestamp("2026-06-30"), "wmo"), "flag_contract"]
    assert not out.loc[(pd.Timestamp("2026-06-30"), "jeugd"), "flag_contract"]  # registered for Wmo only
    assert "contractmanagement" in out.loc[(pd.Timestamp("2026-06-30"), "wmo"), "reasons"]


def test_a_kept_trend_fit_is_the_fit_and_is_made_again_when_the_months_up_to_the_base_year_change(
    tmp_path, monkeypatch
):
    """Fits are kept beside the warehouse by what they were fitted on (fits.py): a night that adds days to the
    current year fits nothing again, a late invoice for the base year's December does."""
    from orchestration.programming import fits
    from orchestration.programming import forecast as fitting

    rng = np.random.default_rng(3)
    history = pd.concat([_history("Oud", "2017-01-01", "2020-03-01"), _history("Nieuw", "2019-10-01")])
    history["clients"] = 10.0 + rng.normal(0, 1, len(history)).round(1)
    history = history.reset_index(drop=True)
    calls = []
    fit = fitting.forecast_groups
    monkeypatch.setattr(fitting, "forecast_groups", lambda *a: calls.append(a[1:]) or fit(*a))

    fresh = fit(history, 2019, 2, "damped")
    first = fits.forecast_groups(history, 2019, 2, "damped", tmp_path)
    kept = fits.forecast_groups(history, 2019, 2, "damped", tmp_path)
    assert calls == [(2019, 2, "damped")]  # the second came from the folder
    for got in (first, kept):
        pd.testing.assert_frame_equal(got[0], fresh[0], check_exact=True)
        pd.testing.assert_frame_equal(got[1], fresh[1], check_exact=True)
        assert got[2] == fresh[2] and len(got[1]) and got[2]  # backtests and a group held at its base year

    later = history.copy()
    later.loc[later["month"] == pd.Timestamp("2020-03-01"), "clients"] += 5  # after the base year: same fit
    fits.forecast_groups(later, 2019, 2, "damped", tmp_path)
    fits.forecast_groups(history, 2019, 3, "damped", tmp_path)  # another horizon: another fit
    december = history.copy()
    december.loc[december["month"] == pd.Timestamp("2019-12-01"), "clients"] += 5
    changed = fits.forecast_groups(december, 2019, 2, "damped", tmp_path)
    assert calls == [(2019, 2, "damped"), (2019, 3, "damped"), (2019, 2, "damped")]
    pd.testing.assert_frame_equal(changed[0], fit(december, 2019, 2, "damped")[0], check_exact=True)

    with pytest.raises(ValueError, match="geen hoofdgroep"):  # an error is raised every time, never kept
        fits.forecast_groups(_history("Nieuw", "2019-04-01"), 2019, 2, "none", tmp_path)
    assert len([p for p in tmp_path.iterdir()]) == 3
