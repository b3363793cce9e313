"""Providers with an elevated risk profile (000 §4), every quarter.

000 names five characteristics; the first four can be read from the data: a large
contract volume, many clients, a high cost price per product, and unexpectedly fast
volume growth. The fifth, financial trouble or an improvement plan, is known to the contract
manager only: it comes from the contract-management register (marts.fct_contract_register),
from the quarter it was registered in. Each flag keeps the figure behind it, so a contract
manager can see why.
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from orchestration.lib import dutch


class RiskThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exclude_main_groups: list[str] = Field(default_factory=lambda: ["Vervoer", "Hulpmiddelen en woonvoorzieningen"])
    quarters: int = Field(8, ge=1, le=40)
    volume_share: float = Field(0.03, gt=0, lt=1)
    client_share: float = Field(0.03, gt=0, lt=1)
    cost_ratio: float = Field(1.5, gt=1)
    cost_min_clients: int = Field(3, ge=1)
    growth: float = Field(0.25, gt=0)
    growth_min_share: float = Field(0.005, ge=0, lt=1)
    min_flags: int = Field(2, ge=1, le=5)


def risk_profile(by_group: pd.DataFrame, t: RiskThresholds, contract: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per quarter, provider and law with the five flags, their figures and the verdict.

    ``by_group``: quarter_end, provider_agb, law, product_group, volume_cents, volume_prior_cents,
    clients, cost_per_client_cents (rolling year up to the quarter's end).
    ``contract``: provider_agb, law (empty: both laws), registered_on of the active characteristics in
    the contract-management register.
    """
    g = by_group.copy()
    eligible = g["clients"] >= t.cost_min_clients
    median = (
        g[eligible]
        .groupby(["quarter_end", "law", "product_group"])["cost_per_client_cents"]
        .median()
        .rename("median_cost")
    )
    g = g.join(median, on=["quarter_end", "law", "product_group"])
    g["cost_ratio"] = (g["cost_per_client_cents"] / g["median_cost"]).where(eligible)
    # the highest ratio per provider; ties (equal to 9 decimals) go to the last product group by name, so
    # that reruns agree whatever order the rows arrive in
    ranked = g.dropna(subset=["cost_ratio"]).assign(_rank=lambda d: d["cost_ratio"].round(9))
    top_cost = ranked.sort_values(["_rank", "product_group"]).groupby(["quarter_end", "provider_agb", "law"]).tail(1)
    top_cost = top_cost.set_index(["quarter_end", "provider_agb", "law"])[["product_group", "cost_ratio"]]
    top_cost.columns = ["cost_product_group", "cost_ratio"]

    p = g.groupby(["quarter_end", "provider_agb", "law"], as_index=False)[
        ["volume_cents", "volume_prior_cents", "clients"]
    ].sum()
    law_totals = p.groupby(["quarter_end", "law"])[["volume_cents", "clients"]].transform("sum")
    p["volume_share"] = p["volume_cents"] / law_totals["volume_cents"]
    p["client_share"] = p["clients"] / law_totals["clients"]
    p["growth"] = (p["volume_cents"] / p["volume_prior_cents"] - 1).where(p["volume_prior_cents"] > 0)
    p = p.join(top_cost, on=["quarter_end", "provider_agb", "law"])

    p["flag_volume"] = p["volume_share"] >= t.volume_share
    p["flag_clients"] = p["client_share"] >= t.client_share
    p["flag_cost"] = p["cost_ratio"].fillna(0) >= t.cost_ratio
    p["flag_growth"] = (p["growth"].fillna(0) >= t.growth) & (p["volume_share"] >= t.growth_min_share)
    p["flag_contract"] = _registered(p, contract)
    p["flags"] = p[["flag_volume", "flag_clients", "flag_cost", "flag_growth", "flag_contract"]].sum(axis=1)
    p["elevated"] = p["flags"] >= t.min_flags

    def reasons(r) -> str:
        out = []
        if r.flag_volume:
            out.append(f"contractvolume {dutch.euros(r.volume_cents)} ({dutch.percent(r.volume_share)} van de {r.law})")
        if r.flag_clients:
            out.append(
                f"veel cliënten ({dutch.percent(r.client_share)} van de {r.law})"
            )  # a share: safe in external reports
        if r.flag_cost:
            out.append(f"kostprijs {r.cost_product_group} {dutch.number(r.cost_ratio, 1)}x de mediaan")
        if r.flag_growth:
            out.append(f"volumegroei {r.growth:+.0%} in een jaar")
        if r.flag_contract:  # what it is stays in the register, shown on the internal provider page only
            out.append("kenmerk bij contractmanagement")
        return "; ".join(out)

    p["reasons"] = p.apply(reasons, axis=1)
    return p.sort_values(["quarter_end", "flags", "volume_cents"], ascending=[True, False, False]).reset_index(
        drop=True
    )


def _registered(p: pd.DataFrame, contract: pd.DataFrame | None) -> pd.Series:
    """Whether an active characteristic of the register holds for the row's provider and law at its quarter's end."""
    if contract is None or contract.empty:
        return pd.Series(False, index=p.index)
    pairs = p[["quarter_end", "provider_agb", "law"]].reset_index().merge(contract, on="provider_agb")
    holds = (pairs["law_y"].isna() | (pairs["law_y"] == pairs["law_x"])) & (
        pd.to_datetime(pairs["registered_on"]) <= pd.to_datetime(pairs["quarter_end"])
    )
    flagged = set(pairs.loc[holds, "index"])
    return pd.Series([i in flagged for i in p.index], index=p.index)
