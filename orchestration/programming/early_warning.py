"""Realisation against the programme, the year-end projection and the early warning.

The projection is deliberately simple, so a budget holder can redo it on paper: what is
booked so far plus the run rate (the average of the last three months) for every month
left. A warning is raised as soon as the projection passes the ceiling, and says by how
much and in which month the ceiling will be (or was) passed. A small margin keeps a
projection that lands just above the ceiling from crying wolf (``programming/monitoring.yaml``).
"""

from __future__ import annotations

import math

import pandas as pd


def project(monthly: list[float], ceiling: float | None, run_rate_months: int = 3, margin: float = 0.0) -> dict:
    """Year-end projection from the realised months 1..m of a year (``monthly[i]`` = month i+1)."""
    m = len(monthly)
    ytd = float(sum(monthly))
    recent = monthly[-run_rate_months:]
    run_rate = sum(recent) / len(recent) if recent else 0.0
    projection = ytd + run_rate * (12 - m)
    crossing = None
    if ceiling is not None:
        cumulative = 0.0
        for i, amount in enumerate(monthly, start=1):
            cumulative += amount
            if cumulative > ceiling:
                crossing = i
                break
        if crossing is None and run_rate > 0 and projection > ceiling:
            crossing = m + max(1, math.ceil((ceiling - ytd) / run_rate + 1e-9))
            crossing = crossing if crossing <= 12 else None
    overrun = projection - ceiling if ceiling is not None else None
    return {
        "ytd_cents": ytd,
        "run_rate_cents": run_rate,
        "projected_cents": projection,
        "projected_overrun_cents": overrun,
        "crossing_month": crossing,
        "warning": bool(ceiling is not None and projection > ceiling * (1 + margin)),
    }


def realisation_against(
    realised: pd.DataFrame,
    ceilings: pd.DataFrame,
    key: list[str],
    year: int,
    last_month: int,
    run_rate_months: int = 3,
    margin: float = 0.0,
) -> pd.DataFrame:
    """One row per key and month 1..``last_month``: booked in the month, cumulative, the pro-rata
    ceiling to date and the projection as it stood at the end of that month.

    ``realised``: key columns, month (timestamp), booked_cents. ``ceilings``: key columns, ceiling_cents.
    Keys with money but no ceiling are kept (ceiling empty): spending outside the programme.
    """
    realised = realised.assign(m=realised["month"].dt.month)
    amounts = realised.groupby([*key, "m"])["booked_cents"].sum()
    keys = pd.concat([realised[key], ceilings[key]]).drop_duplicates()
    ceiling_by_key = ceilings.set_index(key)["ceiling_cents"].to_dict()
    rows = []
    for values in keys.itertuples(index=False, name=None):
        ident = values if len(key) > 1 else values[0]
        ceiling = ceiling_by_key.get(ident)
        ceiling = None if ceiling is None or pd.isna(ceiling) else float(ceiling)
        monthly = [float(amounts.get((*values, m), 0.0)) for m in range(1, last_month + 1)]
        for m in range(1, last_month + 1):
            p = project(monthly[:m], ceiling, run_rate_months, margin)
            rows.append(
                {
                    **dict(zip(key, values, strict=True)),
                    "year": year,
                    "month": m,
                    "booked_cents": monthly[m - 1],
                    "ceiling_cents": ceiling,
                    "ceiling_to_date_cents": ceiling * m / 12 if ceiling is not None else None,
                    **p,
                }
            )
    out = pd.DataFrame(rows)
    out["crossing_month"] = out["crossing_month"].astype("Int64")
    return out


def first_warnings(table: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Per key warned at least once: the first month the projection passed the ceiling, and the
    latest view (which may have recovered: ``warning`` is then false)."""
    latest = table.sort_values("month").groupby(key).tail(1)
    warned = table[table["warning"]].sort_values("month").groupby(key).head(1)
    warned = warned[[*key, "month", "projected_overrun_cents", "crossing_month"]].rename(
        columns={
            "month": "first_warning_month",
            "projected_overrun_cents": "overrun_at_first_warning_cents",
            "crossing_month": "crossing_month_at_first_warning",
        }
    )
    out = latest.merge(warned, on=key, how="inner")
    return out.rename(columns={"month": "as_of_month"}).sort_values("projected_overrun_cents", ascending=False)


def without_ceiling(table: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Keys that book money this year but have no ceiling in the programme (new providers, say)."""
    latest = table.sort_values("month").groupby(key).tail(1)
    return latest[latest["ceiling_cents"].isna() & (latest["ytd_cents"] > 0)].rename(columns={"month": "as_of_month"})
