"""Neighbourhood-team and CJG activity from the generator's truth tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return list(pd.date_range(first, last, freq="MS").date)


def swt_trajectories(manifest: Path) -> pd.DataFrame:
    t = pd.read_parquet(manifest / "stapp_trajectories.parquet")
    return t.rename(columns={"trajectnummer": "trajectory_id", "klantnummer": "person"})


def cjg_trajectories(manifest: Path) -> pd.DataFrame:
    """The state of each CJG trajectory in the latest quarter that listed it."""
    t = pd.read_parquet(manifest / "cjg_trajectories.parquet").sort_values("quarter")
    t = t.drop_duplicates("traject_id", keep="last")
    return t.rename(columns={"traject_id": "trajectory_id", "cjg_id": "person"})


def active_months(trajectories: pd.DataFrame, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per trajectory and month it ran on at least one day, from ``first`` to ``last``."""
    rows = []
    for r in trajectories.itertuples():
        end = r.end if r.end is not None and not pd.isna(r.end) else last
        for m in months_between(first, last):
            month_end = (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()
            if r.start <= month_end and end >= m:
                rows.append((r.person, r.trajectory_id, r.product, getattr(r, "wijk_code", None), m))
    return pd.DataFrame(rows, columns=["person", "trajectory_id", "product", "wijk_code", "month_start"])


def flows(active: pd.DataFrame) -> tuple[set, set]:
    """(inflow, outflow) as sets of (person, month): active in M and not in M-1 / M+1, within the bounds."""
    keys = set(zip(active["person"], active["month_start"], strict=True))
    first, last = active["month_start"].min(), active["month_start"].max()
    shift = lambda m, k: (pd.Timestamp(m) + pd.DateOffset(months=k)).date()  # noqa: E731
    inflow = {(p, m) for p, m in keys if m > first and (p, shift(m, -1)) not in keys}
    outflow = {(p, m) for p, m in keys if m < last and (p, shift(m, 1)) not in keys}
    return inflow, outflow
