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


@dataclass(frozen=True)
class Field:
    """One value of a message: where it is, what type it has, and whether the message needs it."""

    column: str
    path: str  # local names from the element the value belongs to; ':' marks a base-schema element
    type: str = "text"  # text, date, int, or signed (an unsigned amount whose sign is at ``sign``)
    required: bool = False
    maximum: int = 99_999_999
    sign: str | None = None


@dataclass(frozen=True)
class Layout:
    """Where a message kind's rows are: the reference parser below reads it element by element,
    and ``compiled`` turns it into one XSLT per message type, so both read the same paths."""

    table: str
    parent: str  # path from the root to the element the rows hang from
    items: tuple[tuple[str, str | None], ...]  # (item path under the parent or each client, its soort); "" = the parent
    fields: tuple[Field, ...]
    common: tuple[Field, ...] = ()  # values of the parent, on every row
    clients: str | None = None  # a 323: the clients under the parent, each with its Bsn; the items are under each
    missing_parent: str | None = None  # the refusal when the parent is absent
    no_items: str | None = None  # the refusal when the message has no rows


def _text(column: str, path: str, required: bool = False) -> Field:
    return Field(column, path, "text", required)


def _date(column: str, path: str, required: bool = False) -> Field:
    return Field(column, path, "date", required)


def _int(column: str, path: str) -> Field:
    return Field(column, path, "int")


HEADER = (
    _text("berichtcode", "BerichtCode", True),
    _text("afzender", "Afzender", True),
    _text("ontvanger", "Ontvanger", True),
    _text("identificatie", "BerichtIdentificatie/:Identificatie", True),
    _date("dagtekening", "BerichtIdentificatie/:Dagtekening", True),
)
BSN = _text("bsn", "Bsn", True)  # a message's client, and each client of a 323
CLIENT = (BSN, _date("birth", "Geboortedatum/:Datum"), _text("gender", "Geslacht"))
CONTACTS, POSTCODE = "Contactgegevens/Contact", "Adres/:Postcode"  # the first contact with a postcode gives the wijk
_PRODUCT = (_text("productcategorie", "Product/:Categorie"), _text("productcode", "Product/:Code"))
_OMVANG = (
    _int("volume", "Omvang/:Volume"),
    _text("eenheid", "Omvang/:Eenheid"),
    _text("frequentie", "Omvang/:Frequentie"),
)
_START = (
    _text("toewijzing_nummer", "ToewijzingNummer", True),
    *_PRODUCT,
    _date("toewijzing_ingangsdatum", "ToewijzingIngangsdatum"),
    _date("begindatum", "Begindatum", True),
    _text("status_aanlevering", "StatusAanlevering", True),
)

