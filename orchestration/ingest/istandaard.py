"""Parse iWmo 3.2 and iJw 3.2 messages into raw rows, pseudonymised at the door.

Codes stay codes (productcategorie 45, reden beeindiging 31, ...) with the law alongside,
because the same code means different things per law. The parser refuses DTDs, entities
and network access (XML bombs, external entities). With a folder of official XSDs every
message is schema-validated first; without it the parser's own structural checks apply
(required elements present, dates real, numbers numeric).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from orchestration.lib.bsn import elfproef
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.wijken import wijk_of

NS = re.compile(r"^\{http://www\.istandaarden\.nl/(iwmo|ijw)/3_2/(wmo|jw)(\d{3})/schema\}Bericht$")
LAW = {"iwmo": "wmo", "ijw": "jeugd"}
LOADED_KINDS = {"301", "305", "307", "315", "317", "319", "323"}
RETOUR_KINDS = {"302", "306", "308", "316", "318", "320", "325"}
MAX_BYTES = 20_000_000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True
)


class MessageRejected(Exception):
    """The message cannot be loaded; the text starts with the rule (xml, xsd, structure, ...)."""


@dataclass
class ParsedMessage:
    law: str
    kind: str
    rows: dict[str, list[dict]] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _schema(folder: Path, law_dir: str, name: str) -> etree.XMLSchema:
    path = folder / law_dir / "xsd" / f"{name}.xsd"
    if not path.exists():
        raise MessageRejected(f"xsd: no schema {path.name} in {path.parent}")
    return etree.XMLSchema(etree.parse(str(path)))


@dataclass(frozen=True)
class SchemaSet:
    """The official XSDs, loaded once per message type from ``<folder>/{iwmo,ijw}/xsd``."""

    folder: Path

    def validate(self, law_dir: str, name: str, doc) -> None:
        schema = _schema(self.folder, law_dir, name)
        if not schema.validate(doc):
            err = schema.error_log.last_error
            raise MessageRejected(f"xsd: line {err.line}: {err.message}")


@lru_cache(maxsize=4096)
def _tags(ns_msg: str, ns_base: str, path: str) -> tuple[str, ...]:
    """Clark names ({namespace}Local) for a path, built once per message type and path."""
    return tuple(f"{{{ns_base}}}{p[1:]}" if p.startswith(":") else f"{{{ns_msg}}}{p}" for p in path.split("/"))


class _Reader:
    """Access to one message's elements by local name, with structural checks."""

    def __init__(self, root, ns_msg: str, ns_base: str):
        self.m, self.b = ns_msg, ns_base
        self._children: dict = {}  # element -> {tag: its first child with that tag}

    def find(self, el, path: str):
        """Path of local names; names prefixed with ':' are base-schema elements."""
        for tag in _tags(self.m, self.b, path):
            if el is None:
                return None
            # a direct child, from the element's children indexed once: a 323 line is asked for some twenty
            # fields, and walking its children for each was a third of the parse (cProfile, stop 38)
            children = self._children.get(el)
            if children is None:
                children = self._children[el] = {}
                for child in el:
                    children.setdefault(child.tag, child)
            el = children.get(tag)
        return el

    def text(self, el, path: str, required: bool = False) -> str | None:
        found = self.find(el, path)
        if found is None or found.text is None or not found.text.strip():
            if required:
                raise MessageRejected(f"structure: missing {path} in {etree.QName(el).localname}")
            return None
        return found.text.strip()

    def date(self, el, path: str, required: bool = False) -> dt.date | None:
        value = self.text(el, path, required)
        if value is None:
            return None
        try:
            if not ISO_DATE.fullmatch(value):  # fromisoformat would also take 20270630 and 2027-W26-3
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise MessageRejected(f"structure: {path} {value!r} is not a date") from exc

    def int(self, el, path: str, required: bool = False, maximum: int = 99_999_999) -> int | None:
        """A whole number in the standard's range: amounts, volumes and tariffs are 0..99999999."""
        value = self.text(el, path, required)
        if value is None:
            return None
        if not value.isascii() or not value.isdigit() or int(value) > maximum:
            raise MessageRejected(f"structure: {path} {value!r} is not a whole number from 0 to {maximum:,}")
        return int(value)

    def all(self, el, path: str) -> list:
        *parents, last = path.split("/")
        parent = self.find(el, "/".join(parents)) if parents else el
        return [] if parent is None else list(parent.iterchildren(f"{{{self.m}}}{last}"))


