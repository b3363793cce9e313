"""Scenario arithmetic (003 §2.4.2): clients per product group and year, maximum budget =
clients x tariff, and the division over providers and wijken. Plain pandas, no I/O.

The movement towards a target is linear from the base year to the target year and held
after it. The tariff is the base year's average cost per client, indexed yearly and
changed by the scenario's duration and intensity changes (phased in like the shares).
"""

from __future__ import annotations

import pandas as pd

from .inputs import PGB_PROVIDER
from .scenario import Scenario

# The main groups the first line (SWT for Wmo, CJG for Jeugd) can take over from (fct_wijk_support_mix).


def progress(year: int, base_year: int, target_year: int) -> float:
    """How far the movement is in ``year``: 0 in the base year, 1 from the target year on."""
    return min(1.0, max(0.0, (year - base_year) / (target_year - base_year)))


def yearly_clients(monthly_forecast: pd.DataFrame, turnover: float) -> pd.DataFrame:
    """Clients in a year from a monthly forecast of clients in care.

    ``turnover`` is the base year's clients-in-the-year divided by its average clients in
    care per month: it turns a stock into the number of clients a year serves. Columns
    year, clients, clients_lower, clients_upper (bounds: the mean of the monthly bounds).
    """
    frame = monthly_forecast.groupby(monthly_forecast.index.year)[["mean", "lower", "upper"]].mean() * turnover
    frame.index.name = "year"
    return frame.rename(columns={"mean": "clients", "lower": "clients_lower", "upper": "clients_upper"}).reset_index()


