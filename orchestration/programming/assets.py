"""Programming assets (003 §2.4): baseline forecast, scenarios, realisation against the
adopted programme with early warning, and the quarterly risk profile of providers.

The assets only read, call the plain functions in this package, and write tables in the
``programming`` schema; every figure is worked out in forecast.py, plan.py, early_warning.py and risk.py.
"""

import json
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Config,
    MaterializeResult,
    asset,
)
from pydantic import Field

from orchestration.dbt.assets import dbt_key
from orchestration.lib.parts import Part, PartialResult
from orchestration.lib.resources import Warehouse
from orchestration.lib.warehouse import replace_table

from .early_warning import clients_against, first_warnings, realisation_against, without_ceiling
from .fits import forecast_groups
from .inputs import (
    PGB_PROVIDER,
    Inputs,
    provider_names,
    read_client_realisation,
    read_contract_characteristics,
    read_inputs,
    read_provider_quarters,
)
from .plan import baseline_totals, compare, programme_products, provider_ceilings, wijk_yardsticks
from .risk import risk_profile
from .scenario import Scenario, ScenarioError, load_scenarios, parse_overrides
from .thresholds import load_monitoring

MARTS = [
    dbt_key(name)
    for name in (
        "fct_care_months",
        "fct_declaration_lines",
        "dim_product",
        "dim_provider",
        "fct_wijk_support_mix",
        "fct_contract_register",
    )
]
METHODS = ("damped", "linear", "none")
REFERENCE_SCENARIO = "geen_wijziging"


class ProgrammingConfig(Config):
    adopted_scenario: str = Field("", description="Monitor this scenario's ceilings instead of the one marked adopted.")
    base_year: int = Field(
        0,
        description="Base year for every scenario that does not set one; 0: the year before the month the figures "
        "are at.",
    )
    overrides: str = Field(
        "", description="YAML: scenario name -> fields to replace, e.g. 'zo_thuis_mogelijk: {horizon_years: 5}'."
    )


def fits_folder(warehouse: Warehouse) -> Path:
    """Where trend fits are kept by their inputs (``fits.py``): beside the warehouse they were fitted from."""
    return warehouse.settings.warehouse.parent / "trend_fits"


def _base(year: int, frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["year"] == year].drop(columns="year")


BASELINE = Part(AssetKey(["programming", "baseline_forecast"]), "Basisprognose (programmering)")
SCENARIOS = Part(AssetKey(["programming", "scenarios"]), "Scenario's (programmering)")
REALISATION = Part(AssetKey(["programming", "realisation"]), "Realisatie tegen het programma en vroegsignalering")
PROVIDER_RISK = Part(AssetKey(["programming", "provider_risk"]), "Risicoprofiel aanbieders")