def parse_message(data: bytes, key: str, schemas: SchemaSet | None = None) -> ParsedMessage:
    if len(data) > MAX_BYTES:
        raise MessageRejected(f"size: {len(data):,} bytes exceeds the limit of {MAX_BYTES:,}")
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data:
        raise MessageRejected("xml: DTDs and entity declarations are not allowed in iStandaarden messages")
    try:
        root = etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        raise MessageRejected(f"xml: {exc}") from exc
    if root.getroottree().docinfo.doctype:  # a DTD the byte check missed, e.g. in UTF-16: never expanded, refused
        raise MessageRejected("xml: DTDs and entity declarations are not allowed in iStandaarden messages")
    match = NS.match(root.tag)
    if not match:
        raise MessageRejected(f"type: root element {root.tag!r} is not an iWmo/iJw 3.2 Bericht")
    law_dir, prefix, kind = match.groups()
    if kind not in LOADED_KINDS | RETOUR_KINDS:
        raise MessageRejected(f"type: message {prefix.upper()}{kind} is not one grip loads")
    if schemas is not None:
        schemas.validate(law_dir, f"{prefix.upper()}{kind}", root)
    law = LAW[law_dir]
    r = _Reader(
        root,
        f"http://www.istandaarden.nl/{law_dir}/3_2/{prefix}{kind}/schema",
        f"http://www.istandaarden.nl/{law_dir}/3_2/basisschema/schema",
    )
    header = r.find(root, "Header")
    if header is None:
        raise MessageRejected("structure: missing Header")
    msg = {
        "law": law,
        "kind": kind,
        "berichtcode": r.text(header, "BerichtCode", True),
        "afzender": r.text(header, "Afzender", True),
        "ontvanger": r.text(header, "Ontvanger", True),
        "identificatie": r.text(header, "BerichtIdentificatie/:Identificatie", True),
        "dagtekening": r.date(header, "BerichtIdentificatie/:Dagtekening", True),
    }
    out = ParsedMessage(law, kind)
    client = r.find(root, "Client")
    person = _client(r, client, key) if client is not None and kind != "323" else {}
    out.rows["ist_berichten"] = [{**msg, **person}]
    keys = {
        "law": law,
        "afzender": msg["afzender"],
        "identificatie": msg["identificatie"],
        "dagtekening": msg["dagtekening"],
    }
    if kind in RETOUR_KINDS:
        out.rows["ist_retourcodes"] = [
            {
                **keys,
                "kind": kind,
                "element": etree.QName(el.getparent().getparent()).localname
                if el.getparent().getparent() is not None
                else "",
                "retourcode": el.text,
            }
            for el in root.iter(f"{{{r.b}}}RetourCode", f"{{{r.m}}}RetourCode")
            if el.text
        ]
        return out
    ck = {"client_key": person.get("client_key")}
    parse = {
        "301": _toewijzingen,
        "305": _starts,
        "307": _stops,
        "315": _verzoeken_toewijzing,
        "317": _verzoeken_wijziging,
        "319": _antwoorden,
        "323": _declaraties,
    }[kind]
    table, rows = parse(r, root, client, key)
    out.rows[table] = [{**keys, **ck, "_pos": i + 1, **row} for i, row in enumerate(rows)]
    if kind == "323":
        for row in out.rows[table]:
            row.update(row.pop("_client"))
    return out


def _client(r: _Reader, client, key: str) -> dict:
    bsn = r.text(client, "Bsn", True)
    birth = r.date(client, "Geboortedatum/:Datum")
    postcode = None
    for contact in r.all(client, "Contactgegevens/Contact"):
        postcode = postcode or r.text(contact, "Adres/:Postcode")
    return {
        "client_key": pseudonymise(bsn, key, "bsn"),
        "bsn_valid": elfproef(bsn),
        "birth_year_month": birth.strftime("%Y-%m") if birth else None,
        "gender": r.text(client, "Geslacht"),
        "wijk_code": wijk_of(postcode),
    }