def programme_products(s: Scenario, base: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Clients, tariff and maximum budget per product group and year.

    ``base``: the base year per law, main_group, product_group with clients and booked_cents.
    ``totals``: the baseline clients per law, main_group and year (sum over its product groups).
    The base year itself is included as realised.
    """
    b = s.base_year
    rows = []
    for (law, main), group in base.groupby(["law", "main_group"], sort=True):
        plan = s.groups.get(main)
        target_year = s.target_year(plan)
        clients_base = group["clients"].sum()
        if plan and plan.target_shares:  # a product group without history that clients are to move into is
            # costed at its main group's base-year average per client until it has a cost of its own
            new = sorted(set(plan.target_shares) - set(group["product_group"]))
            average = group["booked_cents"].sum() / clients_base if clients_base else 0.0
            group = pd.concat(
                [
                    group,
                    pd.DataFrame({"product_group": new, "clients": 0, "booked_cents": 0.0, "new_group_cost": average}),
                ],
                ignore_index=True,
            )
        in_group = totals[(totals["law"] == law) & (totals["main_group"] == main)].set_index("year")
        method = in_group["method"].iloc[0] if "method" in in_group and len(in_group) else None
        for pg in group.itertuples(index=False):
            share = pg.clients / clients_base if clients_base else 0.0
            cost = pg.booked_cents / pg.clients if pg.clients else getattr(pg, "new_group_cost", 0.0)
            cost = 0.0 if pd.isna(cost) else cost
            target_share = plan.target_shares.get(pg.product_group, 0.0) if plan and plan.target_shares else share
            change = (1 + (plan.duration_change.get(pg.product_group, 0.0) if plan else 0.0)) * (
                1 + (plan.intensity_change.get(pg.product_group, 0.0) if plan else 0.0)
            ) - 1
            rows.append(
                dict(
                    year=b,
                    law=law,
                    main_group=main,
                    product_group=pg.product_group,
                    share=share,
                    clients=float(pg.clients),
                    tariff_cents=cost,
                    budget_cents=float(pg.booked_cents),
                    is_base_year=True,
                    trend_method=None,
                )
            )
            for year in s.years(b):
                p = progress(year, b, target_year)
                year_share = share + (target_share - share) * p
                total = float(in_group.at[year, "clients"]) if year in in_group.index else float(clients_base)
                clients = total * year_share
                tariff = cost * (1 + s.indexation) ** (year - b) * (1 + change * p)
                rows.append(
                    dict(
                        year=year,
                        law=law,
                        main_group=main,
                        product_group=pg.product_group,
                        share=year_share,
                        clients=clients,
                        tariff_cents=tariff,
                        budget_cents=clients * tariff,
                        is_base_year=False,
                        trend_method=method,
                    )
                )
    out = pd.DataFrame(rows)
    out.insert(0, "scenario", s.name)
    return out


def provider_ceilings(s: Scenario, products: pd.DataFrame, providers_base: pd.DataFrame) -> pd.DataFrame:
    """Each provider's clients and ceiling per product group and programme year.

    Historical split: a provider keeps its base-year share of the group's clients and of its
    money. Equal split: every provider active in the group in the base year gets the same part of
    what the pgb (``PGB_PROVIDER``) leaves; the pgb keeps its historical share in both, because
    whether a client chooses a pgb is not the municipality's to divide.
    New providers get no ceiling: contracting them is a decision, not arithmetic.
    """
    base = providers_base[(providers_base["clients"] > 0) | (providers_base["booked_cents"] > 0)].copy()
    keys = ["law", "main_group", "product_group"]
    sums = base.groupby(keys)[["clients", "booked_cents"]].transform("sum")
    base["client_share"] = (base["clients"] / sums["clients"]).fillna(0)
    base["money_share"] = (base["booked_cents"] / sums["booked_cents"]).fillna(0)
    if s.provider_split == "equal":
        is_pgb = base["provider_agb"] == PGB_PROVIDER
        in_kind = base[~is_pgb].groupby(keys)["provider_agb"].transform("count")
        for share in ("client_share", "money_share"):
            pgb = base[share].where(is_pgb, 0.0).groupby([base[k] for k in keys]).transform("sum")
            base.loc[~is_pgb, share] = (1 - pgb[~is_pgb]) / in_kind
    plan = products[~products["is_base_year"]].merge(
        base[["provider_agb", *keys, "client_share", "money_share"]], on=keys
    )
    plan["clients"] = plan["clients"] * plan["client_share"]
    plan["ceiling_cents"] = plan["budget_cents"] * plan["money_share"]
    return plan[["scenario", "year", "provider_agb", *keys, "client_share", "money_share", "clients", "ceiling_cents"]]


def wijk_yardsticks(
    s: Scenario,
    products: pd.DataFrame,
    wijken_base: pd.DataFrame,
    first_line_base: pd.DataFrame,
    ambulant: set[tuple[str, str]],
) -> pd.DataFrame:
    """Clients per wijk and main group a programme year may take, and for ambulatory support
    how many the first line should help alongside (the wijk's target ratio, 003 §2.4.3)."""
    programme = (
        products[~products["is_base_year"]]
        .groupby(["scenario", "year", "law", "main_group"], as_index=False)["clients"]
        .sum()
    )
    base = wijken_base.copy()
    base["wijk_share"] = base["clients"] / base.groupby(["law", "main_group"])["clients"].transform("sum")
    out = programme.merge(base[["law", "main_group", "wijk_code", "wijk_share"]], on=["law", "main_group"])
    out["clients_yardstick"] = out["clients"] * out["wijk_share"]
    out = out.drop(columns="clients")
    out = out.merge(
        first_line_base.rename(columns={"share_first_line_only": "first_line_share_base"}),
        on=["law", "wijk_code"],
        how="left",
    )
    is_ambulant = pd.Series([(law, main) in ambulant for law, main in zip(out["law"], out["main_group"], strict=True)])
    out.loc[~is_ambulant, "first_line_share_base"] = None

    def target(row) -> float | None:
        base_share = row["first_line_share_base"]
        plan = s.wijken.get(row["law"])
        if pd.isna(base_share):
            return None
        if plan is None:
            return base_share
        p = progress(row["year"], s.base_year, s.target_year(plan))
        return base_share + (plan.first_line_share - base_share) * p

    out["first_line_share_target"] = out.apply(target, axis=1).astype(float)
    share = out["first_line_share_target"]
    out["first_line_clients_yardstick"] = out["clients_yardstick"] * share / (1 - share)
    return out


def compare(products: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Maximum budget per scenario, law and year in euros, and the difference with the reference."""
    totals = (
        products[~products["is_base_year"]].groupby(["scenario", "law", "year"], as_index=False)["budget_cents"].sum()
    )
    ref = totals[totals["scenario"] == reference][["law", "year", "budget_cents"]].rename(
        columns={"budget_cents": "ref"}
    )
    out = totals.merge(ref, on=["law", "year"], how="left")
    out["budget_eur"] = (out["budget_cents"] / 100).round(2)
    out["difference_eur"] = ((out["budget_cents"] - out["ref"]) / 100).round(2)
    return out.drop(columns=["budget_cents", "ref"])


def baseline_totals(monthly: pd.DataFrame, base: pd.DataFrame, history: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Clients per main group and programme year from the monthly forecast of clients in care.

    ``monthly``: forecast rows for measure 'clients'; ``base``: base-year clients per product
    group; ``history``: monthly clients in care. Columns law, main_group, year, clients, bounds.
    """
    in_year = history[history["month"].dt.year == base_year].groupby(["law", "main_group"])["clients"].mean()
    places = base.groupby(["law", "main_group"])["clients"].sum()
    frames = []
    for (law, main), group in monthly[monthly["measure"] == "clients"].groupby(["law", "main_group"]):
        stock = in_year.get((law, main))
        if not stock:
            continue
        turnover = places.get((law, main), 0) / stock
        frames.append(yearly_clients(group.set_index("month"), turnover).assign(law=law, main_group=main))
    return pd.concat(frames, ignore_index=True)
