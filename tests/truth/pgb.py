"""Personal budgets (pgb) from the manifest: grant months, money by care month, and support months.

Independent of the warehouse: the manifest's grants and payments, keyed with the same pseudonym as
the feed's (mistyped) BSN, so a grant whose client BSN was mistyped is, as in grip, another client.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd

from orchestration.lib.config import DEMO_PSEUDONYM_KEY
from orchestration.lib.pseudonym import pseudonymise
from tests.truth.flows import FEED_START


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    return list(pd.date_range(first.replace(day=1), last.replace(day=1), freq="MS").date)


# the manifest's columns (synthetic/pgb.py), for an empty table where the SVB does not deliver
GRANT_COLUMNS = [
    "toekenningsnummer", "municipality", "law", "product", "product_group", "bsn", "bsn_in_feed", "holder_bsn",
    "holder_is_client", "holder_is_parent", "in_kind_at_start", "start", "end", "amount_cents", "spent_cents",
]  # fmt: skip
PAYMENT_COLUMNS = [
    "betalingsnummer", "toekenningsnummer", "municipality", "law", "product", "product_group", "zorgovereenkomst",
    "kind", "agb", "care_month", "cents", "paid_date", "delivered", "correctie_op", "unknown_grant",
]  # fmt: skip


def _truth(manifest: Path, name: str, columns: list[str]) -> pd.DataFrame:
    """A truth table of the SVB feed; empty for a municipality the SVB does not deliver for."""
    path = manifest / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=columns)


def grants(manifest: Path) -> pd.DataFrame:
    """The grants in the SVB register, with the feed's client key and the main group of the truth."""
    g = _truth(manifest, "pgb_grants", GRANT_COLUMNS)
    g["client_key"] = [pseudonymise(b, DEMO_PSEUDONYM_KEY) for b in g["bsn_in_feed"]]
    products = pd.read_parquet(manifest / "products.parquet")
    group_of = dict(zip(products["code"], products["hoofdgroep"], strict=True))
    g["main_group"] = g["product"].map(group_of)
    return g


def granted_months(manifest: Path, first: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per grant and calendar month it runs, ``first`` to ``last``: the amount spread over its
    months by the days each covers, cents apportioned cumulatively (docs/definitions.md)."""
    rows = []
    for r in grants(manifest).itertuples():
        months = _month_starts(r.start, r.end)
        weights = []
        for m in months:
            month_end = (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date()
            covered = (min(month_end, r.end) - max(m, r.start)).days + 1
            weights.append(covered / month_end.day)
        total, cumulative, previous = sum(weights), 0.0, 0
        for m, w in zip(months, weights, strict=True):
            cumulative += w
            upto = math.floor(r.amount_cents * cumulative / total)
            if first <= m <= last:
                rows.append((m, r.toekenningsnummer, r.law, r.main_group, r.product, r.client_key, upto - previous))
            previous = upto
    return pd.DataFrame(
        rows, columns=["month_start", "grant", "law", "main_group", "product_code", "client_key", "granted_cents"]
    )


def payments(manifest: Path) -> pd.DataFrame:
    """Payments as delivered on a grant the register holds, for care from the first month of the feeds."""
    p = _truth(manifest, "pgb_payments", PAYMENT_COLUMNS)
    p = p[p["delivered"].astype(bool) & ~p["unknown_grant"].astype(bool) & (p["care_month"] >= FEED_START)].copy()
    g = grants(manifest).set_index("toekenningsnummer")
    p["main_group"] = p["toekenningsnummer"].map(g["main_group"])
    p["client_key"] = p["toekenningsnummer"].map(g["client_key"])
    p["month_start"] = p["care_month"]
    return p


def support_months(manifest: Path, first: dt.date, last: dt.date) -> pd.DataFrame:
    """The months a grant runs, shaped like flows.care_months: no provider ('pgb' in the provider
    cross-section), an unknown referrer, the product's category."""
    m = granted_months(manifest, first, last)
    products = pd.read_parquet(manifest / "products.parquet")
    category = dict(zip(products["code"], products["category"], strict=True))
    return pd.DataFrame(
        {
            "month_start": m["month_start"],
            "law": m["law"],
            "client_key": m["client_key"],
            "provider_agb": "pgb",
            "product_category": m["product_code"].map(category),
            "product_code": m["product_code"],
            "main_group": m["main_group"],
            "allocation_id": "pgb:" + m["grant"],
            "referrer_type": "onbekend",
            "financing": "pgb",
        }
    )
