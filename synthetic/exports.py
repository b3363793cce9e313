"""Tabular feeds as the source systems export them.

SUITE4 and STAPP: CSV with ';', Windows-1252, decimal comma, dd-mm-jjjj dates.
CJG and ZorgfocuZ: xlsx workbooks. ``docs/feeds.md`` describes every file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from openpyxl import Workbook

from .catalogue import GROUPS
from .output import PAYMENT_SCHEMA, Output, TableSink
from .simulate import World, add_months, month_end

STAPP_START = dt.date(2018, 6, 1)
SWT_PRODUCTS = [
    "Ondersteuning thuis",
    "Schuldhulpverlening",
    "Mantelzorgondersteuning",
    "Opvoedondersteuning",
    "Sociaal-emotionele ondersteuning",
    "Praktische hulp",
    "Dagstructuur",
]
CJG_PRODUCTS = ["Opvoedondersteuning", "Kortdurende begeleiding", "Triple P", "Extra zorg JGZ", "Gezinscoaching"]
CEV_STATEMENTS = [
    "Ik voelde me bij het eerste contact met de gemeente serieus genomen",
    "De medewerker en ik hebben in gezamenlijkheid gekeken naar een oplossing",
    "Ik werd snel geholpen",
    "Ik weet waar ik terecht kan als ik hulp of ondersteuning nodig heb",
    "De ondersteuning die ik krijg past bij mijn hulpvraag",
    "Ik ben tevreden over de kwaliteit van de ondersteuning die ik krijg",
    "Door de ondersteuning die ik krijg kan ik beter de dingen doen die ik wil",
    "Door de ondersteuning die ik krijg kan ik mij beter redden",
    "Door de ondersteuning die ik krijg heb ik een betere kwaliteit van leven",
]


def nl_date(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d-%m-%Y")


def nl_amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("cp1252", errors="replace")


def xlsx_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    wb = Workbook(write_only=True)
    for name, (header, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for r in rows:
            ws.append(r)
    wb.properties.created = dt.datetime(2000, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    # Rewrite the zip with fixed entry times: the same seed must give the same bytes.
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time as 'modified'
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0)),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def monthly(start: dt.date, end: dt.date, lag_days: int = 2):
    """Months whose delivery (the first of the next month plus a lag) had arrived by ``end``."""
    m = start.replace(day=1)
    while True:
        delivered = add_months(m, 1) + dt.timedelta(days=lag_days)
        if delivered > end:
            return
        yield m, month_end(m.year, m.month)
        m = add_months(m, 1)


class Exports:
    def __init__(
        self,
        world: World,
        out: Output,
        feed_start: dt.date,
        seed: int,
        rates: dict[str, float],
        lines: Path,
        sources: frozenset[str] = frozenset({"werkprocessen", "wachtlijst", "betalingen"}),
        region: bool = False,
    ):
        self.sources = sources  # the optional SUITE4 exports this municipality delivers
        self.region = region  # several municipalities, each with its own names: registers carry gemeentecode
        self.w, self.out, self.start, self.end = world, out, feed_start, out.end_date
        self.rng = np.random.default_rng([seed, 21])
        self.seed = seed
        self.rates, self.lines, self.people = rates, lines, world.people  # lines: the invoice-line truth (Parquet)
        self.client_number = {}  # person idx -> SUITE4 client number
        self.truth: dict[str, list[dict]] = defaultdict(list)
        self.stamp = f"{self.end:%Y%m%d}"

    def _cn(self, idx: int) -> str:
        if idx not in self.client_number:
            self.client_number[idx] = f"{100000 + idx}"
        return self.client_number[idx]

    # --- SUITE4 ------------------------------------------------------------------------
    def suite4(self) -> None:
        for name, write in (
            ("werkprocessen", self.processes),
            ("wachtlijst", self.waiting_list),
            ("betalingen", self.payments),
        ):
            if name in self.sources:
                write()
        self.providers()
        self.products()
        self.budget()
        self.clients()  # last: the register holds everyone SUITE4 has seen

    def processes(self) -> None:
        rng = self.rng
        procs = []
        for a in self.w.allocations:
            if a.law != "wmo" or a.predecessor is not None:
                continue
            self._cn(a.person)
            beschikking = a.decision_date - dt.timedelta(days=int(rng.integers(0, 3)))
            aanvraag = beschikking - dt.timedelta(days=int(round(rng.gamma(2, 4))))
            urgent = rng.random() < 0.05
            einde = aanvraag - dt.timedelta(days=int(rng.integers(0, 5)))
            start_o = einde - dt.timedelta(days=int(round(rng.gamma(2, 2.5) if urgent else rng.gamma(3, 9.5))))
            melding = start_o - dt.timedelta(days=int(rng.integers(0, 5)))
            procs.append(
                [a.person, "Melding", urgent, melding, start_o, einde, aanvraag, beschikking, "Toegekend", a.category]
            )
        n_other = len(procs) // 4
        wmo_people = [p[0] for p in procs]
        for _ in range(n_other):
            person = wmo_people[int(rng.integers(0, len(wmo_people)))]
            melding = self.start + dt.timedelta(days=int(rng.integers(-60, (self.w.horizon - self.start).days)))
            start_o = melding + dt.timedelta(days=int(rng.integers(0, 5)))
            einde = start_o + dt.timedelta(days=int(round(rng.gamma(3, 10))))
            cat = GROUPS[int(rng.integers(0, 12))].category
            if rng.random() < 0.6:
                aanvraag = einde + dt.timedelta(days=int(rng.integers(0, 5)))
                procs.append(
                    [
                        person,
                        "Melding",
                        False,
                        melding,
                        start_o,
                        einde,
                        aanvraag,
                        aanvraag + dt.timedelta(days=int(round(rng.gamma(2, 4)))),
                        "Afgewezen",
                        cat,
                    ]
                )
            else:
                procs.append([person, "Melding", False, melding, start_o, einde, None, None, "Ingetrokken", cat])
            for _ in range(1 if rng.random() < 0.3 else 0):  # re-checks of existing provisions
                h = melding + dt.timedelta(days=int(rng.integers(0, 200)))
                procs.append(
                    [
                        person,
                        "Hercontrole",
                        False,
                        h,
                        h,
                        h + dt.timedelta(days=int(rng.integers(5, 40))),
                        None,
                        None,
                        "Voortgezet",
                        cat,
                    ]
                )
        procs = [p for p in procs if p[3] >= self.start - dt.timedelta(days=60)]
        procs.sort(key=lambda p: p[3])
        header = [
            "procesnummer",
            "clientnummer",
            "bsn",
            "soort",
            "spoed",
            "datum_melding",
            "datum_start_onderzoek",
            "datum_einde_onderzoek",
            "datum_aanvraag",
            "datum_beschikking",
            "uitkomst",
            "productcategorie",
            "team",
        ]
        teams = ["Wmo-team Noord", "Wmo-team Zuid", "Wmo-team Oost", "Wmo-team Centrum"]
        for k, p in enumerate(procs):
            p.insert(0, f"P{k + 1:07d}")
            self.truth["processes"].append(
                {
                    "procesnummer": p[0],
                    "bsn": self.w.persons[p[1]].bsn,
                    "soort": p[2],
                    "spoed": p[3],
                    "datum_melding": p[4],
                    "datum_start_onderzoek": p[5],
                    "datum_einde_onderzoek": p[6],
                    "datum_aanvraag": p[7],
                    "datum_beschikking": p[8],
                    "uitkomst": p[9],
                    "productcategorie": p[10],
                }
            )
        broken_done = False
        seen_later: dict[str, int] = defaultdict(int)
        by_month: dict[dt.date, list] = defaultdict(list)  # a process is delivered in each month it changed
        for p in procs:
            for m in sorted({d.replace(day=1) for d in p[4:9] if d is not None}):
                by_month[m].append(p)
                seen_later[p[0]] += 1
        for first, last in monthly(self.start, self.end):
            rel = f"suite4/werkprocessen/suite4_werkprocessen_{first:%Y%m}.csv"
            rows = []
            for p in by_month.get(first, []):
                seen_later[p[0]] -= 1
                dates = [d if d is not None and d <= last else None for d in p[4:9]]
                done = dates[4] is not None or (p[9] in ("Ingetrokken", "Voortgezet") and dates[2] is not None)
                person = self.w.persons[p[1]]
                row = [
                    p[0],
                    self._cn(p[1]),
                    person.bsn,
                    p[2],
                    "J" if p[3] else "N",
                    *map(nl_date, dates),
                    p[9] if done else "",
                    p[10],
                    teams[p[1] % len(teams)],
                ]
                line = len(rows) + 2
                r = self.rng.random()
                if not done and dates[2] is None and r < self.rates["implausible_date"] * 3:
                    row[7] = "31-12-2999"
                    self.out.defect(
                        rel, line, "datum_einde_onderzoek", "implausible_date", "31-12-2999 for an open date"
                    )
                elif done and r < self.rates["dash_text"]:
                    row[10] = "-"
                    self.out.defect(rel, line, "uitkomst", "dash_only_text")
                elif r < self.rates["dash_text"] + self.rates["missing_required"]:
                    row[5] = ""
                    self.out.defect(rel, line, "datum_melding", "missing_required")
                elif r < self.rates["dash_text"] + self.rates["missing_required"] + self.rates["future_date"]:
                    row[5] = nl_date(p[4].replace(year=p[4].year + 10))
                    self.out.defect(rel, line, "datum_melding", "future_date", "year typed ten years ahead")
                rows.append(row)
            data = csv_bytes(header, rows)
            if not broken_done and first.year == 2020 and rows:
                # one broken row: a line cut short, for a process that appears again later
                for i, row in enumerate(rows):
                    if seen_later[row[0]] > 0:
                        text = data.decode("cp1252").split("\r\n")
                        text[i + 1] = ";".join(str(x) for x in row[:4])
                        data = "\r\n".join(text).encode("cp1252")
                        self.out.defect(rel, i + 2, "-", "broken_csv_row", "row cut short after four fields")
                        broken_done = True
                        break
            self.out.write(rel, data)

    def waiting_list(self) -> None:
        header = [
            "peildatum",
            "clientnummer",
            "bsn",
            "wet",
            "toewijzingnummer",
            "agb_code",
            "productcode",
            "datum_aanmelding",
            "datum_toewijzing",
            "wachttijd_dagen",
        ]
        waiting: dict[dt.date, list] = defaultdict(list)  # month -> allocations waiting at its end
        for a in self.w.allocations:
            if a.withdrawn:
                continue
            m = a.decision_date.replace(day=1)
            while month_end(m.year, m.month) < a.start:
                waiting[m].append(a)
                m = add_months(m, 1)
        for first, last in monthly(self.start, self.end):
            rows = []
            for a in waiting.get(first, []):
                if a.decision_date <= last < a.start:
                    asked = a.request_date or a.decision_date
                    rows.append(
                        [
                            nl_date(last),
                            self._cn(a.person),
                            self.w.persons[a.person].bsn,
                            a.law,
                            a.toewijzing,
                            a.provider,
                            a.product,
                            nl_date(asked),
                            nl_date(a.decision_date),
                            (last - asked).days,
                        ]
                    )
                    self.truth["waiting_list"].append(
                        {
                            "peildatum": last,
                            "tid": a.tid,
                            "toewijzing": a.toewijzing,
                            "bsn": self.w.persons[a.person].bsn,
                            "law": a.law,
                            "waiting_days": (last - asked).days,
                        }
                    )
            self.out.write(f"suite4/wachtlijst/suite4_wachtlijst_{first:%Y%m}.csv", csv_bytes(header, rows))

    def _lines(self) -> duckdb.DuckDBPyConnection:
        """The invoice-line truth, queried where it lies: memory stays bounded at any scale."""
        con = duckdb.connect()
        con.execute(f"create view lines as select * from read_parquet('{self.lines}')")
        groups = pd.DataFrame(
            {
                "tid": [a.tid for a in self.w.allocations],
                "municipality": [a.municipality for a in self.w.allocations],
                "hoofdgroep": [self.w.group(a.municipality, a.group).hoofdgroep for a in self.w.allocations],
            }
        )
        con.register("allocation_groups", groups)
        return con

    def payments(self) -> None:
        """Accepted lines are paid 10 to 30 days after the invoice; credits are negative payments."""
        header = [
            "betalingsnummer",
            "agb_code",
            "declaratienummer",
            "referentienummer",
            "toewijzingnummer",
            "bsn",
            "periode_begin",
            "periode_eind",
            "bedrag",
            "betaaldatum",
        ]
        con = self._lines()
        con.execute("""
            create table paid as
            select seq, provider, declaratie, reference, toewijzing, bsn, period_first, period_last,
                   case when debit_credit = 'D' then amount_cents else -amount_cents end as cents,
                   dagtekening + cast(10 + (seq * 7919) % 21 as integer) as paid_date
            from lines where delivered and status = 'accepted'
        """)
        sink = TableSink(self.out.manifest / "payments.parquet", PAYMENT_SCHEMA)
        twice = None
        for first, last in monthly(self.start, self.end):
            rows = con.execute(
                "select * from paid where paid_date between ? and ? order by seq", [first, last]
            ).fetchall()
            out = []
            for seq, agb, decl, ref, toew, bsn, pfirst, plast, cents, paid in rows:
                out.append(
                    [
                        f"B{seq + 1:09d}",
                        agb,
                        decl,
                        ref,
                        toew,
                        bsn,
                        nl_date(pfirst),
                        nl_date(plast),
                        nl_amount(cents),
                        nl_date(paid),
                    ]
                )
                sink.add(
                    {
                        "seq": seq,
                        "paid_date": paid,
                        "cents": cents,
                        "bsn": bsn,
                        "provider": agb,
                        "toewijzing": toew,
                        "period_first": pfirst,
                    }
                )
            rel = f"suite4/betalingen/suite4_betalingen_{first:%Y%m}.csv"
            data = csv_bytes(header, out)
            self.out.write(rel, data)
            if first == dt.date(2019, 5, 1):
                twice = (rel, data)
        sink.close()
        con.close()
        if twice:
            dup = twice[0].replace(".csv", " (2).csv")
            self.out.write(dup, twice[1])
            self.out.defect(dup, "-", "-", "delivery_sent_twice", f"identical to {twice[0]}")

    def providers(self) -> None:
        header = [
            "agb_code",
            "naam",
            "vestigingsplaats",
            "gecontracteerd_wmo",
            "gecontracteerd_jeugd",
            "startdatum_contract",
        ]
        rows = [
            [
                p.agb,
                p.name,
                p.city,
                "J" if "wmo" in p.laws else "N",
                "J" if "jeugd" in p.laws else "N",
                nl_date(dt.date(2015, 1, 1)),
            ]
            for p in self.w.providers
        ]
        self.out.write(f"suite4/aanbieders/suite4_aanbieders_{self.stamp}.csv", csv_bytes(header, rows))

    def products(self) -> None:
        """One row per product and tariff year; in a region one per member too, each under its own names
        (the same code means something else in each: the gemeentecode column says whose row it is)."""
        header = [
            "wet",
            "productcategorie",
            "productcode",
            "omschrijving",
            "hoofdgroep",
            "productgroep",
            "eenheid",
            "frequentie",
            "jaar",
            "tarief",
        ]
        region = self.w.groups_by_municipality if self.region else {None: self.w.groups}
        rows = []
        for municipality, groups in region.items():
            for p in self.w.products.values():
                g = groups[p.group]
                for year in range(self.start.year, self.end.year + 1):
                    row = [
                        p.law,
                        p.category,
                        p.code,
                        p.name,
                        g.hoofdgroep,
                        g.name,
                        p.unit,
                        p.frequency,
                        year,
                        nl_amount(p.tariff_cents[year]),
                    ]
                    rows.append(row + [municipality] if municipality else row)
        if self.region:
            header.append("gemeentecode")
        self.out.write(f"suite4/producten/suite4_producten_{self.stamp}.csv", csv_bytes(header, rows))

    def budget(self) -> None:
        """Budgets lag behind spending, as in Haarlem: 90-98% of the year's realisation. A region's
        register has a budget per member (gemeentecode column); a single municipality's has none."""
        con = self._lines()
        municipality = "g.municipality" if self.region else "null"
        realised = con.execute(f"""
            select year(l.period_first) as year, l.law, g.hoofdgroep, {municipality} as municipality,
                   sum(case when l.debit_credit = 'D' then l.amount_cents else -l.amount_cents end) as cents,
                   count(distinct month(l.period_first)) as months
            from lines l join allocation_groups g using (tid)
            where l.status = 'accepted'
            group by all order by 1, 2, 3, 4
        """).fetchall()
        con.close()
        rows = []
        for year, law, hoofdgroep, municipality, cents, months in realised:
            full_year = cents * 12 / max(months, 1)
            factor = 0.90 + 0.08 * self.rng.random()
            budget = int(round(full_year * factor / 100_000)) * 100_000  # whole thousands of euros
            rows.append([year, law, hoofdgroep, nl_amount(budget)] + ([municipality] if self.region else []))
            truth = {"year": year, "law": law, "hoofdgroep": hoofdgroep, "budget_cents": budget}
            self.truth["budget"].append(truth | ({"municipality": municipality} if self.region else {}))
        header = ["jaar", "wet", "hoofdgroep", "begroot_bedrag"] + (["gemeentecode"] if self.region else [])
        self.out.write(f"suite4/budget/suite4_budget_{self.stamp}.csv", csv_bytes(header, rows))

    def contractmanagement(self) -> None:
        """The contract-management register: for a few providers an active characteristic (an improvement
        plan), one that lapsed, and agreements from the provider talks in each status. Its own random stream,
        so adding it left every other file of the demo as it was."""
        rng = np.random.default_rng([self.seed, 33])
        providers = sorted(self.w.providers, key=lambda p: p.agb)
        chosen = [providers[i] for i in sorted(rng.choice(len(providers), size=min(5, len(providers)), replace=False))]
        talk = self.end - dt.timedelta(days=120)
        rows = []
        for i, p in enumerate(chosen):
            law = sorted(p.laws)[0]
            if i == 0:
                rows.append(
                    [
                        p.agb,
                        law,
                        "kenmerk",
                        nl_date(talk),
                        "Verbeterplan na signalen over de kwaliteit van de administratie",
                        "actief",
                        "",
                    ]
                )
            if i == 1:
                rows.append(
                    [
                        p.agb,
                        "",
                        "kenmerk",
                        nl_date(talk - dt.timedelta(days=400)),
                        "Financiële problemen gemeld door de accountant",
                        "vervallen",
                        "",
                    ]
                )
            for j, status in enumerate(("afgerond", "loopt", "open")[: 1 + i % 3]):
                rows.append(
                    [
                        p.agb,
                        law,
                        "afspraak",
                        nl_date(talk + dt.timedelta(days=7 * j)),
                        f"Afspraak {j + 1}: tijdig 305 en 307 sturen en de wachtlijst maandelijks melden",
                        status,
                        nl_date(talk + dt.timedelta(days=90 + 7 * j)),
                    ]
                )
        header = ["agb_code", "wet", "soort", "datum", "omschrijving", "status", "streefdatum"]
        self.out.write(f"contractmanagement/contractmanagement_register_{self.stamp}.csv", csv_bytes(header, rows))
        self.truth["contract_register"] = [dict(zip(header, r, strict=True)) for r in rows]

    def clients(self) -> None:
        for a in self.w.allocations:
            if min(a.decision_date, a.request_date or a.decision_date) <= self.end:
                self._cn(a.person)
        header = [
            "clientnummer",
            "bsn",
            "voornamen",
            "voorvoegsel",
            "achternaam",
            "geboortedatum",
            "geslacht",
            "postcode",
            "huisnummer",
            "woonplaats",
            "gemeentecode",
        ]
        rel = f"suite4/clienten/suite4_clienten_{self.stamp}.csv"
        rows = []
        for idx, number in sorted(self.client_number.items(), key=lambda kv: kv[1]):
            p = self.w.persons[idx]
            bsn, postcode, birth = p.bsn, p.postcode, nl_date(p.birth)
            line = len(rows) + 2
            r = self.rng.random()
            wijk, birth_known = p.wijk, True
            if r < self.rates["invalid_bsn"]:
                bsn = bsn[:-1] + str((int(bsn[-1]) + 1) % 10)
                self.out.defect(rel, line, "bsn", "bsn_fails_elfproef", "last digit mistyped")
            elif r < self.rates["invalid_bsn"] + self.rates["dash_text"]:
                postcode, wijk = "-", None
                self.out.defect(rel, line, "postcode", "dash_only_text")
            elif r < self.rates["invalid_bsn"] + self.rates["dash_text"] + self.rates["missing_required"]:
                birth, birth_known = "", False
                self.out.defect(rel, line, "geboortedatum", "missing_required")
            p.history["register_bsn"] = bsn
            rows.append(
                [
                    number,
                    bsn,
                    p.first_name,
                    p.prefix,
                    p.last_name,
                    birth,
                    {"1": "M", "2": "V"}[p.gender],
                    postcode,
                    p.house_number,
                    self.w.wijken[p.municipality][0].municipality_name,
                    p.municipality,
                ]
            )
            self.truth["clients"].append(
                {
                    "clientnummer": number,
                    "bsn": p.bsn,
                    "register_bsn": bsn,
                    "municipality": p.municipality,
                    "wijk_code": wijk,
                    "birth_date": p.birth if birth_known else None,
                    "gender": p.gender,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "postcode": p.postcode,
                }
            )
        self.out.write(rel, csv_bytes(header, rows))

    # --- STAPP -------------------------------------------------------------------------
    def stapp(self) -> None:
        rng = self.rng
        trajectories = []
        linked = set()
        for a in self.w.allocations:
            g = self.w.group(a.municipality, a.group)
            if a.law != "wmo" or a.predecessor is not None or g.category not in ("01", "02", "07"):
                continue
            if rng.random() < 0.4:
                start = a.decision_date - dt.timedelta(days=int(rng.integers(30, 120)))
                end = a.decision_date + dt.timedelta(days=int(rng.integers(0, 60)))
                refer = a.decision_date - dt.timedelta(days=int(rng.integers(20, 60)))
                trajectories.append((a.person, start, end, SWT_PRODUCTS[int(rng.integers(0, 4))], g.name, refer))
                linked.add(a.person)
        n_only = int(len(linked) * 1.5)
        for _ in range(n_only):
            muni = list(self.w.wijken)[int(rng.integers(0, len(self.w.wijken)))]
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 62)))
            person = self.people.new(muni, birth)
            start = STAPP_START + dt.timedelta(days=int(rng.integers(-200, (self.w.horizon - STAPP_START).days)))
            end = start + dt.timedelta(days=int(round(rng.gamma(2, 75))))
            trajectories.append(
                (person.idx, start, end, SWT_PRODUCTS[int(rng.integers(0, len(SWT_PRODUCTS)))], "", None)
            )
        trajectories = [t for t in trajectories if t[1] >= STAPP_START and t[1] <= self.end]
        trajectories.sort(key=lambda t: (t[1], t[0]))
        klant = {}
        for t in trajectories:
            klant.setdefault(t[0], f"S{500000 + len(klant) * 3 + 1:07d}")
        rel_k = f"stapp/stapp_klanten_{self.stamp}.csv"
        rows = []
        for idx, kn in klant.items():
            p = self.w.persons[idx]
            first, prefix, last, birth, postcode = p.first_name, p.prefix, p.last_name, nl_date(p.birth), p.postcode
            line = len(rows) + 2
            r = rng.random()
            if r < self.rates["misspelled_name"]:
                i = int(rng.integers(1, max(2, len(last) - 1)))
                last = last[:i] + last[i + 1 :] if len(last) > 3 else last + "e"
                self.out.defect(rel_k, line, "achternaam", "misspelled_name", "one letter dropped")
            elif r < self.rates["misspelled_name"] + self.rates["swapped_name"]:
                first, last = last, first
                self.out.defect(rel_k, line, "voornaam/achternaam", "swapped_name_parts")
            elif r < self.rates["misspelled_name"] + self.rates["swapped_name"] + self.rates["dash_text"]:
                postcode = "-"
                self.out.defect(rel_k, line, "postcode", "dash_only_text")
            rows.append([kn, first, prefix, last, birth, postcode, p.house_number])
            in_suite4 = idx in self.client_number
            self.truth["links_stapp"].append(
                {"klantnummer": kn, "bsn": p.bsn if in_suite4 else None, "clientnummer": self.client_number.get(idx)}
            )
        self.out.write(
            rel_k,
            csv_bytes(
                ["klantnummer", "voornaam", "tussenvoegsel", "achternaam", "geboortedatum", "postcode", "huisnummer"],
                rows,
            ),
        )
        rows = []
        for k, (idx, start, end, product, refer_to, refer_date) in enumerate(trajectories):
            p = self.w.persons[idx]
            team = f"Sociaal Wijkteam {p.wijk}"
            end_known = end if end <= self.end else None
            refer_known = refer_date if refer_date and refer_date <= self.end else None
            rows.append(
                [
                    f"T{k + 1:07d}",
                    klant[idx],
                    team,
                    nl_date(start),
                    nl_date(end_known),
                    product,
                    refer_to if refer_known else "",
                    nl_date(refer_known),
                ]
            )
            self.truth["stapp_trajectories"].append(
                {
                    "trajectnummer": f"T{k + 1:07d}",
                    "klantnummer": klant[idx],
                    "start": start,
                    "end": end_known,
                    "product": product,
                    "referral": refer_to if refer_known else None,
                    "referral_date": refer_known,
                    "wijk_code": p.wijk,
                }
            )
        self.out.write(
            f"stapp/stapp_trajecten_{self.stamp}.csv",
            csv_bytes(
                [
                    "trajectnummer",
                    "klantnummer",
                    "wijkteam",
                    "startdatum",
                    "einddatum",
                    "product",
                    "verwijzing",
                    "verwijsdatum",
                ],
                rows,
            ),
        )

    # --- CJG ---------------------------------------------------------------------------
    def cjg(self) -> None:
        rng = self.rng
        youths: dict[int, dict] = {}
        for a in self.w.allocations:
            p = self.w.persons[a.person]
            if (
                a.law != "jeugd"
                or a.predecessor is not None
                or (a.start - p.birth).days > 17 * 365
                or rng.random() > 0.35
            ):
                continue
            start = a.decision_date - dt.timedelta(days=int(rng.integers(60, 300)))
            youths.setdefault(p.idx, {"trajectories": [], "contacts": []})
            youths[p.idx]["trajectories"].append(
                (
                    start,
                    start + dt.timedelta(days=int(rng.integers(30, 200))),
                    CJG_PRODUCTS[int(rng.integers(0, len(CJG_PRODUCTS)))],
                )
            )
        for _ in range(len(youths) * 3):
            muni = list(self.w.wijken)[int(rng.integers(0, len(self.w.wijken)))]
            first = self.start + dt.timedelta(days=int(rng.integers(0, (self.w.horizon - self.start).days)))
            person = self.people.new(muni, first - dt.timedelta(days=int(rng.integers(0, 365 * 18))))
            youths[person.idx] = {"trajectories": [], "contacts": [(first, "Informatie en advies")]}
            if rng.random() < 0.4:
                youths[person.idx]["trajectories"].append(
                    (
                        first,
                        first + dt.timedelta(days=int(rng.integers(20, 250))),
                        CJG_PRODUCTS[int(rng.integers(0, len(CJG_PRODUCTS)))],
                    )
                )
        for y in youths.values():
            for start, end, _ in y["trajectories"]:
                for _ in range(int(rng.poisson(3))):
                    y["contacts"].append(
                        (start + dt.timedelta(days=int(rng.integers(0, max(1, (end - start).days)))), "Begeleiding")
                    )
                for _ in range(int(rng.poisson(1))):
                    y["contacts"].append((start - dt.timedelta(days=int(rng.integers(0, 60))), "Informatie en advies"))
        ids = {idx: f"CJG{200000 + k * 7}" for k, idx in enumerate(sorted(youths))}
        bsn_known = {idx: rng.random() < 0.7 for idx in youths}
        q = dt.date(self.start.year, 1, 1)
        while True:
            q_end = add_months(q, 3) - dt.timedelta(days=1)
            if add_months(q, 5) > self.end:  # CJG data arrives two months after the quarter
                break
            jeugd, contacts, trajs = [], [], []
            for idx, y in youths.items():
                active = False
                for k, (start, end, product) in enumerate(y["trajectories"]):
                    if start <= q_end and end >= q:
                        active = True
                        trajs.append([f"{ids[idx]}-{k + 1}", ids[idx], start, end if end <= q_end else None, product])
                for k, (d, kind) in enumerate(sorted(y["contacts"])):
                    if q <= d <= q_end:
                        active = True
                        contacts.append([f"{ids[idx]}-C{k + 1}", ids[idx], d, kind])
                if active:
                    p = self.w.persons[idx]
                    jeugd.append(
                        [
                            ids[idx],
                            p.bsn if bsn_known[idx] else None,
                            p.first_name,
                            f"{p.prefix} {p.last_name}".strip(),
                            p.birth,
                            p.postcode,
                        ]
                    )
            self.out.write(
                f"cjg/cjg_{q.year}Q{(q.month - 1) // 3 + 1}.xlsx",
                xlsx_bytes(
                    {
                        "Jeugdigen": (["cjg_id", "bsn", "voornaam", "achternaam", "geboortedatum", "postcode"], jeugd),
                        "Contactmomenten": (["contact_id", "cjg_id", "datum", "soort"], contacts),
                        "Trajecten": (["traject_id", "cjg_id", "startdatum", "einddatum", "product"], trajs),
                    }
                ),
            )
            self.truth["cjg_contacts"].extend(
                {"contact_id": c[0], "cjg_id": c[1], "date": c[2], "kind": c[3]} for c in contacts
            )
            self.truth["cjg_trajectories"].extend(
                {"traject_id": t[0], "cjg_id": t[1], "start": t[2], "end": t[3], "product": t[4], "quarter": q}
                for t in trajs
            )
            q = add_months(q, 3)
        for idx in youths:
            p = self.w.persons[idx]
            self.truth["links_cjg"].append(
                {"cjg_id": ids[idx], "bsn": p.bsn if idx in self.client_number else None, "bsn_in_feed": bsn_known[idx]}
            )

    # --- ZorgfocuZ ---------------------------------------------------------------------
    def zorgfocuz(self) -> None:
        rng = self.rng
        for year in range(self.start.year, self.end.year):
            if dt.date(year + 1, 4, 1) > self.end:
                break
            clients = {}
            for a in self.w.allocations:
                if a.law == "wmo" and not a.withdrawn and a.start.year <= year <= a.end.year:
                    clients.setdefault(a.person, self.w.group(a.municipality, a.group).hoofdgroep)
            rows = []
            for idx, hoofdgroep in clients.items():
                if rng.random() > 0.05:  # 12% invited, 40% respond
                    continue
                p = self.w.persons[idx]
                age = year - p.birth.year
                klasse = "18-64" if age < 65 else "65-74" if age < 75 else "75-84" if age < 85 else "85+"
                mood = rng.normal(3.9, 0.6)
                answers = [
                    None if rng.random() < 0.06 else int(min(5, max(1, round(mood + rng.normal(0, 0.7)))))
                    for _ in CEV_STATEMENTS
                ]
                rows.append(
                    [
                        f"R{year}{len(rows) + 1:05d}",
                        year,
                        klasse,
                        "Man" if p.gender == "1" else "Vrouw",
                        hoofdgroep,
                        *answers,
                    ]
                )
                self.truth["cev"].append({"year": year, **{f"stelling_{i + 1}": a for i, a in enumerate(answers)}})
            header = [
                "respondentnummer",
                "onderzoeksjaar",
                "leeftijdsklasse",
                "geslacht",
                "voorziening",
                *[f"stelling_{i + 1}" for i in range(len(CEV_STATEMENTS))],
            ]
            self.out.write(
                f"zorgfocuz/cev_wmo_{year}.xlsx",
                xlsx_bytes(
                    {
                        "Resultaten": (header, rows),
                        "Stellingen": (
                            ["nummer", "stelling"],
                            [[f"stelling_{i + 1}", s] for i, s in enumerate(CEV_STATEMENTS)],
                        ),
                    }
                ),
            )
