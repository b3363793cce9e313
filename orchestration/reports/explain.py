"""Why did the cost change? An exact, additive split into effects (LMDI-I).

Cost per product group p is the product of factors: clients in the main group N, the
group's share s_p, care months per client d_p (duration), units per care month i_p
(intensity) and the price per unit t_p:  C_p = N * s_p * d_p * i_p * t_p.
The log-mean Divisia index gives each factor an effect L(C1, C0) * ln(f1 / f0), with
L(a, b) = (a - b) / (ln a - ln b); the effects add up to C1 - C0 exactly, with no residual,
which is what an audit office wants to see. A product group that appears or disappears
has no logarithm: its whole change is mix (it entered or left the basket).
"""

from __future__ import annotations

import math

import pandas as pd

EFFECTS = ("volume", "mix", "duration", "intensity", "price")


def _logmean(a: float, b: float) -> float:
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def decompose(before: pd.DataFrame, after: pd.DataFrame, factors: dict[str, str] | None = None) -> pd.DataFrame:
    """Effects per product group between two periods.

    Both frames: product_group, clients, care_months, units, cost (one main group, or a set
    whose clients are summed into N). Returns product_group, cost_before, cost_after, one
    column per effect and total (= cost_after - cost_before).
    """
    keys = sorted(set(before["product_group"]) | set(after["product_group"]))
    b = before.set_index("product_group").reindex(keys)
    a = after.set_index("product_group").reindex(keys)
    n0, n1 = b["clients"].sum(), a["clients"].sum()
    rows = []
    for p in keys:
        c0 = float(b.at[p, "cost"]) if pd.notna(b.at[p, "cost"]) else 0.0
        c1 = float(a.at[p, "cost"]) if pd.notna(a.at[p, "cost"]) else 0.0
        row = {"product_group": p, "cost_before": c0, "cost_after": c1, **{e: 0.0 for e in EFFECTS}}
        complete = all(
            pd.notna(f.at[p, col]) and f.at[p, col] > 0
            for f in (a, b)
            for col in ("clients", "care_months", "units", "cost")
        )
        if not complete or c0 <= 0 or c1 <= 0:
            row["mix"] = c1 - c0
        else:
            w = _logmean(c1, c0)
            f0 = {
                "volume": n0,
                "mix": b.at[p, "clients"] / n0,
                "duration": b.at[p, "care_months"] / b.at[p, "clients"],
                "intensity": b.at[p, "units"] / b.at[p, "care_months"],
                "price": c0 / b.at[p, "units"],
            }
            f1 = {
                "volume": n1,
                "mix": a.at[p, "clients"] / n1,
                "duration": a.at[p, "care_months"] / a.at[p, "clients"],
                "intensity": a.at[p, "units"] / a.at[p, "care_months"],
                "price": c1 / a.at[p, "units"],
            }
            for e in EFFECTS:
                row[e] = w * math.log(f1[e] / f0[e])
        row["total"] = c1 - c0
        rows.append(row)
    return pd.DataFrame(rows, columns=["product_group", "cost_before", "cost_after", *EFFECTS, "total"])


def decompose_per_client(plan: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Against a programme, which knows clients and cost per client only: volume, mix and
    cost per client (duration, intensity and price together). Frames: product_group, clients, cost."""
    keys = sorted(set(plan["product_group"]) | set(actual["product_group"]))
    b = plan.set_index("product_group").reindex(keys).fillna(0.0)
    a = actual.set_index("product_group").reindex(keys).fillna(0.0)
    n0, n1 = b["clients"].sum(), a["clients"].sum()
    rows = []
    for p in keys:
        c0, c1 = float(b.at[p, "cost"]), float(a.at[p, "cost"])
        row = {
            "product_group": p,
            "cost_before": c0,
            "cost_after": c1,
            "volume": 0.0,
            "mix": 0.0,
            "cost_per_client": 0.0,
        }
        if min(c0, c1, b.at[p, "clients"], a.at[p, "clients"], n0, n1) <= 0:
            row["mix"] = c1 - c0
        else:
            w = _logmean(c1, c0)
            row["volume"] = w * math.log(n1 / n0)
            row["mix"] = w * math.log((a.at[p, "clients"] / n1) / (b.at[p, "clients"] / n0))
            row["cost_per_client"] = w * math.log((c1 / a.at[p, "clients"]) / (c0 / b.at[p, "clients"]))
        row["total"] = c1 - c0
        rows.append(row)
    return pd.DataFrame(rows)
