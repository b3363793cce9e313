"""Simulate care trajectories: the ground truth every feed is written from.

The simulation runs from a burn-in year to two years past the requested end, and does
not depend on the end date: the end only decides which messages have been sent. A run
with a later end date therefore writes a superset of files, which is what an
incremental nightly load looks like.
"""

from __future__ import annotations

import calendar
import datetime as dt
import heapq
import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from .catalogue import (
    BASE_TARIFF,
    CALIBRATION_YEAR,
    CHANGE_REASON,
    CONTINUING_REASONS,
    GROUPS,
    INDEXATION,
    JEUGD_REFERRERS,
    PROVIDER_COUNTS,
    SHARED_PROVIDERS,
    STOP_REASONS,
    SWITCH_REASON,
    ProductGroup,
    population_factor,
)
from .people import Person, PersonFactory, Wijk
from .profiles import PROFILES, Profile

BURN_IN_START = dt.date(2012, 1, 1)
PHI = (math.sqrt(5) - 1) / 2  # golden ratio step: evenly spread "random" quantiles

SEASON = {
    "wmo": [1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1],
    "jeugd": [1.05, 1.05, 1.1, 1.0, 1.0, 0.95, 0.75, 0.8, 1.1, 1.15, 1.05, 1.0],
}
AGE = {  # (low, mode, high) age in years at the start of care
    "wmo_hh": (60, 82, 99),
    "wmo_amb_zwaar": (19, 45, 85),
    "wmo_amb_middel": (19, 50, 90),
    "wmo_amb_licht": (19, 55, 92),
    "wmo_dagbesteding": (25, 75, 95),
    "wmo_kortverblijf": (65, 84, 99),
    "wmo_vervoer": (55, 80, 99),
    "wmo_rolstoel": (40, 80, 99),
    "wmo_woonvoorz": (40, 78, 99),
    "wmo_hulpmiddel": (40, 80, 99),
    "wmo_bw": (19, 30, 65),
    "wmo_opvang": (19, 35, 65),
    "jgd_pleegzorg": (0, 6, 17),
    "jgd_pleegzorg_deeltijd": (2, 8, 17),
    "jgd_crisis": (8, 15, 17),
    "jgd_jr": (12, 16, 17.9),
    "jgd_jb": (0, 8, 17),
    "jgd_dagbehandeling": (2, 6, 14),
}
DEFAULT_AGE = {"wmo": (19, 70, 99), "jeugd": (3, 12, 17.9)}
RECIDIVISM_SHARE = 0.10
WITHDRAWN_SHARE = 0.015
REJECTED_REQUEST_SHARE = 0.04
MISSING_STOP_SHARE = 0.03
AFSCHALING = {"wmo_amb_zwaar": ("wmo_amb_middel", 0.25), "wmo_amb_middel": ("wmo_amb_licht", 0.20)}
OPSCHALING = {"wmo_amb_licht": ("wmo_amb_middel", 0.06)}
EIGHTEEN_PLUS_SHARE = 0.55  # youths in care at 17.5 who get a request for Wmo support after 18
EIGHTEEN_PLUS_PER_MONTH = 1.3  # resulting Wmo inflow at scale 1, measured on the simulation


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_volume(frequency: str, volume: int, covered_days: int, days_in_month: int, first_month: bool) -> int:
    """Delivered volume for a month: what a provider declares for the days it delivered."""
    if frequency == "1":
        return volume * covered_days
    if frequency == "2":
        return int(volume * covered_days / 7 + 0.5)
    if frequency == "4":
        return int(volume * covered_days / days_in_month + 0.5)
    return volume if first_month else 0  # "6": total within the allocation, declared once


@dataclass
class Provider:
    agb: str
    name: str
    laws: tuple[str, ...]
    weight: float
    intensity: float
    late_submitter: bool
    city: str


@dataclass
class Product:
    code: str
    category: str
    group: str
    law: str
    name: str
    unit: str
    frequency: str
    variant_factor: float
    tariff_cents: dict[int, int] = field(default_factory=dict)  # year -> tariff per unit


