"""Write the iWmo/iJw message traffic of the simulated world into the landing zone.

One file per message, in a folder per Dagtekening, as SUITE4SociaalDomein exports the
message traffic. Only messages dated up to the end date are written; the truth tables
record both what happened and what the messages delivered by then say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from lxml import etree

from . import istandaard as ist
from .output import LINE_SCHEMA, MESSAGE_SCHEMA, Output, TableSink
from .simulate import Allocation, World, add_months, month_end, month_volume

LAW_PREFIX = {"wmo": "WMO", "jeugd": "JW"}
CONTRACT_TERM_DAYS = 60  # invoices are due within 60 days after the end of the month of delivery
# One provider invoices more from April of the last invoiced year: the case programming's
# early warning must catch (issue 8). The second-largest provider of Jeugdhulp ambulant,
# so the case is material without being the obvious one.
OVERSPEND_GROUP, OVERSPEND_MONTH, OVERSPEND_FACTOR = "jgd_ambulant", 4, 1.6


class Traffic:
    def __init__(self, world: World, out: Output, feed_start: dt.date, seed: int, rates: dict[str, float]):
        self.w, self.out, self.feed_start, self.end = world, out, feed_start, out.end_date
        self.rng = np.random.default_rng([seed, 11])
        self.rates = rates
        self.counters: dict[str, int] = defaultdict(int)
        self.messages = TableSink(out.manifest / "messages.parquet", MESSAGE_SCHEMA)
        self.lines = TableSink(out.manifest / "declaration_lines.parquet", LINE_SCHEMA)
        self.known: dict[int, dict] = defaultdict(dict)  # tid -> what the delivered messages say
        self.muni_name = {m: ws[0].municipality_name for m, ws in world.wijken.items()}
        self.broken = False  # the feed's one malformed file: the first answer (319) after a year

    def close(self) -> None:
        self.messages.close()
        self.lines.close()

    # --- plumbing ----------------------------------------------------------------------
    def _client(self, person_idx: int) -> ist.Client:
        p = self.w.persons[person_idx]
        return ist.Client(
            p.bsn,
            p.birth,
            p.gender,
            p.last_name,
            p.prefix,
            p.first_name,
            p.postcode,
            p.house_number,
            self.muni_name[p.municipality],
        )

    def _ident(self, sender: str) -> str:
        self.counters[sender] += 1
        return f"{self.counters[sender]:012d}"[-12:]

    def _emit(self, law: str, kind: str, sender: str, date: dt.date, build, **facts) -> str | None:
        """Write one message dated ``date`` if it was sent by the end date; returns its path."""
        if date > self.end or date < self.feed_start:
            return None
        ident = self._ident(sender)
        text = build(ident)
        rel = f"suite4/berichten/{date:%Y-%m-%d}/{LAW_PREFIX[law]}{kind}_{sender}_{ident}.xml"
        data = text.encode("utf-8")
        malformed = kind == "319" and not self.broken and (date - self.feed_start).days > 365
        if malformed:
            data, self.broken = data[: len(data) // 2], True
            self.out.defect(rel, "-", "-", "malformed_xml", "file truncated halfway")
        self.out.write(rel, data)
        self.messages.add(
            {
                "file": rel,
                "law": law,
                "kind": kind,
                "sender": sender,
                "identificatie": ident,
                "dagtekening": date,
                "malformed": malformed,
                **{k: str(v) for k, v in facts.items()},
            }
        )
        if kind in ("305", "307") and self.rng.random() < self.rates["duplicate_message"]:
            self._duplicate(rel, text, law, kind, sender, ident, date)
        return rel

    def _duplicate(self, rel, text, law, kind, sender, ident, date) -> None:
        """The same message (same sender and identification) received again, re-serialised."""
        pretty = etree.tostring(
            etree.fromstring(text.encode()), pretty_print=True, xml_declaration=True, encoding="UTF-8"
        )
        resent = date + dt.timedelta(days=int(self.rng.integers(0, 3)))
        if resent > self.end:
            return
        dup = f"suite4/berichten/{resent:%Y-%m-%d}/{LAW_PREFIX[law]}{kind}_{sender}_{ident}_resent.xml"
        self.out.write(dup, pretty)
        self.messages.add(
            {
                "file": dup,
                "law": law,
                "kind": kind,
                "sender": sender,
                "identificatie": ident,
                "dagtekening": date,
                "duplicate_of": rel,
                "malformed": False,
            }
        )
        self.out.defect(dup, ident, "BerichtIdentificatie", "duplicate_message", f"same message as {rel}")

    # --- allocations (301) -------------------------------------------------------------
    def allocations(self) -> None:
        pairs: dict[tuple, list[Allocation]] = defaultdict(list)
        for a in self.w.allocations:
            pairs[(a.municipality, a.person, a.provider, a.law)].append(a)
        for (muni, person, provider, law), allocs in pairs.items():
            dates = sorted({v[0] for a in allocs for v in a.versions})
            initial = any(a.versions[0][0] < self.feed_start and self._current(a, self.feed_start) for a in allocs)
            if initial:
                dates = [self.feed_start] + [d for d in dates if d > self.feed_start]
            for d in dates:
                if d > self.end or d < self.feed_start:
                    continue
                current = [
                    a for a in allocs if a.versions[0][0] <= d and (self._current(a, d) or self._changed_on(a, d))
                ]
                if not current:
                    continue
                products = []
                for a in current:
                    _, end, reason = self._version(a, d)
                    products.append(
                        ist.AllocatedProduct(
                            a.toewijzing,
                            a.category,
                            a.product,
                            a.decision_date,
                            a.decision_date,
                            end,
                            reason,
                            a.volume,
                            a.unit,
                            a.frequency,
                            f"VOT{a.tid}" if a.request_kind == "315" else None,
                        )
                    )
                    self.known[a.tid]["allocation_end"] = end
                    self.known[a.tid]["allocated"] = True
                    self.known[a.tid]["withdrawn_known"] = reason == "13"
                flagged = self._implausible_end(products)
                rel = self._emit(
                    law,
                    "301",
                    muni,
                    d,
                    lambda i, p=products: ist.toewijzing(law, muni, provider, i, d, self._client(person), p),
                    toewijzingen=",".join(str(p.toewijzing) for p in products),
                )
                for number in flagged if rel else []:
                    self.out.defect(rel, number, "Einddatum", "implausible_date", "31-12-2999 for an open end date")

    def _implausible_end(self, products: list[ist.AllocatedProduct]) -> list[int]:
        """SUITE4 sometimes fills an open end date with 31-12-2999 instead of leaving it out."""
        flagged = []
        for p in products:
            if p.end is None and self.rng.random() < self.rates["implausible_date"] * 5:
                p.end = dt.date(2999, 12, 31)
                flagged.append(p.toewijzing)
        return flagged

    @staticmethod
    def _version(a: Allocation, d: dt.date):
        current = a.versions[0]
        for v in a.versions:
            if v[0] <= d:
                current = v
        return current

    def _current(self, a: Allocation, d: dt.date) -> bool:
        end = self._version(a, d)[1]
        return end is None or end >= d

    @staticmethod
    def _changed_on(a: Allocation, d: dt.date) -> bool:
        return any(v[0] == d for v in a.versions)

    # --- start, stop, requests ---------------------------------------------------------
    def starts_and_stops(self) -> None:
        for a in self.w.allocations:
            if a.withdrawn:
                continue
            self._requests(a)
            client = self._client(a.person)
            item = lambda start, status, end=None, reason=None: ist.StartStop(  # noqa: E731
                a.toewijzing, a.category, a.product, a.decision_date, start, status, end, reason
            )
            sent = a.start + dt.timedelta(days=int(self.rng.integers(0, 10)))
            if a.start < self.feed_start <= a.end:
                sent = self.feed_start
            roll = self.rng.random()
            if roll < 0.02:  # first a wrong start date, then a correction (StatusAanlevering 2)
                wrong = a.start - dt.timedelta(days=int(self.rng.integers(1, 6)))
                self._start(a, client, sent, [item(wrong, "1")], wrong)
                self._start(a, client, sent + dt.timedelta(days=3), [item(a.start, "2")], a.start)
            elif roll < 0.03:  # a start sent, deleted (3) and sent again
                wrong = a.start + dt.timedelta(days=int(self.rng.integers(1, 6)))
                self._start(a, client, sent, [item(wrong, "1")], wrong)
                self._start(a, client, sent + dt.timedelta(days=2), [item(wrong, "3")], None)
                self._start(a, client, sent + dt.timedelta(days=4), [item(a.start, "1")], a.start)
            else:
                self._start(a, client, sent, [item(a.start, "1")], a.start)
            if a.stop_message and a.end <= self.w.horizon:
                stop_sent = a.end + dt.timedelta(days=int(self.rng.integers(1, 14)))
                rel = self._emit(
                    a.law,
                    "307",
                    a.provider,
                    stop_sent,
                    lambda i: ist.start_stop(
                        a.law,
                        "307",
                        a.provider,
                        a.municipality,
                        i,
                        stop_sent,
                        client,
                        [item(a.start, "1", a.end, a.stop_reason)],
                    ),
                    toewijzing=a.toewijzing,
                )
                if rel:
                    self.known[a.tid].update(stop_date=a.end, stop_reason=a.stop_reason, stop_sent=stop_sent)
            elif not a.stop_message and a.end <= self.end:
                self.out.defect(
                    "suite4/berichten",
                    a.toewijzing,
                    "307",
                    "missing_stop_message",
                    "care ended without a stop message; the allocation's end applies",
                )

    def _start(self, a: Allocation, client, sent: dt.date, items, known_start) -> None:
        rel = self._emit(
            a.law,
            "305",
            a.provider,
            sent,
            lambda i: ist.start_stop(a.law, "305", a.provider, a.municipality, i, sent, client, items),
            toewijzing=a.toewijzing,
        )
        if rel:
            self.known[a.tid]["start"] = known_start
            self.known[a.tid]["start_sent"] = sent

    def _requests(self, a: Allocation) -> None:
        if a.request_kind == "315":
            provider = a.provider
            ref = f"VOT{a.tid}"
            end = add_months(a.start, 12)
            code = None if a.referrer in ("01", "06") else f"{int(self.rng.integers(1, 99999999)):08d}"
            self._emit(
                a.law,
                "315",
                provider,
                a.request_date,
                lambda i: ist.verzoek_om_toewijzing(
                    a.law,
                    provider,
                    a.municipality,
                    i,
                    a.request_date,
                    self._client(a.person),
                    ref,
                    a.category,
                    a.product,
                    a.start,
                    end,
                    a.volume,
                    a.unit,
                    a.frequency,
                    a.referrer,
                    code,
                ),
                toewijzing=a.toewijzing,
            )
            if (a.decision_date - a.request_date).days > 7:
                answer = a.request_date + dt.timedelta(days=3)
                self._emit(
                    a.law,
                    "319",
                    a.municipality,
                    answer,
                    lambda i: ist.antwoord(a.law, a.municipality, provider, i, answer, ref, "2", None),
                )
        elif a.request_kind == "317" and a.predecessor is not None:
            pred = self.w.allocations[a.predecessor]
            bsn = self.w.persons[a.person].bsn
            self._emit(
                a.law,
                "317",
                a.provider,
                a.request_date,
                lambda i: ist.verzoek_om_wijziging(
                    a.law,
                    a.provider,
                    a.municipality,
                    i,
                    a.request_date,
                    bsn,
                    f"VOW{a.tid}",
                    pred.toewijzing,
                    pred.end,
                    a.category,
                    a.product,
                    a.start,
                    add_months(a.start, 12),
                    a.volume,
                    a.unit,
                    a.frequency,
                ),
                toewijzing=a.toewijzing,
            )

    def rejected_requests(self) -> list[dict]:
        rows = []
        for k, r in enumerate(self.w.rejected_requests):
            ref = f"VOTX{k}"
            prod = self.w.products[r.product]
            g = self.w.group(r.municipality, r.group)
            rel = self._emit(
                r.law,
                "315",
                r.provider,
                r.request_date,
                lambda i: ist.verzoek_om_toewijzing(
                    r.law,
                    r.provider,
                    r.municipality,
                    i,
                    r.request_date,
                    self._client(r.person),
                    ref,
                    r.category,
                    r.product,
                    r.request_date + dt.timedelta(days=14),
                    add_months(r.request_date, 12),
                    g.volume[0],
                    prod.unit,
                    prod.frequency,
                    r.referrer,
                    None,
                ),
            )
            self._emit(
                r.law,
                "319",
                r.municipality,
                r.answer_date,
                lambda i: ist.antwoord(r.law, r.municipality, r.provider, i, r.answer_date, ref, "1", r.reason),
            )
            rows.append(
                {
                    "law": r.law,
                    "municipality": r.municipality,
                    "provider": r.provider,
                    "bsn": self.w.persons[r.person].bsn,
                    "request_date": r.request_date,
                    "answer_date": r.answer_date,
                    "reason": r.reason,
                    "file": rel,
                }
            )
        return rows

    # --- declarations (323) ------------------------------------------------------------
    def declarations(self) -> None:
        """Month by month, each provider's invoice for the care it delivered: bounded memory."""
        allocs = sorted((a for a in self.w.allocations if not a.withdrawn), key=lambda a: a.start)
        providers = {p.agb: p for p in self.w.providers}
        active: list[Allocation] = []
        nxt = 0
        carry: dict[tuple, list] = defaultdict(list)  # (muni, provider, law) -> lines for next invoice
        month = self.feed_start.replace(day=1)
        last_month = (self.end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        self.overspend = self._overspender(allocs, last_month)
        unknown_seq = 0
        while month <= last_month:
            mend = month_end(month.year, month.month)
            while nxt < len(allocs) and allocs[nxt].start <= mend:
                active.append(allocs[nxt])
                nxt += 1
            active = [a for a in active if a.end >= month]
            buckets: dict[tuple, list] = defaultdict(list)
            for a in active:
                first, last = max(a.start, month), min(a.end, mend)
                if first > last:
                    continue
                vol = month_volume(a.frequency, a.volume, (last - first).days + 1, mend.day, a.start >= month)
                if a.provider == self.overspend["provider"] and month >= self.overspend["from"]:
                    vol = int(round(vol * OVERSPEND_FACTOR))
                if vol == 0:
                    continue
                tariff = self.w.products[a.product].tariff_cents[month.year]
                buckets[(a.municipality, a.provider, a.law)].append(
                    (
                        a,
                        ist.Prestatie(
                            self.w.persons[a.person].bsn,
                            f"{a.tid}-{month:%Y%m}",
                            None,
                            a.toewijzing,
                            a.category,
                            a.product,
                            first,
                            last,
                            vol,
                            a.unit,
                            tariff,
                            vol * tariff,
                            "D",
                        ),
                        "accepted",
                    )
                )
            for key in list(carry):
                buckets[key].extend(carry.pop(key))
            for (muni, provider, law), lines in sorted(buckets.items(), key=lambda kv: kv[0]):
                if self.rng.random() < self.rates["unknown_allocation"] * 20 and lines:
                    a0, p0, _ = lines[0]
                    unknown_seq += 1
                    lines.append(
                        (
                            a0,
                            ist.Prestatie(
                                p0.bsn,
                                f"X{unknown_seq}-{month:%Y%m}",
                                None,
                                990000000 + unknown_seq,
                                p0.category,
                                p0.code,
                                month,
                                mend,
                                1,
                                p0.unit,
                                p0.tariff,
                                p0.tariff,
                                "D",
                            ),
                            "unknown_allocation",
                        )
                    )
                if self.rng.random() < self.rates["outside_period"] * 20 and lines:
                    a0, p0, _ = lines[0]
                    lines.append(
                        (
                            a0,
                            ist.Prestatie(
                                p0.bsn,
                                f"{a0.tid}-{month:%Y%m}-O",
                                None,
                                a0.toewijzing,
                                p0.category,
                                p0.code,
                                a0.decision_date - dt.timedelta(days=20),
                                a0.decision_date - dt.timedelta(days=11),
                                1,
                                p0.unit,
                                p0.tariff,
                                p0.tariff,
                                "D",
                            ),
                            "outside_allocation",
                        )
                    )
                self._invoice(muni, provider, law, month, mend, lines, providers[provider].late_submitter, carry)
            month = add_months(month, 1)

    @staticmethod
    def _overspender(allocs: list[Allocation], last_month: dt.date) -> dict:
        year = last_month.year
        counts: dict[str, int] = defaultdict(int)
        for a in allocs:
            if a.group == OVERSPEND_GROUP and a.start.year == year - 1:
                counts[a.provider] += 1
        ranked = sorted(counts, key=lambda agb: (-counts[agb], agb))
        return {
            "provider": ranked[1] if len(ranked) > 1 else None,
            "from": dt.date(year, OVERSPEND_MONTH, 1),
            "factor": OVERSPEND_FACTOR,
            "group": OVERSPEND_GROUP,
        }

    def _invoice(self, muni, provider, law, month, mend, lines, late, carry) -> None:
        delay = int(self.rng.integers(3, 25))
        if late and self.rng.random() < 0.3:
            delay += int(self.rng.integers(60, 200))
        sent = mend + dt.timedelta(days=delay)
        number = f"D{month:%Y%m}{provider[-4:]}"
        rel = self._emit(
            law,
            "323",
            provider,
            sent,
            lambda i: ist.declaratie(law, provider, muni, i, sent, number, month, mend, [p for _, p, _ in lines]),
        )
        for a, p, status in lines:
            self.lines.add(
                {
                    "seq": self.lines.count + len(self.lines.rows),
                    "file": rel,
                    "delivered": rel is not None,
                    "municipality": muni,
                    "provider": provider,
                    "law": law,
                    "declaratie": number,
                    "dagtekening": sent,
                    "bsn": p.bsn,
                    "tid": a.tid if status != "unknown_allocation" else None,
                    "toewijzing": p.toewijzing,
                    "reference": p.reference,
                    "previous_reference": p.previous_reference,
                    "period_first": p.first,
                    "period_last": p.last,
                    "volume": p.volume,
                    "tariff_cents": p.tariff,
                    "amount_cents": p.amount,
                    "debit_credit": p.debit_credit,
                    "status": status,
                    "days_after_period": (sent - p.last).days,
                    "on_time": (sent - month_end(p.last.year, p.last.month)).days <= CONTRACT_TERM_DAYS,
                }
            )
            if rel and status != "accepted":
                self.out.defect(
                    rel,
                    p.reference,
                    "ToewijzingNummer" if status == "unknown_allocation" else "ProductPeriode",
                    "invoice_unknown_allocation" if status == "unknown_allocation" else "period_outside_allocation",
                )
            if (
                status == "accepted"
                and p.debit_credit == "D"
                and p.previous_reference is None
                and self.rng.random() < 0.02
            ):
                credit = ist.Prestatie(**{**p.__dict__, "debit_credit": "C"})
                corrected_volume = max(p.volume - 1, 0)
                carry[(muni, provider, law)].append((a, credit, "accepted"))
                if corrected_volume:
                    carry[(muni, provider, law)].append(
                        (
                            a,
                            ist.Prestatie(
                                **{
                                    **p.__dict__,
                                    "reference": p.reference + "C",
                                    "previous_reference": p.reference,
                                    "volume": corrected_volume,
                                    "amount": corrected_volume * p.tariff,
                                }
                            ),
                            "accepted",
                        )
                    )
