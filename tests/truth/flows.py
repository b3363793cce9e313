"""Clients in care, inflow and outflow, from the manifest's allocations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from orchestration.lib.config import DEMO_PSEUDONYM_KEY
from orchestration.lib.pseudonym import pseudonymise

FEED_START = dt.date(2018, 1, 1)  # the generator's default start of the feeds


def trajectories(manifest: Path) -> pd.DataFrame:
    """What the delivered messages say: start from the 305 else the allocation; end from the 307 else the allocation."""
    a = pd.read_parquet(manifest / "allocations.parquet")
    a = a[a["allocated_by_end"] & ~a["withdrawn_known"]].copy()
    a["start_date"] = a["start_known"].where(a["start_known"].notna(), a["decision_date"])
    a["end_date"] = a["stop_known"].where(a["stop_known"].notna(), a["allocation_end_known"])
    a = a[a["end_date"].isna() | (a["start_date"] <= a["end_date"])]
    a["client_key"] = [pseudonymise(b, DEMO_PSEUDONYM_KEY) for b in a["bsn"]]
    # the referrer is known from a delivered 315 request; without one, a Wmo allocation the neighbourhood
    # team referred the client to (a STAPP referral at most 90 days before it) has the team (SWT), any
    # other the municipality (01)
    delivered_request = (a["request_kind"] == "315") & a["request_date"].notna() & (a["request_date"] >= FEED_START)
    referred = team_referrals(manifest)
    by_team = [
        law == "wmo" and any(d - dt.timedelta(days=90) <= r <= d for r in referred.get(b, []))
        for law, b, d in zip(a["law"], a["bsn"], a["decision_date"], strict=True)
    ]
    a["referrer_type"] = a["referrer"].where(
        delivered_request, pd.Series(by_team, index=a.index).map({True: "SWT", False: "01"})
    )
    return a


def team_referrals(manifest: Path) -> dict:
    """BSN -> the dates the neighbourhood team referred the person to specialist care (STAPP, true links)."""
    path = manifest / "stapp_trajectories.parquet"
    if not path.exists():
        return {}  # STAPP not delivered: no referral is known
    stapp = pd.read_parquet(path)
    if stapp.empty:
        return {}
    links = pd.read_parquet(manifest / "links_stapp.parquet")
    referred = stapp[stapp["referral_date"].notna()].merge(links, on="klantnummer")
    referred = referred[referred["bsn"].notna()]
    return referred.groupby("bsn")["referral_date"].apply(list).to_dict()


def care_months(manifest: Path, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per trajectory per month in care, months from ``first`` to ``last`` (first days)."""
    t = trajectories(manifest)
    rows = []
    months = pd.date_range(first, last, freq="MS").date
    for r in t.itertuples():
        for m in months:
            month_end = (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()
            if r.start_date <= month_end and (pd.isna(r.end_date) or r.end_date >= m):
                rows.append(
                    (
                        m,
                        r.law,
                        r.client_key,
                        r.provider,
                        r.category,
                        r.product,
                        r.hoofdgroep,
                        r.toewijzing,
                        r.referrer_type,
                    )
                )
    return pd.DataFrame(
        rows,
        columns=[
            "month_start",
            "law",
            "client_key",
            "provider_agb",
            "product_category",
            "product_code",
            "main_group",
            "allocation_id",
            "referrer_type",
        ],
    )


def clients_in_care(months: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return months.groupby(["month_start", "law", *by])["client_key"].nunique().rename("clients").reset_index()


def inflow_outflow(months: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Client-level events. Inflow in M: in care in M, not in M-1 (same law); not seen in the
    first month. Outflow in M: in care in M, not in M+1; not seen in the last month."""
    in_care = months[["month_start", "law", "client_key"]].drop_duplicates()
    keys = set(map(tuple, in_care.values.tolist()))
    shift = lambda m, k: (pd.Timestamp(m) + pd.DateOffset(months=k)).date()  # noqa: E731
    first, last = in_care["month_start"].min(), in_care["month_start"].max()
    columns = ["month_start", "law", "client_key"]
    inflow = [(m, law, c) for m, law, c in keys if m > first and (shift(m, -1), law, c) not in keys]
    outflow = [(m, law, c) for m, law, c in keys if m < last and (shift(m, 1), law, c) not in keys]
    return pd.DataFrame(inflow, columns=columns), pd.DataFrame(outflow, columns=columns)


def client_attributes(manifest: Path) -> pd.DataFrame:
    """Wijk, gender and birth year-month per client as the register (or the messages) give them."""
    c = pd.read_parquet(manifest / "clients.parquet")
    c["client_key"] = [pseudonymise(b, DEMO_PSEUDONYM_KEY) for b in c["bsn"]]
    c["birth_year_month"] = c["birth_date"].map(lambda d: None if pd.isna(d) else f"{d.year:04d}-{d.month:02d}")
    return c[["client_key", "wijk_code", "gender", "birth_year_month"]]


AGE_GROUPS = [(4, "0-3"), (12, "4-11"), (18, "12-17"), (23, "18-22"), (65, "23-64"), (75, "65-74"), (85, "75-84")]


def age_group(birth_year_month: str | None, month: dt.date) -> str:
    if birth_year_month is None or pd.isna(birth_year_month):
        return "onbekend"
    years = (month.year * 12 + month.month - int(birth_year_month[:4]) * 12 - int(birth_year_month[5:7])) // 12
    return next((label for limit, label in AGE_GROUPS if years < limit), "85+")


def with_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    out = frame.copy()
    m = pd.to_datetime(out["month_start"])
    out["period_start"] = {
        "month": m,
        "quarter": m.dt.to_period("Q").dt.start_time,
        "year": m.dt.to_period("Y").dt.start_time,
    }[period].dt.date
    return out