LAYOUTS: dict[str, Layout] = {
    "301": Layout(
        "ist_toewijzingen",
        "Client",
        (("ToegewezenProducten/ToegewezenProduct", None),),
        (
            _text("toewijzing_nummer", "ToewijzingNummer", True),
            _text("referentie_aanbieder", "ReferentieAanbieder"),
            *_PRODUCT,
            _date("toewijzingsdatum", "Toewijzingsdatum", True),
            _date("ingangsdatum", "Ingangsdatum", True),
            _date("einddatum", "Einddatum"),
            _text("reden_wijziging", "RedenWijziging"),
            *_OMVANG,
            _int("budget_cents", "Budget"),
        ),
        no_items="a 301 without ToegewezenProduct",
    ),
    "305": Layout("ist_starts", "Client", (("StartProducten/StartProduct", None),), _START),
    "307": Layout(
        "ist_stops",
        "Client",
        (("StopProducten/StopProduct", None),),
        (*_START, _text("reden_beeindiging", "RedenBeeindiging"), _date("einddatum", "Einddatum", True)),
    ),
    "315": Layout(
        "ist_verzoeken_toewijzing",
        "Client",
        (("AangevraagdeProducten/AangevraagdProduct", None),),
        (
            _text("referentie_aanbieder", "ReferentieAanbieder", True),
            _text("beschikking_nummer", "BeschikkingNummer"),
            *_PRODUCT,
            _date("beschikking_ingangsdatum", "BeschikkingIngangsdatum"),
            _date("toewijzing_ingangsdatum", "ToewijzingIngangsdatum", True),
            _date("toewijzing_einddatum", "ToewijzingEinddatum"),
            *_OMVANG,
            _text("verwijzer_type", "Verwijzer/:Type"),
            _text("verwijzer_zorgverlenercode", "Verwijzer/:ZorgverlenerCode"),
            _text("raamcontract", "Raamcontract"),
        ),
    ),
    "317": Layout(
        "ist_verzoeken_wijziging",
        "Client/Verzoek",
        (
            ("OngewijzigdeProducten/OngewijzigdProduct", "ongewijzigd"),
            ("TeWijzigenProducten/TeWijzigenProduct", "te_wijzigen"),
            ("NieuweProducten/NieuwProduct", "nieuw"),
        ),
        (
            _text("toewijzing_nummer", "ToewijzingNummer"),
            *_PRODUCT,
            _date("gewenste_ingangsdatum", "GewensteIngangsdatum"),
            _date("einddatum", "Einddatum"),
            *_OMVANG,
        ),
        common=(_text("referentie_aanbieder", "ReferentieAanbieder", True), _text("reden_verzoek", "RedenVerzoek")),
        missing_parent="a 317 without Verzoek",
    ),
    "319": Layout(
        "ist_antwoorden",
        "Antwoord",
        (("", None),),
        (
            _text("referentie_aanbieder", "ReferentieAanbieder", True),
            _text("verzoek_antwoord", "VerzoekAntwoord", True),
            _text("reden_afwijzing", "RedenAfwijzingVerzoek"),
        ),
        missing_parent="a 319 without Antwoord",
    ),
    "323": Layout(
        "ist_declaratieregels",
        "Declaratie",
        (("Prestaties/Prestatie", None),),
        (
            _text("referentie_nummer", "ProductReferentie/:ReferentieNummer", True),
            _text("vorig_referentie_nummer", "ProductReferentie/:VorigReferentieNummer"),
            _text("toewijzing_nummer", "ToewijzingNummer"),
            _text("productcategorie", "ProductCategorie"),
            _text("productcode", "ProductCode"),
            _date("product_begindatum", "ProductPeriode/:Begindatum", True),
            _date("product_einddatum", "ProductPeriode/:Einddatum", True),
            _int("geleverd_volume", "GeleverdVolume"),
            _text("eenheid", "Eenheid"),
            _int("product_tarief_cents", "ProductTarief"),
            Field(
                "ingediend_bedrag_cents", "IngediendBedrag/:Bedrag", "signed", True, sign="IngediendBedrag/:DebetCredit"
            ),
            _text("debet_credit", "IngediendBedrag/:DebetCredit"),
        ),
        common=(
            _text("declaratie_nummer", "DeclaratieNummer", True),
            _date("declaratie_begindatum", "DeclaratiePeriode/:Begindatum", True),
            _date("declaratie_einddatum", "DeclaratiePeriode/:Einddatum", True),
            _date("declaratie_dagtekening", "DeclaratieDagtekening"),
            Field(
                "totaal_bedrag_cents",
                "TotaalIngediendBedrag/:TotaalBedrag",
                "signed",
                True,
                999_999_999_999,
                "TotaalIngediendBedrag/:DebetCredit",
            ),
        ),
        clients="Clienten/Client",
        missing_parent="a 323 without Declaratie",
    ),
}
assert set(LAYOUTS) == LOADED_KINDS


def open_message(data: bytes, schemas: SchemaSet | None = None):
    """Parse one message safely and say what it is: (root, law folder, prefix, kind); refuses what grip
    does not load. Both the reference parser and the compiled one start here."""
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
    return root, law_dir, prefix, kind


