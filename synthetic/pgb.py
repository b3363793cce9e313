"""Personal budgets (pgb) as the SVB reports them to the municipality under the trekkingsrecht.

Part of Wmo and Jeugd support is granted as a pgb: the budget holder buys the care and the SVB pays
the care provider from the budget, so none of it passes through iWmo/iJw invoices. The shares follow
what a city like Haarlem spends this way (about 7% of Wmo and 10% of Jeugd spending in kind, 003 §2.2.1
names the SVB as a source), calibrated on the simulated spending in kind so that the split holds at any
scale. What the feed holds:

- a full register of grants (toekenningen): budget holder and client (a parent for a youth), law,
  the municipality's product code, period, granted amount, what has been spent and what is left;
- monthly payment files: per care agreement (formal, with an AGB code, or informal) and care month,
  with corrections as negative payments that name the payment they correct.

Some pgb clients also have care in kind, under the same or the other law, so a distinct count of
clients must count them once. Its own random stream ([seed, 41]) keeps the other feeds' choices; the
persons it adds come from the shared population (their BSNs must not collide).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .exports import Exports, csv_bytes, monthly, nl_amount, nl_date
from .simulate import add_months, month_end

# euros a month granted per product group: what a budget holder typically receives for it
MONTHLY_EUROS = {
    "wmo_hh": 320,
    "wmo_amb_licht": 520,
    "wmo_amb_middel": 880,
    "wmo_amb_zwaar": 1450,
    "wmo_dagbesteding": 760,
    "wmo_kortverblijf": 430,
    "jgd_ambulant": 1150,
    "jgd_dagbehandeling": 1700,
}
SHARE_OF_SPENDING_IN_KIND = {"wmo": 0.07, "jeugd": 0.10}
MEAN_USE = 0.84  # budget holders spend on average this share of their budget: the rest is unspent
IN_KIND_SHARE = {"wmo": 0.35, "jeugd": 0.30}  # pgb clients who also have care in kind at the start
CORRECTION_RATE = 0.02
REGISTER = "svb/toekenningen/svb_toekenningen_{stamp}.csv"
PAYMENTS = "svb/betalingen/svb_betalingen_{month:%Y%m}.csv"
REGISTER_HEADER = [
    "toekenningsnummer",
    "bsn_budgethouder",
    "naam_budgethouder",
    "bsn_client",
    "wet",
    "productcode",
    "ingangsdatum",
    "einddatum",
    "toegekend_bedrag",
    "besteed_bedrag",
    "resterend_bedrag",
    "gemeentecode",
]
PAYMENT_HEADER = [
    "betalingsnummer",
    "toekenningsnummer",
    "zorgovereenkomst",
    "soort_zorgverlener",
    "agb_code",
    "zorgmaand",
    "bedrag",
    "betaaldatum",
    "correctie_op",
]


@dataclass
class Grant:
    number: str
    municipality: str
    law: str
    group: str
    product: str
    client: int  # person idx
    holder: int  # person idx: the client, a representative or (for a youth) a parent
    start: dt.date
    end: dt.date
    monthly_cents: int
    use: float
    agreements: list[tuple[str, str, str]]  # (number, formeel/informeel, agb code or '')
    in_kind: bool  # the client has care in kind at the start of the grant
    holder_is_parent: bool

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def amount_cents(self) -> int:
        return self.monthly_cents * self.months


class Pgb:
    """Grants and payments for every municipality of the world; writes the svb/ feed and its truth."""

    def __init__(self, exports: Exports):
        self.x = exports
        self.w = exports.w
        self.rng = np.random.default_rng([exports.seed, 41])
        self.grants: list[Grant] = []

    def write(self) -> None:
        for municipality in sorted({a.municipality for a in self.w.allocations}):
            for law in ("wmo", "jeugd"):
                self._grants(municipality, law)
        for g in self.grants:  # pgb clients are in SUITE4's client register like every client with a decision
            self.x._cn(g.client)
        self._payments_and_register()

    # --- grants ---------------------------------------------------------------------------
    def _yearly_spending_in_kind(self, municipality: str, law: str) -> float:
        con = self.x._lines()
        cents, years = con.execute(
            """select sum(case when debit_credit = 'D' then amount_cents else -amount_cents end),
                      count(distinct year(period_first))
               from lines join allocation_groups g using (tid)
               where status = 'accepted' and law = ? and g.municipality = ?""",
            [law, municipality],
        ).fetchone()
        con.close()
        return (cents or 0) / max(years or 1, 1)

    def _grants(self, municipality: str, law: str) -> None:
        groups = [k for k in MONTHLY_EUROS if k.startswith("wmo" if law == "wmo" else "jgd")]
        weights = np.array([1.0 / MONTHLY_EUROS[k] for k in groups])  # cheaper care is granted more often
        weights /= weights.sum()
        mean_monthly = float(sum(w * MONTHLY_EUROS[k] for w, k in zip(weights, groups, strict=True))) * 100
        target = SHARE_OF_SPENDING_IN_KIND[law] * self._yearly_spending_in_kind(municipality, law) / 12
        active = target / (mean_monthly * MEAN_USE)  # grants running at any time
        mean_trajectory_months = 22.0  # one to three yearly grants in a row
        starts_per_month = active / mean_trajectory_months
        products = {
            k: sorted(p.code for p in self.w.products.values() if p.group == k and p.law == law) for k in groups
        }
        in_kind = [a for a in self.w.allocations if a.law == law and a.municipality == municipality]
        month = add_months(self.x.start.replace(day=1), -12)  # running grants at the first delivery
        last = self.x.end.replace(day=1)
        while month <= last:
            for _ in range(int(self.rng.poisson(starts_per_month))):
                key = groups[int(self.rng.choice(len(groups), p=weights))]
                if products[key]:
                    self._trajectory(municipality, law, key, products[key], month, in_kind)
            month = add_months(month, 1)

    def _trajectory(self, municipality, law, key, codes, month, in_kind) -> None:
        rng = self.rng
        client = self._client_in_kind(in_kind, month) if rng.random() < IN_KIND_SHARE[law] else None
        use_existing = client is not None
        if client is None:
            years = rng.uniform(3, 16) if law == "jeugd" else rng.uniform(20, 90)
            birth = month - dt.timedelta(days=int(years * 365.25))
            client = self.x.people.new(municipality, birth).idx
        person = self.w.persons[client]
        age = (month - person.birth).days / 365.25
        parent = age < 18
        if parent:
            holder = self.x.people.new(
                municipality, person.birth - dt.timedelta(days=int(rng.uniform(22, 42) * 365))
            ).idx
        elif rng.random() < 0.1:  # a representative (a son or daughter) holds the budget
            holder = self.x.people.new(
                municipality, person.birth + dt.timedelta(days=int(rng.uniform(22, 35) * 365))
            ).idx
        else:
            holder = client
        product = codes[int(rng.integers(0, len(codes)))]
        monthly_cents = int(round(MONTHLY_EUROS[key] * rng.uniform(0.8, 1.2))) * 100
        start = month
        for _ in range(1 + int(rng.choice(3, p=[0.45, 0.35, 0.20]))):
            n_months = 12 if rng.random() < 0.8 else 6
            last = add_months(start, n_months - 1)
            end = month_end(last.year, last.month)
            self.grants.append(
                Grant(
                    number=f"PGB{municipality}{len(self.grants) + 1:06d}",
                    municipality=municipality,
                    law=law,
                    group=key,
                    product=product,
                    client=client,
                    holder=holder,
                    start=start,
                    end=end,
                    monthly_cents=monthly_cents,
                    use=float(np.clip(rng.normal(MEAN_USE, 0.12), 0.35, 1.0)),
                    agreements=self._agreements(law),
                    in_kind=bool(use_existing),
                    holder_is_parent=parent,
                )
            )
            start = add_months(start, n_months)
            if start > self.x.end:
                break

    def _client_in_kind(self, in_kind: list, month: dt.date) -> int | None:
        """A person whose care in kind under this law runs in ``month`` (random draws, not a scan: fast at scale)."""
        for _ in range(60 if in_kind else 0):
            a = in_kind[int(self.rng.integers(0, len(in_kind)))]
            if a.start <= month <= a.end and not self.w.persons[a.person].death:
                return a.person
        return None

    def _agreements(self, law: str) -> list[tuple[str, str, str]]:
        """One or two care agreements: a formal provider (AGB code) or an informal carer (none)."""
        providers = sorted(p.agb for p in self.w.providers if law in p.laws)
        out = []
        for i in range(1 + int(self.rng.random() < 0.3)):
            formal = self.rng.random() < 0.55
            agb = providers[int(self.rng.integers(0, len(providers)))] if formal else ""
            out.append((f"ZO{len(self.grants) + 1:06d}-{i + 1}", "formeel" if formal else "informeel", agb))
        return out

    # --- payments and the register ---------------------------------------------------------
    def _payments_and_register(self) -> None:
        x, rng = self.x, self.rng
        delivered_months = {m for m, _ in monthly(x.start, x.end)}
        payments: list[dict] = []
        for g in self.grants:
            month = g.start
            while month <= g.end and month <= x.end:
                spend = int(round(g.monthly_cents * g.use * rng.uniform(0.85, 1.15)))
                spend = min(spend, g.monthly_cents)
                shares = [1.0] if len(g.agreements) == 1 else [0.6, 0.4]
                for (agreement, kind, agb), share in zip(g.agreements, shares, strict=True):
                    cents = int(round(spend * share))
                    if cents <= 0:
                        continue
                    paid = month_end(month.year, month.month) + dt.timedelta(days=int(rng.integers(5, 26)))
                    payments.append(self._payment(g, agreement, kind, agb, month, cents, paid, None))
                    if rng.random() < CORRECTION_RATE:  # paid too much: part is reclaimed a month or two later
                        back = -int(round(cents * rng.uniform(0.2, 1.0)))
                        later = paid + dt.timedelta(days=int(rng.integers(25, 70)))
                        payments.append(self._payment(g, agreement, kind, agb, month, back, later, payments[-1]))
                month = add_months(month, 1)
        for p in payments:
            p["delivered"] = p["paid_date"].replace(day=1) in delivered_months and p["paid_date"] >= x.start
        self._write_payments([p for p in payments if p["delivered"]])
        self._write_register(payments)
        for p in payments:
            corrects = p.pop("corrects", None)
            p.setdefault("correctie_op", corrects and corrects["betalingsnummer"])
            p.setdefault("unknown_grant", False)
        x.truth["pgb_payments"] = payments

    def _payment(self, g: Grant, agreement, kind, agb, month, cents, paid, corrects: dict | None) -> dict:
        return {
            "betalingsnummer": None,  # numbered in order of payment when written
            "toekenningsnummer": g.number,
            "municipality": g.municipality,
            "law": g.law,
            "product": g.product,
            "product_group": g.group,
            "zorgovereenkomst": agreement,
            "kind": kind,
            "agb": agb or None,
            "care_month": month,
            "cents": cents,
            "paid_date": paid,
            "corrects": corrects,
        }

    def _write_payments(self, payments: list[dict]) -> None:
        payments.sort(key=lambda p: (p["paid_date"], p["toekenningsnummer"], p["zorgovereenkomst"], p["cents"] < 0))
        for i, p in enumerate(payments):
            p["betalingsnummer"] = f"SVB{i + 1:09d}"
        unknown = payments[len(payments) // 2] if payments else None
        by_month: dict[dt.date, list[list]] = {}
        for p in payments:
            grant = p["toekenningsnummer"]
            if p is unknown:  # a payment on a grant the register does not hold (a defect the steward must see)
                grant = "PGB-ONBEKEND"
            corrects = p.pop("corrects")
            p["correctie_op"] = corrects["betalingsnummer"] if corrects else None
            p["unknown_grant"] = p is unknown
            by_month.setdefault(p["paid_date"].replace(day=1), []).append(
                [
                    p["betalingsnummer"],
                    grant,
                    p["zorgovereenkomst"],
                    p["kind"],
                    p["agb"] or "",
                    nl_date(p["care_month"]),
                    nl_amount(p["cents"]),
                    nl_date(p["paid_date"]),
                    p["correctie_op"] or "",
                ]
            )
        for month, rows in sorted(by_month.items()):
            rel = PAYMENTS.format(month=month)
            self.x.out.write(rel, csv_bytes(PAYMENT_HEADER, rows))
            if unknown is not None and unknown["paid_date"].replace(day=1) == month:
                line = 2 + next(i for i, r in enumerate(rows) if r[0] == unknown["betalingsnummer"])
                self.x.out.defect(rel, line, "toekenningsnummer", "unknown_grant", "not in the SVB register")

    def _write_register(self, payments: list[dict]) -> None:
        x = self.x
        spent: dict[str, int] = {}
        for p in payments:
            if p["delivered"] and not p.get("unknown_grant"):
                spent[p["toekenningsnummer"]] = spent.get(p["toekenningsnummer"], 0) + p["cents"]
        rel = REGISTER.format(stamp=x.stamp)
        rows, truth = [], []
        for g in self.grants:
            if g.start > x.end:
                continue
            client, holder = self.w.persons[g.client], self.w.persons[g.holder]
            bsn_client = client.bsn
            if self.rng.random() < x.rates["invalid_bsn"]:
                bsn_client = bsn_client[:-1] + str((int(bsn_client[-1]) + 1) % 10)
                x.out.defect(rel, len(rows) + 2, "bsn_client", "bsn_fails_elfproef", "last digit mistyped")
            paid = spent.get(g.number, 0)
            rows.append(
                [
                    g.number,
                    holder.bsn,
                    " ".join(part for part in (holder.first_name, holder.prefix, holder.last_name) if part),
                    bsn_client,
                    g.law,
                    g.product,
                    nl_date(g.start),
                    nl_date(g.end),
                    nl_amount(g.amount_cents),
                    nl_amount(paid),
                    nl_amount(g.amount_cents - paid),
                    g.municipality,
                ]
            )
            truth.append(
                {
                    "toekenningsnummer": g.number,
                    "municipality": g.municipality,
                    "law": g.law,
                    "product": g.product,
                    "product_group": g.group,
                    "bsn": client.bsn,
                    "bsn_in_feed": bsn_client,
                    "holder_bsn": holder.bsn,
                    "holder_is_client": g.holder == g.client,
                    "holder_is_parent": g.holder_is_parent,
                    "in_kind_at_start": g.in_kind,
                    "start": g.start,
                    "end": g.end,
                    "amount_cents": g.amount_cents,
                    "spent_cents": paid,
                }
            )
        x.out.write(rel, csv_bytes(REGISTER_HEADER, rows))
        x.truth["pgb_grants"] = truth