@dataclass(slots=True)
class Allocation:
    tid: int
    municipality: str
    law: str
    group: str
    product: str
    category: str
    provider: str
    person: int
    toewijzing: int
    referrer: str
    request_kind: str | None  # "315", "317" or None (allocated by the municipality)
    request_date: dt.date | None
    decision_date: dt.date  # 301 dagtekening and Ingangsdatum
    start: dt.date  # 305 Begindatum
    end: dt.date  # 307 Einddatum (the simulation always knows it; the feed may not yet)
    stop_reason: str
    volume: int
    unit: str
    frequency: str
    versions: list  # [(dagtekening, einddatum or None, reden_wijziging or None)]
    open_ended: bool
    withdrawn: bool = False
    predecessor: int | None = None
    stop_message: bool = True
    # a true return (recidive): the client's earlier care in this category had ended, not continued by a
    # switch of provider or a change of level; the allocation that ended it (its tid)
    returned_after: int | None = None


@dataclass
class RejectedRequest:
    municipality: str
    law: str
    group: str
    product: str
    category: str
    provider: str
    person: int
    referrer: str
    request_date: dt.date
    answer_date: dt.date
    reason: str


@dataclass
class World:
    persons: list[Person]
    providers: list[Provider]
    products: dict[str, Product]
    allocations: list[Allocation]
    rejected_requests: list[RejectedRequest]
    wijken: dict[str, list[Wijk]]
    horizon: dt.date
    calibration: dict[str, float]
    people: PersonFactory  # first-line-only persons (STAPP, CJG) join the same population
    groups: dict[str, ProductGroup]  # the product groups under the municipality's names (profiles.py)
    # per municipality, for a region whose members name the same products differently
    groups_by_municipality: dict[str, dict[str, ProductGroup]]

    def group(self, municipality: str, key: str) -> ProductGroup:
        """A product group under the names of the municipality whose allocation it is."""
        return self.groups_by_municipality[municipality][key]


