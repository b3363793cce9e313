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


def clients_against(
    realised: pd.DataFrame, programme: pd.DataFrame, margin: float, share_points: float, by: str = "product_group"
) -> pd.DataFrame:
    """Clients per product group (or wijk: ``by``) this year against the programme, and each one's
    share of its main group ("zo thuis mogelijk" is a movement in shares, which money alone does not show).

    ``realised``: law, main_group, ``by``, clients_ytd (distinct clients in months 1..m),
    clients_prior_ytd and clients_prior_year (the same months and the whole of last year).
    ``programme``: law, main_group, ``by``, clients, share.
    The year's clients are projected as clients so far times last year's ratio of the whole year to
    the same months (1 without a last year): clients keep entering, so the count so far understates it.
    Shares are of the sum over the main group's product groups, as the programme defines them.
    """
    keys = ["law", "main_group", by]
    out = realised.merge(
        programme[[*keys, "clients", "share"]].rename(
            columns={"clients": "clients_programme", "share": "share_programme"}
        ),
        on=keys,
        how="outer",
    )
    out[["clients_ytd", "clients_prior_ytd", "clients_prior_year"]] = out[
        ["clients_ytd", "clients_prior_ytd", "clients_prior_year"]
    ].fillna(0)
    ratio = (out["clients_prior_year"] / out["clients_prior_ytd"]).where(out["clients_prior_ytd"] > 0, 1.0)
    out["year_ratio"] = ratio
    out["clients_projected"] = out["clients_ytd"] * ratio
    in_main = out.groupby(["law", "main_group"])["clients_ytd"].transform("sum")
    out["share_ytd"] = (out["clients_ytd"] / in_main).where(in_main > 0)
    out["clients_difference"] = out["clients_projected"] - out["clients_programme"]
    out["share_difference"] = out["share_ytd"] - out["share_programme"]
    out["warning_clients"] = (out["clients_projected"] > out["clients_programme"] * (1 + margin)).fillna(False)
    out["warning_share"] = (out["share_difference"].abs() > share_points).fillna(False)
    return out.sort_values(keys).reset_index(drop=True)