@asset(
    key_prefix="programming",
    deps=MARTS,
    group_name="programming",
    check_specs=[BASELINE.check],
    kinds={"duckdb", "statsmodels"},
    description="programming.baseline_forecast: clients (in care or with a pgb) and booked money (care in kind and "
    "pgb) per main group and month for the "
    "coming years, per trend method, with 80% prediction intervals; programming.forecast_backtest: "
    "each method backtested on the base year.",
)
@BASELINE
def baseline_forecast(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    with warehouse.connect() as con:
        inputs = read_inputs(con)
        base_year = inputs.reporting_year - 1
        folder = fits_folder(warehouse)
        results = [forecast_groups(inputs.history, base_year, 4, m, folder) for m in METHODS]
        forecasts = pd.concat([f for f, _, _ in results], ignore_index=True).assign(base_year=base_year)
        backtests = pd.concat([b for _, b, _ in results], ignore_index=True).assign(base_year=base_year)
        con.execute("create schema if not exists programming")
        replace_table(con, "programming.baseline_forecast", forecasts)
        replace_table(con, "programming.forecast_backtest", backtests)
    clients = backtests[backtests["measure"] == "clients"] if len(backtests) else backtests
    best = clients.groupby("method")["mape_pct"].median().round(1).to_dict() if len(clients) else {}
    result = MaterializeResult(
        metadata={
            "base_year": base_year,
            "groups": int(forecasts["main_group"].nunique()),
            **{f"median_mape_clients_{m}": v for m, v in best.items()},
        }
    )
    return PartialResult(result, results[0][2])


def _build(sc: Scenario, inputs: Inputs, cache: dict, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    base = _base(sc.base_year, inputs.product_groups)

    def fitted(method: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
        key = (sc.base_year, sc.horizon_years, method)
        if key not in cache:
            cache[key] = forecast_groups(inputs.history, sc.base_year, sc.horizon_years, method, folder)
        return cache[key]

    def method_for(main: str) -> str:
        method = (sc.groups[main].trend if main in sc.groups else None) or sc.trend
        if method != "auto":
            return method
        scored = {}
        for m in METHODS:
            bt = fitted(m)[1]
            if bt.empty:
                continue
            error = bt.loc[(bt["measure"] == "clients") & (bt["main_group"] == main), "mape_pct"].dropna()
            if len(error):
                scored[m] = float(error.iloc[0])
        return min(scored, key=scored.get) if scored else "damped"

    methods = {main: method_for(main) for main in base["main_group"].unique()}
    totals = []
    for method in set(methods.values()):
        t = baseline_totals(fitted(method)[0], base, inputs.history, sc.base_year)
        totals.append(t[t["main_group"].map(methods) == method].assign(method=method))
    products = programme_products(sc, base, pd.concat(totals, ignore_index=True))
    providers = provider_ceilings(sc, products, _base(sc.base_year, inputs.providers))
    wijken = wijk_yardsticks(
        sc, products, _base(sc.base_year, inputs.wijken), _base(sc.base_year, inputs.first_line), inputs.ambulant
    )
    return products, providers, wijken


@asset(
    key_prefix="programming",
    deps=MARTS,
    group_name="programming",
    check_specs=[SCENARIOS.check],
    kinds={"duckdb"},
    description="Scenario tables from programming/scenarios/*.yaml (GRIP_SCENARIO_DIR); a file that does not fit the "
    "catalogue is skipped with its reason: clients, tariff and maximum budget per product "
    "group and year; provider volumes and ceilings; wijk yardsticks; comparison in euros per year.",
)
@SCENARIOS
def scenarios(context: AssetExecutionContext, config: ProgrammingConfig, warehouse: Warehouse):
    folder = warehouse.settings.scenario_dir
    loaded = load_scenarios(folder, parse_overrides(config.overrides), config.adopted_scenario or None)
    skipped = list(loaded.skipped)
    with warehouse.connect() as con:
        inputs = read_inputs(con)
        default_base = config.base_year or inputs.reporting_year - 1
        cache: dict = {}
        fits = fits_folder(warehouse)
        built = []
        for sc in loaded.scenarios:
            source = str(folder / f"{sc.name}.yaml")
            problems = sc.unknown_groups(inputs.product_groups_by_main(), source)
            if problems:  # written for another catalogue: skipped, the other scenarios still run
                skipped += problems
                continue
            sc = sc.with_base_year(default_base)
            try:
                built.append((sc, *_build(sc, inputs, cache, fits)))
            except Exception as exc:  # noqa: BLE001 - one scenario that cannot be computed never stops the others
                skipped.append(f"{source}: kan niet worden doorgerekend: {type(exc).__name__}: {exc}")
        if not built:
            raise ScenarioError("geen enkel scenario kon worden doorgerekend: " + "; ".join(skipped))
        skipped += sorted({message for _, _, short in cache.values() for message in short})
        products = pd.concat([b[1] for b in built], ignore_index=True)
        names = {sc.name for sc, *_ in built}
        adopted = next((sc.name for sc, *_ in built if sc.adopted), None)
        reference = REFERENCE_SCENARIO if REFERENCE_SCENARIO in names else (adopted or sorted(names)[0])
        definitions = pd.DataFrame(
            [
                {
                    "scenario": sc.name,
                    "title": sc.title,
                    "description": sc.description,
                    "adopted": sc.adopted,
                    "base_year": sc.base_year,
                    "horizon_years": sc.horizon_years,
                    "definition_json": json.dumps(sc.model_dump(), ensure_ascii=False),
                }
                for sc, *_ in built
            ]
        )
        con.execute("create schema if not exists programming")
        replace_table(con, "programming.scenarios", definitions)
        replace_table(con, "programming.scenario_products", products)
        replace_table(con, "programming.scenario_providers", pd.concat([b[2] for b in built], ignore_index=True))
        replace_table(con, "programming.scenario_wijken", pd.concat([b[3] for b in built], ignore_index=True))
        comparison = compare(products, reference)
        replace_table(con, "programming.scenario_comparison", comparison)
    summary = comparison.groupby(["scenario", "year"])["budget_eur"].sum()
    if adopted is None:
        skipped.append(
            "geen van de doorgerekende scenario's is vastgesteld (adopted: true): er is geen programma om te bewaken"
        )
    result = MaterializeResult(
        metadata={
            "scenarios": ", ".join(sorted(names)),
            "reference": reference,
            "adopted": adopted or "none",
            "skipped": "\n".join(skipped) or "none",
            "budget_eur": "\n".join(f"{k[0]} {k[1]}: {v:,.0f}" for k, v in summary.items()),
        }
    )
    return PartialResult(result, skipped)


@asset(
    key_prefix="programming",
    deps=[scenarios],
    group_name="programming",
    kinds={"duckdb"},
    check_specs=[
        REALISATION.check,
        AssetCheckSpec(
            "no_projected_overrun",
            asset=REALISATION.key,
            description="Warns when a provider or product group is projected to pass its "
            "ceiling of the adopted programme before year-end.",
        ),
    ],
    description="Realisation per month against the adopted programme, per provider (the pgb as one) and per product "
    "group, care in kind and pgb together, with the "
    "year-end projection as it stood each month (a provider per law); programming.early_warnings lists who will "
    "pass the ceiling, by how much and in which month; programming.realisation_clients: clients and shares per "
    "product group against the programme, with their warnings.",
)
@REALISATION
def realisation(context: AssetExecutionContext, warehouse: Warehouse):
    ew = load_monitoring().early_warning
    with warehouse.connect() as con:
        inputs = read_inputs(con)
        row = con.execute("select scenario, base_year from programming.scenarios where adopted").fetchone()
        if row is None:
            raise ValueError(
                "geen vastgesteld scenario onder de doorgerekende scenario's (zie de check van scenarios): "
                "niets om tegen te bewaken"
            )
        adopted, base_year = row
        year, last_month = inputs.reporting_year, inputs.latest_month.month
        ceilings = con.execute(
            "select * from programming.scenario_providers where scenario = ? and year = ?", [adopted, year]
        ).df()
        budgets = con.execute(
            "select law, main_group, product_group, budget_cents as ceiling_cents "
            "from programming.scenario_products where scenario = ? and year = ? and not is_base_year",
            [adopted, year],
        ).df()
        if budgets.empty:
            raise ValueError(
                f"the adopted scenario {adopted} (base year {base_year}) has no programme for {year}, "
                "the year being realised: set its base_year to the year before"
            )
        realised = inputs.realisation
        # per provider and law: 18 providers of the demo serve both laws, and each law's budget holder
        # answers for their own ceiling (before, one provider's Wmo and Jeugd money were added up)
        by_provider = realisation_against(
            realised,
            ceilings.groupby(["provider_agb", "law"], as_index=False)["ceiling_cents"].sum(),
            ["provider_agb", "law"],
            year,
            last_month,
            ew.run_rate_months,
            ew.margin,
        )
        by_product = realisation_against(
            realised, budgets, ["law", "main_group", "product_group"], year, last_month, ew.run_rate_months, ew.margin
        )
        by_provider.insert(1, "provider_name", by_provider["provider_agb"].map(inputs.provider_names))
        # the level a warning names, kept in the table so the budget-holder report reads it for any month
        by_provider.insert(2, "level", by_provider["provider_agb"].map({PGB_PROVIDER: "pgb"}).fillna("aanbieder"))
        provider_subject = {"subject": lambda f: f["provider_name"].fillna(f["provider_agb"])}
        product_subject = {"level": "productgroep", "subject": lambda f: f["product_group"]}
        warnings = pd.concat(
            [
                first_warnings(by_provider, ["provider_agb", "law"]).assign(kind="plafond", **provider_subject),
                first_warnings(by_product, ["law", "main_group", "product_group"]).assign(
                    kind="plafond", **product_subject
                ),
                without_ceiling(by_provider, ["provider_agb", "law"]).assign(kind="zonder plafond", **provider_subject),
            ],
            ignore_index=True,
        ).assign(scenario=adopted)
        programme_clients = con.execute(
            "select law, main_group, product_group, clients, share from programming.scenario_products "
            "where scenario = ? and year = ? and not is_base_year",
            [adopted, year],
        ).df()
        by_clients = clients_against(
            read_client_realisation(con, year, last_month), programme_clients, ew.margin, ew.share_points
        ).assign(year=year, month=last_month)
        for frame in (by_provider, by_product, by_clients):
            frame.insert(0, "scenario", adopted)
        replace_table(con, "programming.realisation_clients", by_clients)
        replace_table(con, "programming.realisation_providers", by_provider)
        replace_table(con, "programming.realisation_products", by_product)
        replace_table(con, "programming.early_warnings", warnings)
    current = warnings[warnings["warning"].fillna(False).astype(bool)]
    yield MaterializeResult(
        metadata={"scenario": adopted, "year": year, "months": last_month, "warnings": len(current)}
    )
    yield AssetCheckResult(
        check_name="no_projected_overrun",
        passed=current.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "warnings": "\n".join(
                f"{r.level} {r.subject}: +€ {r.projected_overrun_cents / 100:,.0f} by year-end, ceiling passed in "
                f"month "
                f"{r.crossing_month}"
                for r in current.itertuples()
            )[:4000]
            or "none"
        },
    )


@asset(
    key_prefix="programming",
    deps=MARTS,
    group_name="programming",
    check_specs=[PROVIDER_RISK.check],
    kinds={"duckdb"},
    description="programming.provider_risk: per quarter, provider and law the five risk characteristics of 000 §4 "
    "(volume, clients, cost price, growth, and what contract management registered) with their figures, care in "
    "kind only (the pgb's carers are not contracted); "
    "elevated when enough of them apply. "
    "Thresholds in programming/risk_profile.yaml.",
)
@PROVIDER_RISK
def provider_risk(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    thresholds = load_monitoring().risk_profile
    with warehouse.connect() as con:
        by_group = read_provider_quarters(con, thresholds.exclude_main_groups, thresholds.quarters)
        frame = risk_profile(by_group, thresholds, read_contract_characteristics(con))
        names = provider_names(con)
        frame.insert(2, "provider_name", frame["provider_agb"].map(names))
        con.execute("create schema if not exists programming")
        replace_table(con, "programming.provider_risk", frame)
    latest = frame[frame["quarter_end"] == frame["quarter_end"].max()]
    return MaterializeResult(
        metadata={
            "quarters": int(frame["quarter_end"].nunique()),
            "elevated_latest_quarter": int(latest["elevated"].sum()),
        }
    )


ASSETS = [baseline_forecast, scenarios, realisation, provider_risk]