def _product(r: _Reader, el) -> dict:
    return {"productcategorie": r.text(el, "Product/:Categorie"), "productcode": r.text(el, "Product/:Code")}


def _omvang(r: _Reader, el) -> dict:
    return {
        "volume": r.int(el, "Omvang/:Volume"),
        "eenheid": r.text(el, "Omvang/:Eenheid"),
        "frequentie": r.text(el, "Omvang/:Frequentie"),
    }


def _toewijzingen(r, root, client, key):
    rows = [
        {
            "toewijzing_nummer": r.text(p, "ToewijzingNummer", True),
            "referentie_aanbieder": r.text(p, "ReferentieAanbieder"),
            **_product(r, p),
            "toewijzingsdatum": r.date(p, "Toewijzingsdatum", True),
            "ingangsdatum": r.date(p, "Ingangsdatum", True),
            "einddatum": r.date(p, "Einddatum"),
            "reden_wijziging": r.text(p, "RedenWijziging"),
            **_omvang(r, p),
            "budget_cents": r.int(p, "Budget"),
        }
        for p in r.all(client, "ToegewezenProducten/ToegewezenProduct")
    ]
    if not rows:
        raise MessageRejected("structure: a 301 without ToegewezenProduct")
    return "ist_toewijzingen", rows


def _start_stop_common(r, p):
    return {
        "toewijzing_nummer": r.text(p, "ToewijzingNummer", True),
        **_product(r, p),
        "toewijzing_ingangsdatum": r.date(p, "ToewijzingIngangsdatum"),
        "begindatum": r.date(p, "Begindatum", True),
        "status_aanlevering": r.text(p, "StatusAanlevering", True),
    }


def _starts(r, root, client, key):
    return "ist_starts", [_start_stop_common(r, p) for p in r.all(client, "StartProducten/StartProduct")]


def _stops(r, root, client, key):
    return "ist_stops", [
        {
            **_start_stop_common(r, p),
            "reden_beeindiging": r.text(p, "RedenBeeindiging"),
            "einddatum": r.date(p, "Einddatum", True),
        }
        for p in r.all(client, "StopProducten/StopProduct")
    ]


def _verzoeken_toewijzing(r, root, client, key):
    return "ist_verzoeken_toewijzing", [
        {
            "referentie_aanbieder": r.text(p, "ReferentieAanbieder", True),
            "beschikking_nummer": r.text(p, "BeschikkingNummer"),
            **_product(r, p),
            "beschikking_ingangsdatum": r.date(p, "BeschikkingIngangsdatum"),
            "toewijzing_ingangsdatum": r.date(p, "ToewijzingIngangsdatum", True),
            "toewijzing_einddatum": r.date(p, "ToewijzingEinddatum"),
            **_omvang(r, p),
            "verwijzer_type": r.text(p, "Verwijzer/:Type"),
            "verwijzer_zorgverlenercode": r.text(p, "Verwijzer/:ZorgverlenerCode"),
            "raamcontract": r.text(p, "Raamcontract"),
        }
        for p in r.all(client, "AangevraagdeProducten/AangevraagdProduct")
    ]


def _verzoeken_wijziging(r, root, client, key):
    verzoek = r.find(client, "Verzoek")
    if verzoek is None:
        raise MessageRejected("structure: a 317 without Verzoek")
    common = {
        "referentie_aanbieder": r.text(verzoek, "ReferentieAanbieder", True),
        "reden_verzoek": r.text(verzoek, "RedenVerzoek"),
    }
    rows = []
    for group, item, soort in (
        ("OngewijzigdeProducten", "OngewijzigdProduct", "ongewijzigd"),
        ("TeWijzigenProducten", "TeWijzigenProduct", "te_wijzigen"),
        ("NieuweProducten", "NieuwProduct", "nieuw"),
    ):
        for p in r.all(verzoek, f"{group}/{item}"):
            rows.append(
                {
                    **common,
                    "soort": soort,
                    "toewijzing_nummer": r.text(p, "ToewijzingNummer"),
                    **_product(r, p),
                    "gewenste_ingangsdatum": r.date(p, "GewensteIngangsdatum"),
                    "einddatum": r.date(p, "Einddatum"),
                    **_omvang(r, p),
                }
            )
    return "ist_verzoeken_wijziging", rows


