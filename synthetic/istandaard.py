"""Write iWmo 3.2 and iJw 3.2 messages (301, 305, 307, 315, 317, 319, 323) as XML text.

Written from the published schemas; the tests validate every generated message against
the official XSDs. Element order follows the XSD sequences exactly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

BERICHTCODE = {
    "wmo": {"301": 414, "305": 418, "307": 420, "315": 444, "317": 480, "319": 482, "323": 484},
    "jeugd": {"301": 436, "305": 438, "307": 440, "315": 446, "317": 486, "319": 488, "323": 490},
}
PREFIX = {"wmo": ("wmo", "iwmo"), "jeugd": ("jw", "ijw")}


@dataclass
class Client:
    bsn: str
    birth: dt.date
    gender: str
    last_name: str
    prefix: str
    first_name: str
    postcode: str = ""
    house_number: int = 1
    city: str = ""


def _d(value: dt.date) -> str:
    return value.isoformat()


class Writer:
    """Builds one message; ``m`` is the message prefix (wmo301), ``b`` the base-schema prefix."""

    def __init__(self, law: str, kind: str):
        self.law, self.kind = law, kind
        msg, base = PREFIX[law]
        self.m = f"{msg}{kind}"
        self.b = base
        self.ns_msg = f"http://www.istandaarden.nl/{base}/3_2/{msg}{kind}/schema"
        self.ns_base = f"http://www.istandaarden.nl/{base}/3_2/basisschema/schema"
        self.parts: list[str] = []

    def el(self, name: str, value, base: bool = False) -> None:
        p = self.b if base else self.m
        self.parts.append(f"<{p}:{name}>{escape(str(value))}</{p}:{name}>")

    def open(self, name: str) -> None:
        self.parts.append(f"<{self.m}:{name}>")

    def close(self, name: str) -> None:
        self.parts.append(f"</{self.m}:{name}>")

    def header(self, sender: str, receiver: str, ident: str, date: dt.date) -> None:
        self.open("Header")
        self.el("BerichtCode", BERICHTCODE[self.law][self.kind])
        self.el("BerichtVersie", 3)
        self.el("BerichtSubversie", 2)
        self.el("Afzender", sender)
        self.el("Ontvanger", receiver)
        self.open("BerichtIdentificatie")
        self.el("Identificatie", ident, base=True)
        self.el("Dagtekening", _d(date), base=True)
        self.close("BerichtIdentificatie")
        self.open("XsdVersie")
        self.el("BasisschemaXsdVersie", "1.0.0", base=True)
        self.el("BerichtXsdVersie", "1.0.0", base=True)
        self.close("XsdVersie")
        self.close("Header")

    def client(self, c: Client, name: bool = True, full_name: bool = False) -> None:
        self.el("Bsn", c.bsn)
        self.open("Geboortedatum")
        self.el("Datum", _d(c.birth), base=True)
        self.close("Geboortedatum")
        self.el("Geslacht", c.gender)
        if name:
            self.open("Naam")
            self.parts.append(f"<{self.b}:Geslachtsnaam>")
            self.el("Achternaam", c.last_name, base=True)
            if c.prefix:
                self.el("Voorvoegsel", c.prefix, base=True)
            self.parts.append(f"</{self.b}:Geslachtsnaam>")
            self.el("Voornamen", c.first_name, base=True)
            self.el("Voorletters", c.first_name[0], base=True)
            if full_name:  # 301 carries CDT_VolledigeNaam
                self.el("NaamGebruik", 1, base=True)
            self.close("Naam")

    def product(self, category: str, code: str) -> None:
        self.open("Product")
        self.el("Categorie", category, base=True)
        self.el("Code", code, base=True)
        self.close("Product")

    def omvang(self, volume: int, unit: str, frequency: str) -> None:
        self.open("Omvang")
        self.el("Volume", volume, base=True)
        self.el("Eenheid", unit, base=True)
        self.el("Frequentie", frequency, base=True)
        self.close("Omvang")

    def text(self) -> str:
        body = "".join(self.parts)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{self.m}:Bericht xmlns:{self.b}="{self.ns_base}" xmlns:{self.m}="{self.ns_msg}">'
            f"{body}</{self.m}:Bericht>\n"
        )


@dataclass
class AllocatedProduct:
    toewijzing: int
    category: str
    code: str
    decision_date: dt.date
    start: dt.date
    end: dt.date | None
    reason: str | None
    volume: int
    unit: str
    frequency: str
    reference: str | None = None  # ReferentieAanbieder: the provider's reference of its 315 request


def toewijzing(law, sender, receiver, ident, date, client: Client, products: list[AllocatedProduct]) -> str:
    """301: a snapshot of all current allocations of one client at one provider."""
    w = Writer(law, "301")
    w.header(sender, receiver, ident, date)
    w.open("Client")
    w.client(client, full_name=True)
    w.open("Contactgegevens")
    w.open("Contact")
    w.el("Soort", "01")  # BRP address
    w.open("Adres")
    w.parts.append(f"<{w.b}:Huis>")
    w.el("Huisnummer", client.house_number, base=True)
    w.parts.append(f"</{w.b}:Huis>")
    w.el("Postcode", client.postcode, base=True)
    w.el("Plaatsnaam", client.city, base=True)
    w.el("LandCode", "NL", base=True)
    w.close("Adres")
    w.close("Contact")
    w.close("Contactgegevens")
    w.open("ToegewezenProducten")
    for p in products:
        w.open("ToegewezenProduct")
        w.el("ToewijzingNummer", p.toewijzing)
        if p.reference:
            w.el("ReferentieAanbieder", p.reference)
        w.product(p.category, p.code)
        w.el("Toewijzingsdatum", _d(p.decision_date))
        w.el("Toewijzingstijd", "09:00:00")
        w.el("Ingangsdatum", _d(p.start))
        if p.end is not None:
            w.el("Einddatum", p.end if isinstance(p.end, str) else _d(p.end))
        if p.reason:
            w.el("RedenWijziging", p.reason)
        w.omvang(p.volume, p.unit, p.frequency)
        w.close("ToegewezenProduct")
    w.close("ToegewezenProducten")
    w.close("Client")
    return w.text()


@dataclass
class StartStop:
    toewijzing: int
    category: str
    code: str
    allocation_start: dt.date
    start: dt.date
    status: str  # StatusAanlevering: 1 first, 2 changed, 3 delete
    end: dt.date | None = None
    reason: str | None = None


def start_stop(law, kind, sender, receiver, ident, date, client: Client, items: list[StartStop]) -> str:
    """305 (start) or 307 (stop) of care, sent by the provider."""
    w = Writer(law, kind)
    w.header(sender, receiver, ident, date)
    w.open("Client")
    w.client(client)
    group, item = ("StartProducten", "StartProduct") if kind == "305" else ("StopProducten", "StopProduct")
    w.open(group)
    for s in items:
        w.open(item)
        w.el("ToewijzingNummer", s.toewijzing)
        w.product(s.category, s.code)
        w.el("ToewijzingIngangsdatum", _d(s.allocation_start))
        w.el("Begindatum", _d(s.start))
        if kind == "307":
            w.el("RedenBeeindiging", s.reason)
            w.el("Einddatum", _d(s.end))
        w.el("StatusAanlevering", s.status)
        w.close(item)
    w.close(group)
    w.close("Client")
    return w.text()


def verzoek_om_toewijzing(
    law,
    sender,
    receiver,
    ident,
    date,
    client: Client,
    reference: str,
    category: str,
    code: str,
    start: dt.date,
    end: dt.date,
    volume: int,
    unit: str,
    frequency: str,
    referrer_type: str,
    referrer_code: str | None,
) -> str:
    """315: the provider asks the municipality for an allocation (Jeugd: after a referral)."""
    w = Writer(law, "315")
    w.header(sender, receiver, ident, date)
    w.open("Client")
    w.client(client)
    if law == "jeugd":
        w.el("GezagsdragerBekend", 1)
    w.open("AangevraagdeProducten")
    w.open("AangevraagdProduct")
    w.el("ReferentieAanbieder", reference)
    w.product(category, code)
    w.el("ToewijzingIngangsdatum", _d(start))
    w.el("ToewijzingEinddatum", _d(end))
    w.omvang(volume, unit, frequency)
    w.open("Verwijzer")
    w.el("Type", referrer_type, base=True)
    if referrer_code:
        w.el("ZorgverlenerCode", referrer_code, base=True)
    else:
        w.el("Naam", "Gemeente", base=True)
    w.close("Verwijzer")
    w.el("Raamcontract", 2)
    w.close("AangevraagdProduct")
    w.close("AangevraagdeProducten")
    w.close("Client")
    return w.text()


def verzoek_om_wijziging(
    law,
    sender,
    receiver,
    ident,
    date,
    bsn: str,
    reference: str,
    old_toewijzing: int,
    old_end: dt.date,
    category: str,
    code: str,
    new_start: dt.date,
    new_end: dt.date,
    volume: int,
    unit: str,
    frequency: str,
) -> str:
    """317: the provider asks to end one allocation early and start another product."""
    w = Writer(law, "317")
    w.header(sender, receiver, ident, date)
    w.open("Client")
    w.el("Bsn", bsn)
    w.open("Verzoek")
    w.el("ReferentieAanbieder", reference)
    w.el("RedenVerzoek", 1)
    w.open("TeWijzigenProducten")
    w.open("TeWijzigenProduct")
    w.el("ToewijzingNummer", old_toewijzing)
    w.el("GewensteIngangsdatum", _d(old_end))
    w.el("Einddatum", _d(old_end))
    w.close("TeWijzigenProduct")
    w.close("TeWijzigenProducten")
    w.open("NieuweProducten")
    w.open("NieuwProduct")
    w.product(category, code)
    w.el("GewensteIngangsdatum", _d(new_start))
    w.el("Einddatum", _d(new_end))
    w.omvang(volume, unit, frequency)
    w.close("NieuwProduct")
    w.close("NieuweProducten")
    w.close("Verzoek")
    w.close("Client")
    return w.text()


def antwoord(law, sender, receiver, ident, date, reference: str, answer: str, reason: str | None) -> str:
    """319: the municipality answers a 315/317: 1 refused (with reason) or 2 under investigation."""
    w = Writer(law, "319")
    w.header(sender, receiver, ident, date)
    w.open("Antwoord")
    w.el("ReferentieAanbieder", reference)
    w.el("VerzoekAntwoord", answer)
    if answer == "1" and reason:
        w.el("RedenAfwijzingVerzoek", reason)
    w.close("Antwoord")
    return w.text()


@dataclass
class Prestatie:
    bsn: str
    reference: str
    previous_reference: str | None
    toewijzing: int
    category: str
    code: str
    first: dt.date
    last: dt.date
    volume: int
    unit: str
    tariff: int
    amount: int
    debit_credit: str


def declaratie(
    law, sender, receiver, ident, date, number: str, period_first: dt.date, period_last: dt.date, lines: list[Prestatie]
) -> str:
    """323: a provider's monthly invoice; amounts in eurocents, credits cancel earlier debits."""
    w = Writer(law, "323")
    w.header(sender, receiver, ident, date)
    w.open("Declaratie")
    w.el("DeclaratieNummer", number)
    w.open("DeclaratiePeriode")
    w.el("Begindatum", _d(period_first), base=True)
    w.el("Einddatum", _d(period_last), base=True)
    w.close("DeclaratiePeriode")
    w.el("DeclaratieDagtekening", _d(date))
    total = sum(p.amount if p.debit_credit == "D" else -p.amount for p in lines)
    w.open("TotaalIngediendBedrag")
    w.el("TotaalBedrag", abs(total), base=True)
    w.el("DebetCredit", "D" if total >= 0 else "C", base=True)
    w.close("TotaalIngediendBedrag")
    w.open("Clienten")
    by_client: dict[str, list[Prestatie]] = {}
    for p in lines:
        by_client.setdefault(p.bsn, []).append(p)
    for bsn, items in by_client.items():
        w.open("Client")
        w.el("Bsn", bsn)
        w.open("Prestaties")
        for p in items:
            w.open("Prestatie")
            w.open("ProductReferentie")
            w.el("ReferentieNummer", p.reference, base=True)
            if p.previous_reference:
                w.el("VorigReferentieNummer", p.previous_reference, base=True)
            w.close("ProductReferentie")
            w.el("ToewijzingNummer", p.toewijzing)
            w.el("ProductCategorie", p.category)
            w.el("ProductCode", p.code)
            w.open("ProductPeriode")
            w.el("Begindatum", _d(p.first), base=True)
            w.el("Einddatum", _d(p.last), base=True)
            w.close("ProductPeriode")
            w.el("GeleverdVolume", p.volume)
            w.el("Eenheid", p.unit)
            w.el("ProductTarief", p.tariff)
            w.open("IngediendBedrag")
            w.el("Bedrag", p.amount, base=True)
            w.el("DebetCredit", p.debit_credit, base=True)
            w.close("IngediendBedrag")
            w.close("Prestatie")
        w.close("Prestaties")
        w.close("Client")
    w.close("Clienten")
    w.close("Declaratie")
    return w.text()