class Simulator:
    def __init__(
        self,
        seed: int,
        scale: float,
        municipalities: list[str],
        wijken: dict[str, list[Wijk]],
        horizon: dt.date,
        profile: Profile = PROFILES["demo"],
    ):
        self.profile = profile
        self.groups = profile.groups()
        self.seed = seed
        self.scale = scale
        self.municipalities = municipalities
        self.wijken = wijken
        self.horizon = horizon
        self.rng = np.random.default_rng([seed, 1])
        self.people = PersonFactory(seed, wijken)
        self.providers = self._make_providers()
        self.products = self._make_products()
        self.group_providers = self._assign_providers()
        self.allocations: list[Allocation] = []
        self.rejected: list[RejectedRequest] = []
        self._toewijzing = 0
        self._lds: dict[str, int] = {}
        self._used_2019: set[str] = set()
        self._provider_by_agb = {p.agb: p for p in self.providers}
        self._codes = {g.key: [c for c, p in self.products.items() if p.group == g.key] for g in GROUPS}

    # --- field -------------------------------------------------------------------------
    def _make_providers(self) -> list[Provider]:
        rng = np.random.default_rng([self.seed, 2])
        fk = self.people.faker
        n_wmo, n_jgd = PROVIDER_COUNTS["wmo"], PROVIDER_COUNTS["jeugd"]
        total = n_wmo + n_jgd - SHARED_PROVIDERS
        kinds = ["Zorg", "Jeugdhulp", "Welzijn", "Begeleiding", "Thuiszorg", "GGZ", "Zorggroep", "Stichting"]
        providers = []
        for i in range(total):
            if i < SHARED_PROVIDERS:
                laws = ("wmo", "jeugd")
            elif i < n_wmo:
                laws = ("wmo",)
            else:
                laws = ("jeugd",)
            city = fk.city()
            name = f"{kinds[int(rng.integers(0, len(kinds)))]} {fk.last_name().split()[-1]} {city}"
            providers.append(
                Provider(
                    agb=f"{75000000 + i * 37 + int(rng.integers(0, 30)):08d}",
                    name=name,
                    laws=laws,
                    weight=float(rng.pareto(1.2) + 0.15),
                    intensity=float(np.exp(rng.normal(0, 0.12))),
                    late_submitter=bool(rng.random() < 0.1),
                    city=city,
                )
            )
        return providers

    def _make_products(self) -> dict[str, Product]:
        rng = np.random.default_rng([self.seed, 3])
        variants = [
            "basis",
            "plus",
            "intensief",
            "specialistisch",
            "kort",
            "lang",
            "groep",
            "individueel",
            "met vervoer",
            "licht verstandelijk beperkt",
            "ouder-kind",
            "niet-aangeboren hersenletsel",
        ]
        letters: dict[str, int] = {}
        products: dict[str, Product] = {}
        for g in GROUPS:
            letter = chr(65 + letters.get(g.category, 0))
            letters[g.category] = letters.get(g.category, 0) + 1
            for i in range(g.n_products):
                code = self.profile.product_code(g.category, letter, i + 1)
                products[code] = Product(
                    code=code,
                    category=g.category,
                    group=g.key,
                    law=g.law,
                    name=f"{self.groups[g.key].name} {variants[i % len(variants)]}"
                    + (f" {i // len(variants) + 1}" if i >= len(variants) else ""),
                    unit=g.unit,
                    frequency=g.frequency,
                    variant_factor=float(np.exp(rng.normal(0, 0.08))),
                )
        return products

    def _assign_providers(self) -> dict[str, tuple[list[Provider], np.ndarray]]:
        rng = np.random.default_rng([self.seed, 4])
        out = {}
        for g in GROUPS:
            pool = [p for p in self.providers if g.law in p.laws]
            share = min(1.0, max(0.12, g.clients_2019 / 1500))
            k = max(3, int(round(len(pool) * share)))
            chosen_idx = sorted(rng.choice(len(pool), size=min(k, len(pool)), replace=False))
            chosen = [pool[i] for i in chosen_idx]
            weights = np.array([p.weight for p in chosen])
            out[g.key] = (chosen, weights / weights.sum())
        # every provider delivers at least one group
        used = {p.agb for chosen, _ in out.values() for p in chosen}
        for p in self.providers:
            if p.agb not in used:
                g = next(g for g in GROUPS if g.law in p.laws and g.clients_2019 > 500)
                chosen, _ = out[g.key]
                chosen.append(p)
                w = np.array([q.weight for q in chosen])
                out[g.key] = (chosen, w / w.sum())
        return out

    # --- helpers -----------------------------------------------------------------------
    def _quantile(self, key: str) -> float:
        """Evenly spread quantiles per key: keeps small groups close to their targets."""
        k = self._lds.get(key, 0)
        self._lds[key] = k + 1
        offset = (zlib.crc32(key.encode()) % 1000) / 1000
        return (offset + k * PHI) % 1.0 * 0.998 + 0.001

    def _duration_days(self, g: ProductGroup) -> int:
        if g.key == "wmo_woonvoorz":
            return int(self.rng.integers(20, 45))
        sigma = 0.7
        mu = math.log(g.mean_months) - sigma**2 / 2
        months = math.exp(mu + sigma * norm.ppf(self._quantile(g.key + ":dur")))
        return max(7, int(round(months * 30.44)))

    def _age(self, g: ProductGroup) -> float:
        low, mode, high = AGE.get(g.key, DEFAULT_AGE[g.law])
        if g.law == "jeugd" and g.key not in AGE and self.rng.random() < 0.05:
            return float(self.rng.uniform(18, 22.5))  # verlengde jeugdhulp
        return float(self.rng.triangular(low, mode, high))

    def _pick_provider(self, g: ProductGroup, exclude: str | None = None) -> Provider:
        chosen, weights = self.group_providers[g.key]
        for _ in range(10):
            p = chosen[int(self.rng.choice(len(chosen), p=weights))]
            if p.agb != exclude or len(chosen) == 1:
                return p
        return p

    def _product(self, g: ProductGroup) -> Product:
        codes = self._codes[g.key]
        w = np.array([1.0 / (i + 1) for i in range(len(codes))])
        return self.products[codes[int(self.rng.choice(len(codes), p=w / w.sum()))]]

    def _gamma_days(self, mean: float, shape: float = 2.0) -> int:
        return int(round(self.rng.gamma(shape, mean / shape)))

    # --- simulation --------------------------------------------------------------------
    def run(self) -> World:
        for muni in self.municipalities:
            self._simulate_municipality(muni)
        self._add_18plus_requests()
        calibration = self._calibrate_tariffs()
        return World(
            self.people.persons,
            self.providers,
            self.products,
            self.allocations,
            self.rejected,
            self.wijken,
            self.horizon,
            calibration,
            self.people,
            self.groups,
            {m: self.profile.groups_of(m) for m in self.municipalities},
        )

    def _simulate_municipality(self, muni: str) -> None:
        inhabitants = sum(w.inhabitants for w in self.wijken[muni])
        factor = population_factor(inhabitants) * self.scale
        direct = direct_inflow(factor)
        pending: list = []  # heap of (start, seq, kwargs) follow-up trajectories
        leavers: dict[str, list] = {}  # category -> recent (end, person idx)
        ended: list = []  # heap of (end, seq, category, person idx)
        seq = 0
        carry = {g.key: 0.0 for g in GROUPS}
        y, m = BURN_IN_START.year, BURN_IN_START.month
        while month_start(y, m) <= self.horizon:
            first = month_start(y, m)
            while ended and ended[0][0] < first:
                end, _, cat, pidx = heapq.heappop(ended)
                leavers.setdefault(cat, []).append((end, pidx))
            for cat in leavers:
                leavers[cat] = [(e, p) for e, p in leavers[cat] if (first - e).days <= 365]
            for g in GROUPS:
                lam = direct[g.key] * (1 + g.growth) ** (y - CALIBRATION_YEAR)
                lam *= SEASON[g.law][m - 1] / np.mean(SEASON[g.law])
                carry[g.key] += lam
                n = int(carry[g.key])
                carry[g.key] -= n
                for _ in range(n):
                    start = first + dt.timedelta(days=int(self.rng.integers(0, calendar.monthrange(y, m)[1])))
                    a = self._new_trajectory(muni, g, start, leavers.get(g.category, []))
                    if a is not None:
                        seq = self._schedule_followups(a, pending, ended, seq)
            while pending and pending[0][0] < add_months(first, 1):
                _, _, kwargs = heapq.heappop(pending)
                a = self._make_allocation(**kwargs)
                seq = self._schedule_followups(a, pending, ended, seq)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    def _schedule_followups(self, a: Allocation, pending: list, ended: list, seq: int) -> int:
        seq += 1
        heapq.heappush(ended, (a.end, seq, a.category, a.person))
        if a.withdrawn or a.stop_reason not in CONTINUING_REASONS:
            return seq
        g = next(x for x in GROUPS if x.key == a.group)
        if a.stop_reason == SWITCH_REASON:
            provider = self._pick_provider(g, exclude=a.provider).agb
            new_group = g
        else:
            new_key = (AFSCHALING.get(a.group) or OPSCHALING.get(a.group))[0]
            new_group = next(x for x in GROUPS if x.key == new_key)
            provider = a.provider
        start = a.end + dt.timedelta(days=1)
        heapq.heappush(
            pending,
            (
                start,
                seq,
                dict(
                    muni=a.municipality,
                    g=new_group,
                    person=self.people.persons[a.person],
                    start=start,
                    provider=provider,
                    referrer="01",
                    request_kind="317" if a.stop_reason == CHANGE_REASON else None,
                    request_date=a.end - dt.timedelta(days=21) if a.stop_reason == CHANGE_REASON else None,
                    decision_date=a.end - dt.timedelta(days=int(self.rng.integers(3, 18))),
                    predecessor=a.tid,
                ),
            ),
        )
        return seq + 1

    def _new_trajectory(self, muni: str, g: ProductGroup, start: dt.date, leavers: list) -> Allocation | None:
        person = None
        returned_after = None
        if leavers and g.key not in ("wmo_woonvoorz",) and self.rng.random() < RECIDIVISM_SHARE:
            for _ in range(5):
                end, pidx = leavers[int(self.rng.integers(0, len(leavers)))]
                cand = self.people.persons[pidx]
                if cand.death is None and cand.history.get(g.category, dt.date.min) < start:
                    person = cand
                    ended_by = cand.history.get(("ended_by", g.category))
                    # care that ended in a switch or a change of level goes on: that is no return
                    continued = ended_by is not None and self.allocations[ended_by].stop_reason in CONTINUING_REASONS
                    returned_after = None if continued else ended_by
                    break
        if person is None:
            age = self._age(g)
            birth = start - dt.timedelta(days=int(age * 365.25))
            person = self.people.new(muni, birth)
        if g.law == "jeugd":
            referrer = str(self.rng.choice(list(JEUGD_REFERRERS), p=list(JEUGD_REFERRERS.values())))
        else:
            referrer = "01"
        wait_mean = 40 if g.category in ("43", "44") else (25 if g.law == "jeugd" else 18)
        wait = self._gamma_days(wait_mean)
        decision = start - dt.timedelta(days=wait)
        request_kind = request_date = None
        if referrer != "01":
            request_kind = "315"
            request_date = decision - dt.timedelta(days=max(1, self._gamma_days(10)))
            if self.rng.random() < REJECTED_REQUEST_SHARE:
                product = self._product(g)
                self.rejected.append(
                    RejectedRequest(
                        muni,
                        g.law,
                        g.key,
                        product.code,
                        g.category,
                        self._pick_provider(g).agb,
                        person.idx,
                        referrer,
                        request_date,
                        request_date + dt.timedelta(days=int(self.rng.integers(2, 12))),
                        str(self.rng.choice(["3", "4", "7", "8"])),
                    )
                )
                return None
        a = self._make_allocation(muni, g, person, start, None, referrer, request_kind, request_date, decision, None)
        a.returned_after = returned_after
        return a

    def _make_allocation(
        self, muni, g, person, start, provider, referrer, request_kind, request_date, decision_date, predecessor
    ) -> Allocation:
        if provider is None:
            if start.year == CALIBRATION_YEAR:
                provider = self._unused_provider(g) or self._pick_provider(g).agb
            else:
                provider = self._pick_provider(g).agb
        prov = self._provider_by_agb[provider]
        product = self._product(g)
        duration = self._duration_days(g)
        end = start + dt.timedelta(days=duration)
        if person.death is not None and end > person.death:
            end = max(start, person.death)
        q = self._quantile(g.key + ":vol")
        base_volume = g.volume[min(int(q * len(g.volume)), len(g.volume) - 1)]
        volume = (
            base_volume if g.unit in ("83",) or g.volume == (1,) else max(1, int(round(base_volume * prov.intensity)))
        )
        reasons = STOP_REASONS[g.law]
        stop = str(self.rng.choice(list(reasons), p=np.array(list(reasons.values())) / sum(reasons.values())))
        shift = AFSCHALING.get(g.key) or OPSCHALING.get(g.key)
        if shift and self.rng.random() < shift[1]:
            stop = CHANGE_REASON
        elif stop == CHANGE_REASON:
            stop = "19" if g.law == "wmo" else "31"
        if stop == "02" and g.law == "jeugd":
            stop = "31"
        self._toewijzing += 1
        # ToewijzingNummer is at most 999999999: municipality position, then an 8-digit sequence
        toewijzing = (self.municipalities.index(muni) + 1) * 100_000_000 + self._toewijzing
        withdrawn = predecessor is None and self.rng.random() < WITHDRAWN_SHARE
        validity = 3 if g.key == "wmo_woonvoorz" else 12
        versions = []
        if g.open_ended:
            versions.append((decision_date, None, None))
        else:
            alloc_end = add_months(decision_date, validity) - dt.timedelta(days=1)
            versions.append((decision_date, alloc_end, None))
            while alloc_end < end and not withdrawn:
                change = alloc_end - dt.timedelta(days=21)
                alloc_end = add_months(alloc_end, 12)
                versions.append((max(change, decision_date + dt.timedelta(days=1)), alloc_end, "04"))
        if withdrawn:
            versions.append((decision_date + dt.timedelta(days=int(self.rng.integers(3, 20))), decision_date, "13"))
        a = Allocation(
            tid=len(self.allocations),
            municipality=muni,
            law=g.law,
            group=g.key,
            product=product.code,
            category=g.category,
            provider=provider,
            person=person.idx,
            toewijzing=toewijzing,
            referrer=referrer,
            request_kind=request_kind,
            request_date=request_date,
            decision_date=decision_date,
            start=start,
            end=end,
            stop_reason=stop,
            volume=volume,
            unit=g.unit,
            frequency=g.frequency,
            versions=versions,
            open_ended=g.open_ended,
            withdrawn=withdrawn,
            predecessor=predecessor,
            stop_message=not (self.rng.random() < MISSING_STOP_SHARE),
        )
        if predecessor is not None and request_kind == "317":
            pred = self.allocations[predecessor]
            if not pred.open_ended:  # the change shortens the old allocation (RedenWijziging 05)
                pred.versions.append((decision_date, pred.end, "05"))
                pred.versions.sort(key=lambda v: v[0])
        if not withdrawn:
            if end >= person.history.get(g.category, dt.date.min):
                person.history[("ended_by", g.category)] = a.tid
            person.history[g.category] = max(person.history.get(g.category, dt.date.min), end)
            if stop == "02":
                person.death = end
        self.allocations.append(a)
        return a

    def _unused_provider(self, g: ProductGroup) -> str | None:
        """Make sure every contracted provider has clients in the calibration year."""
        chosen, _ = self.group_providers[g.key]
        unused = [p.agb for p in chosen if p.agb not in self._used_2019]
        pick = unused[0] if unused and self.rng.random() < 0.5 else None
        if pick:
            self._used_2019.add(pick)
        return pick

    def _add_18plus_requests(self) -> None:
        """Youths in care at 17.5: most get a request for care after 18 (Wmo begeleiding)."""
        g = next(x for x in GROUPS if x.key == "wmo_amb_middel")
        for a in list(self.allocations):
            if a.law != "jeugd" or a.withdrawn:
                continue
            p = self.people.persons[a.person]
            at_17_5 = p.birth + dt.timedelta(days=int(17.5 * 365.25))
            eighteen = add_months(p.birth, 18 * 12)
            if not (a.start <= at_17_5 <= a.end) or p.history.get("18plus") or eighteen > self.horizon:
                continue
            p.history["18plus"] = True
            if self.rng.random() < EIGHTEEN_PLUS_SHARE:
                request = at_17_5 + dt.timedelta(days=int(self.rng.integers(10, 150)))
                decision = max(request + dt.timedelta(days=10), eighteen - dt.timedelta(days=20))
                start = max(eighteen, decision + dt.timedelta(days=7))
                self._make_allocation(a.municipality, g, p, start, None, "01", "315", request, decision, None)

    # --- tariffs -----------------------------------------------------------------------
    def _calibrate_tariffs(self) -> dict[str, float]:
        """Set tariffs so that 2019 spending per group equals the calibration target."""
        years = range(BURN_IN_START.year, self.horizon.year + 1)
        for p in self.products.values():
            base = BASE_TARIFF[p.unit] * p.variant_factor
            p.tariff_cents = {y: base * (1 + INDEXATION) ** (y - CALIBRATION_YEAR) for y in years}
        raw: dict[str, float] = {g.key: 0.0 for g in GROUPS}
        for a in self.allocations:
            if a.withdrawn or a.start.year > CALIBRATION_YEAR or a.end.year < CALIBRATION_YEAR:
                continue
            tariff = self.products[a.product].tariff_cents[CALIBRATION_YEAR]
            for first, last in months_between(
                max(a.start, dt.date(CALIBRATION_YEAR, 1, 1)), min(a.end, dt.date(CALIBRATION_YEAR, 12, 31))
            ):
                covered = (last - first).days + 1
                vol = month_volume(
                    a.frequency, a.volume, covered, calendar.monthrange(first.year, first.month)[1], first <= a.start
                )
                raw[a.group] += vol * tariff
        factors = {}
        for g in GROUPS:
            inhabitants = sum(w.inhabitants for m in self.municipalities for w in self.wijken[m])
            target = g.clients_2019 * g.avg_cost_2019 * population_factor(inhabitants) * self.scale
            factors[g.key] = target / raw[g.key] if raw[g.key] else 1.0
        for p in self.products.values():
            k = factors[p.group]
            p.tariff_cents = {y: max(1, int(round(v * k * 100))) for y, v in p.tariff_cents.items()}
        return factors