def _antwoorden(r, root, client, key):
    antwoord = r.find(root, "Antwoord")
    if antwoord is None:
        raise MessageRejected("structure: a 319 without Antwoord")
    return "ist_antwoorden", [
        {
            "referentie_aanbieder": r.text(antwoord, "ReferentieAanbieder", True),
            "verzoek_antwoord": r.text(antwoord, "VerzoekAntwoord", True),
            "reden_afwijzing": r.text(antwoord, "RedenAfwijzingVerzoek"),
        }
    ]


def _signed(r, el, amount: str, sign: str, maximum: int = 99_999_999) -> int:
    """Amounts are required in a 323 and unsigned; DebetCredit gives the sign."""
    value = r.int(el, amount, required=True, maximum=maximum)
    dc = r.text(el, sign)
    if dc not in ("D", "C"):
        raise MessageRejected(f"structure: DebetCredit {dc!r} is not D or C")
    return value if dc == "D" else -value


def _declaraties(r, root, client, key):
    decl = r.find(root, "Declaratie")
    if decl is None:
        raise MessageRejected("structure: a 323 without Declaratie")
    common = {
        "declaratie_nummer": r.text(decl, "DeclaratieNummer", True),
        "declaratie_begindatum": r.date(decl, "DeclaratiePeriode/:Begindatum", True),
        "declaratie_einddatum": r.date(decl, "DeclaratiePeriode/:Einddatum", True),
        "declaratie_dagtekening": r.date(decl, "DeclaratieDagtekening"),
        "totaal_bedrag_cents": _signed(
            r,
            decl,
            "TotaalIngediendBedrag/:TotaalBedrag",
            "TotaalIngediendBedrag/:DebetCredit",
            maximum=999_999_999_999,
        ),
    }
    rows = []
    for c in r.all(decl, "Clienten/Client"):
        bsn = r.text(c, "Bsn", True)
        who = {"client_key": pseudonymise(bsn, key, "bsn"), "bsn_valid": elfproef(bsn)}
        for p in r.all(c, "Prestaties/Prestatie"):
            rows.append(
                {
                    **common,
                    "_client": who,
                    "referentie_nummer": r.text(p, "ProductReferentie/:ReferentieNummer", True),
                    "vorig_referentie_nummer": r.text(p, "ProductReferentie/:VorigReferentieNummer"),
                    "toewijzing_nummer": r.text(p, "ToewijzingNummer"),
                    "productcategorie": r.text(p, "ProductCategorie"),
                    "productcode": r.text(p, "ProductCode"),
                    "product_begindatum": r.date(p, "ProductPeriode/:Begindatum", True),
                    "product_einddatum": r.date(p, "ProductPeriode/:Einddatum", True),
                    "geleverd_volume": r.int(p, "GeleverdVolume"),
                    "eenheid": r.text(p, "Eenheid"),
                    "product_tarief_cents": r.int(p, "ProductTarief"),
                    "ingediend_bedrag_cents": _signed(r, p, "IngediendBedrag/:Bedrag", "IngediendBedrag/:DebetCredit"),
                    "debet_credit": r.text(p, "IngediendBedrag/:DebetCredit"),
                }
            )
    return "ist_declaratieregels", rows


_KEYS = [("law", "varchar"), ("afzender", "varchar"), ("identificatie", "varchar"), ("dagtekening", "date")]
_PRODUCT = [("productcategorie", "varchar"), ("productcode", "varchar")]
_OMVANG = [("volume", "bigint"), ("eenheid", "varchar"), ("frequentie", "varchar")]
_START = [
    ("toewijzing_nummer", "varchar"),
    *_PRODUCT,
    ("toewijzing_ingangsdatum", "date"),
    ("begindatum", "date"),
    ("status_aanlevering", "varchar"),
]