def namespaces(law_dir: str, prefix: str, kind: str) -> tuple[str, str]:
    """The message type's own namespace and the law's base-schema namespace."""
    return (
        f"http://www.istandaarden.nl/{law_dir}/3_2/{prefix}{kind}/schema",
        f"http://www.istandaarden.nl/{law_dir}/3_2/basisschema/schema",
    )


def parse_message(data: bytes, key: str, schemas: SchemaSet | None = None) -> ParsedMessage:
    """The reference parser: one message, element by element. Ingest reads most messages with the
    compiled parser (``compiled.parse_messages``) and comes here for the rest and for every refusal,
    so the reasons a message is refused are written once, here."""
    root, law_dir, prefix, kind = open_message(data, schemas)
    law = LAW[law_dir]
    r = _Reader(root, *namespaces(law_dir, prefix, kind))
    header = r.find(root, "Header")
    if header is None:
        raise MessageRejected("structure: missing Header")
    msg = {"law": law, "kind": kind, **_values(r, header, HEADER)}
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
    layout = LAYOUTS[kind]
    ck = {"client_key": person.get("client_key")}  # a 323's rows carry each client's own key instead
    rows = _rows(r, root, layout, key)
    out.rows[layout.table] = [{**keys, **ck, "_pos": i + 1, **row} for i, row in enumerate(rows)]
    return out


def _client(r: _Reader, client, key: str) -> dict:
    values = _values(r, client, CLIENT)
    postcode = None
    for contact in r.all(client, CONTACTS):
        postcode = postcode or r.text(contact, POSTCODE)
    return {
        "client_key": pseudonymise(values["bsn"], key, "bsn"),
        "bsn_valid": elfproef(values["bsn"]),
        "birth_year_month": values["birth"].strftime("%Y-%m") if values["birth"] else None,
        "gender": values["gender"],
        "wijk_code": wijk_of(postcode),
    }


def _rows(r: _Reader, root, layout: Layout, key: str) -> list[dict]:
    parent = r.find(root, layout.parent)
    if parent is None and layout.missing_parent:
        raise MessageRejected(f"structure: {layout.missing_parent}")
    rows: list[dict] = []
    if parent is not None:
        common = _values(r, parent, layout.common)
        for owner in r.all(parent, layout.clients) if layout.clients else [parent]:
            who = {}
            if layout.clients:
                bsn = r.text(owner, BSN.path, True)
                who = {"client_key": pseudonymise(bsn, key, "bsn"), "bsn_valid": elfproef(bsn)}
            for path, soort in layout.items:
                for item in r.all(owner, path) if path else [owner]:
                    row = {**common, **who, **({"soort": soort} if soort else {})}
                    rows.append(row | _values(r, item, layout.fields))
    if not rows and layout.no_items:
        raise MessageRejected(f"structure: {layout.no_items}")
    return rows


def _values(r: _Reader, el, fields: tuple[Field, ...]) -> dict:
    """The fields' values in order, so a message with several faults is refused for the first."""
    out = {}
    for f in fields:
        if f.type == "text":
            out[f.column] = r.text(el, f.path, f.required)
        elif f.type == "date":
            out[f.column] = r.date(el, f.path, f.required)
        elif f.type == "int":
            out[f.column] = r.int(el, f.path, f.required, f.maximum)
        else:
            out[f.column] = _signed(r, el, f.path, f.sign, f.maximum)
    return out


def _signed(r, el, amount: str, sign: str, maximum: int = 99_999_999) -> int:
    """Amounts are required in a 323 and unsigned; DebetCredit gives the sign."""
    value = r.int(el, amount, required=True, maximum=maximum)
    dc = r.text(el, sign)
    if dc not in ("D", "C"):
        raise MessageRejected(f"structure: DebetCredit {dc!r} is not D or C")
    return value if dc == "D" else -value


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