def expected_inflow(g: ProductGroup, factor: float) -> float:
    """Monthly starts in the calibration year that give ``clients_2019`` distinct clients.

    Distinct clients in a year = clients already in care on 1 January (inflow x mean
    duration, discounted for growth over that duration) + a year of inflow; clients who
    return within the year (recidivism) are counted once, hence the last factor.
    """
    stock_months = g.mean_months * (1 + g.growth) ** (-g.mean_months / 24)
    return g.clients_2019 * factor / (stock_months + 12) / (1 - RECIDIVISM_SHARE / 2)


def direct_inflow(factor: float) -> dict[str, float]:
    """Inflow from outside, net of clients who arrive by scaling up or down from another group."""
    total = {g.key: expected_inflow(g, factor) for g in GROUPS}
    direct = dict(total)
    for source, (target, share) in {**AFSCHALING, **OPSCHALING}.items():
        direct[target] -= share * total[source]
    direct["wmo_amb_middel"] -= EIGHTEEN_PLUS_PER_MONTH * factor
    return {k: max(v, 0.0) for k, v in direct.items()}


def months_between(first: dt.date, last: dt.date):
    """Yield (first day, last day) of each calendar-month piece of [first, last]."""
    cur = first
    while cur <= last:
        end = min(last, month_end(cur.year, cur.month))
        yield cur, end
        cur = end + dt.timedelta(days=1)