# Raw tables written from the message traffic; every row also carries the lineage columns.
TABLES: dict[str, list[tuple[str, str]]] = {
    "ist_berichten": [
        ("law", "varchar"),
        ("kind", "varchar"),
        ("berichtcode", "varchar"),
        ("afzender", "varchar"),
        ("ontvanger", "varchar"),
        ("identificatie", "varchar"),
        ("dagtekening", "date"),
        ("client_key", "varchar"),
        ("bsn_valid", "boolean"),
        ("birth_year_month", "varchar"),
        ("gender", "varchar"),
        ("wijk_code", "varchar"),
    ],
    "ist_toewijzingen": [
        *_KEYS,
        ("client_key", "varchar"),
        ("_pos", "integer"),
        ("toewijzing_nummer", "varchar"),
        ("referentie_aanbieder", "varchar"),
        *_PRODUCT,
        ("toewijzingsdatum", "date"),
        ("ingangsdatum", "date"),
        ("einddatum", "date"),
        ("reden_wijziging", "varchar"),
        *_OMVANG,
        ("budget_cents", "bigint"),
    ],
    "ist_starts": [*_KEYS, ("client_key", "varchar"), ("_pos", "integer"), *_START],
    "ist_stops": [
        *_KEYS,
        ("client_key", "varchar"),
        ("_pos", "integer"),
        *_START,
        ("reden_beeindiging", "varchar"),
        ("einddatum", "date"),
    ],
    "ist_verzoeken_toewijzing": [
        *_KEYS,
        ("client_key", "varchar"),
        ("_pos", "integer"),
        ("referentie_aanbieder", "varchar"),
        ("beschikking_nummer", "varchar"),
        *_PRODUCT,
        ("beschikking_ingangsdatum", "date"),
        ("toewijzing_ingangsdatum", "date"),
        ("toewijzing_einddatum", "date"),
        *_OMVANG,
        ("verwijzer_type", "varchar"),
        ("verwijzer_zorgverlenercode", "varchar"),
        ("raamcontract", "varchar"),
    ],
    "ist_verzoeken_wijziging": [
        *_KEYS,
        ("client_key", "varchar"),
        ("_pos", "integer"),
        ("referentie_aanbieder", "varchar"),
        ("reden_verzoek", "varchar"),
        ("soort", "varchar"),
        ("toewijzing_nummer", "varchar"),
        *_PRODUCT,
        ("gewenste_ingangsdatum", "date"),
        ("einddatum", "date"),
        *_OMVANG,
    ],
    "ist_antwoorden": [
        *_KEYS,
        ("client_key", "varchar"),
        ("_pos", "integer"),
        ("referentie_aanbieder", "varchar"),
        ("verzoek_antwoord", "varchar"),
        ("reden_afwijzing", "varchar"),
    ],
    "ist_declaratieregels": [
        *_KEYS,
        ("client_key", "varchar"),
        ("bsn_valid", "boolean"),
        ("_pos", "integer"),
        ("declaratie_nummer", "varchar"),
        ("declaratie_begindatum", "date"),
        ("declaratie_einddatum", "date"),
        ("declaratie_dagtekening", "date"),
        ("totaal_bedrag_cents", "bigint"),
        ("referentie_nummer", "varchar"),
        ("vorig_referentie_nummer", "varchar"),
        ("toewijzing_nummer", "varchar"),
        *_PRODUCT,
        ("product_begindatum", "date"),
        ("product_einddatum", "date"),
        ("geleverd_volume", "bigint"),
        ("eenheid", "varchar"),
        ("product_tarief_cents", "bigint"),
        ("ingediend_bedrag_cents", "bigint"),
        ("debet_credit", "varchar"),
    ],
    "ist_retourcodes": [*_KEYS, ("kind", "varchar"), ("element", "varchar"), ("retourcode", "varchar")],
}
