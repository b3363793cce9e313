"""Messages read column-wise: each message type's layout compiled into one XSLT, values checked per column.

Reading a message element by element in Python cost about 60 µs per row: at scale 1 the message
traffic (237,000 messages, 1.3 million rows, most of them declaration lines) took 98 s on one
process against 4 s for lxml's parse alone (benchmarks/floor.py). Here libxslt walks the paths
of ``istandaard.LAYOUTS`` in C and writes one record per row; Python splits the records into
columns, and Arrow checks and types each column at once (required, ASCII, dates, whole numbers,
debit or credit) and pseudonymises each distinct BSN once.

The reference parser stays the specification. A message goes to it, whole, when anything is
unusual: a kind this module does not compile (the retour messages), a value that is not plain
ASCII, a comment, CDATA, a processing instruction or a character reference in the file, a missing
parent, a value that breaks a rule. So a refused message is
refused by the reference, with its reason, and the tests check that both parsers give the same
rows for the same messages (tests/unit/test_compiled_parser.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from orchestration.lib.bsn import elfproef
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.warehouse import arrow_schema
from orchestration.lib.wijken import wijk_of

from .istandaard import (
    BSN,
    CLIENT,
    CONTACTS,
    HEADER,
    LAW,
    LAYOUTS,
    POSTCODE,
    TABLES,
    Field,
    Layout,
    MessageRejected,
    SchemaSet,
    namespaces,
    open_message,
    parse_message,
)

FS, RS = "\u241f", "\u241e"  # the symbols for unit and record separator: legal in XML, never in a loaded value

_MESSAGE = ("has_header", *(f.column for f in HEADER), "has_client", *(f.column for f in CLIENT), "postcode")
_MESSAGE += ("has_parent", "bad_owners")


def _xpath(path: str, first_last: bool = True) -> str:
    """``A/:B`` -> ``m:A[1]/b:B[1]``: the first element at every step, as the reference reads it."""
    steps = [f"b:{p[1:]}" if p.startswith(":") else f"m:{p}" for p in path.split("/")]
    return "/".join(f"{s}[1]" if first_last or i < len(steps) - 1 else s for i, s in enumerate(steps))


TEXT = "/node()[1][self::text()]"  # lxml's .text: the text before an element's first child, if any (the guard
#                                     keeps comments and processing instructions out, the parser merges the rest)


def _values(fields: tuple[Field, ...], base: str = "") -> list[str]:
    prefix = f"{base}/" if base else ""
    out = []
    for f in fields:
        out.append(f"{prefix}{_xpath(f.path)}{TEXT}")
        if f.type == "signed":
            out.append(f"{prefix}{_xpath(f.sign)}{TEXT}")
    return out


def _columns(fields: tuple[Field, ...]) -> list[str]:
    return [c for f in fields for c in ((f.column, f"{f.column}__sign") if f.type == "signed" else (f.column,))]


def _record(selects: list[str]) -> str:
    return (
        f"<xsl:text>{FS}</xsl:text>".join(f'<xsl:value-of select="{s}"/>' for s in selects)
        + f"<xsl:text>{RS}</xsl:text>"
    )


def stylesheet(layout: Layout, kind: str) -> str:
    """The XSLT for one message type, run once over a batch of its messages (the children of one element):
    first a record per message (header, client, the parent's own values and the guards), then a record per
    row, each with its message's position in the batch. One run per batch, not per message: a run costs
    about 30 µs of set-up, more than the rest of a small message's reading."""
    parent = _xpath(layout.parent)
    digits_only = "[string-length(.) > 0][translate(., '0123456789', '') = '']"
    message = [
        "count(m:Header[1])",
        *_values(HEADER, "m:Header[1]"),
        "count(m:Client[1])" if kind != "323" else "0",
        *_values(CLIENT, "m:Client[1]"),
        f"(m:Client[1]/{_xpath(CONTACTS, False)}/{_xpath(POSTCODE)}{TEXT}[normalize-space()])[1]",
        f"count({parent})",
        f"count({parent}/{_xpath(layout.clients, False)}[not({_xpath(BSN.path)}{TEXT}{digits_only})])"
        if layout.clients
        else "0",
        *_values(layout.common, parent),
    ]
    rows = []
    for group, (path, _) in enumerate(layout.items):
        each = _xpath(path, False) if path else "."
        fields = ["$i", f"'{group}'", *_values(layout.fields)]
        if layout.clients:
            rows.append(
                f'<xsl:for-each select="{parent}/{_xpath(layout.clients, False)}">'
                f'<xsl:variable name="bsn" select="string({_xpath(BSN.path)}{TEXT})"/>'
                f'<xsl:for-each select="{each}">{_record([*fields[:2], "$bsn", *fields[2:]])}</xsl:for-each>'
                "</xsl:for-each>"
            )
        else:
            rows.append(f'<xsl:for-each select="{parent}/{each}">{_record(fields)}</xsl:for-each>')
    return (
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
        'xmlns:m="{m}" xmlns:b="{b}"><xsl:output method="text" encoding="UTF-8"/><xsl:template match="/">'
        f'<xsl:for-each select="/*/m:Bericht">{_record(message)}</xsl:for-each>'
        '<xsl:for-each select="/*/m:Bericht"><xsl:variable name="i" select="position()"/>'
        f"{''.join(rows)}</xsl:for-each>"
        "</xsl:template></xsl:stylesheet>"
    )


@dataclass(frozen=True)
class _Compiled:
    law: str
    kind: str
    layout: Layout
    transform: etree.XSLT
    message_columns: tuple[str, ...]
    row_columns: tuple[str, ...]


@lru_cache(maxsize=64)
def _compiled(law_dir: str, prefix: str, kind: str) -> _Compiled | None:
    layout = LAYOUTS.get(kind)
    if layout is None:  # the retour messages: rare, read by the reference
        return None
    m, b = namespaces(law_dir, prefix, kind)
    xslt = stylesheet(layout, kind).replace("{m}", m).replace("{b}", b)
    return _Compiled(
        LAW[law_dir],
        kind,
        layout,
        etree.XSLT(etree.fromstring(xslt.encode())),
        (*_MESSAGE, *_columns(layout.common)),
        ("_message", "_group", *(("_bsn",) if layout.clients else ()), *_columns(layout.fields)),
    )


@dataclass
class MessageBatch:
    """Rows of many messages as Arrow tables per raw table, each with ``_idx``, the message's index in the batch;
    and the messages that were refused, by index."""

    tables: dict[str, pa.Table]
    refused: dict[int, MessageRejected]
    by_reference: list[int]  # the messages read by the reference parser (retour messages, the unusual)


@dataclass
class _Group:
    """The messages of one type in a batch, moved under one element for a single transform."""

    compiled: _Compiled
    root: etree._Element = field(default_factory=lambda: etree.Element("batch"))
    message_idx: list[int] = field(default_factory=list)


def parse_messages(datas: list[bytes], key: str, schemas: SchemaSet | None = None) -> MessageBatch:
    """Parse a batch of messages; their rows in Arrow tables with the same columns ``istandaard.TABLES`` gives."""
    refused: dict[int, MessageRejected] = {}
    to_reference: list[int] = []
    groups: dict[tuple[str, str, str], _Group] = {}
    for i, data in enumerate(datas):
        # To the reference: a file holding a separator (U+241E, U+241F: UTF-8 e2 90 9e/9f) or a character reference,
        # so no value can forge a record; a comment, CDATA or a processing instruction after the declaration (lxml's
        # .text stops at one, XSLT's value does not). Byte searches: a regular expression took three times as long.
        if b"\xe2\x90" in data or b"&#" in data or b"<!" in data or data.find(b"<?", 1) != -1:
            to_reference.append(i)
            continue
        try:
            root, *message_type = open_message(data, schemas)
        except MessageRejected as exc:
            refused[i] = exc
            continue
        group = groups.get(tuple(message_type))
        if group is None:
            compiled = _compiled(*message_type)
            if compiled is None:
                to_reference.append(i)
                continue
            group = groups[tuple(message_type)] = _Group(compiled)
        group.root.append(root)
        group.message_idx.append(i)
    parts: dict[str, list[pa.Table]] = {}
    for group in groups.values():
        to_reference += _to_tables(group, key, parts)
    for i in sorted(to_reference):
        try:
            parsed = parse_message(datas[i], key, schemas)
        except MessageRejected as exc:
            refused[i] = exc
            continue
        for table, rows in parsed.rows.items():
            if rows:
                parts.setdefault(table, []).append(
                    pa.Table.from_pylist([{**r, "_idx": i} for r in rows], schema=_schema(table))
                )
    order = {t: [(c, "ascending") for c in ("_idx", "_pos") if c in _schema(t).names] for t in parts}
    tables = {t: pa.concat_tables(p).sort_by(order[t]) for t, p in parts.items()}
    return MessageBatch(tables, refused, sorted(to_reference))


@cache
def _schema(table: str) -> pa.Schema:
    return arrow_schema(dict(TABLES[table]) | {"_idx": "integer"})


class _Checked:
    """Columns made typed values, remembering which messages broke a rule (they go to the reference)."""

    def __init__(self, n_messages: int):
        self.bad = pa.array([False] * n_messages)

    def flag(self, mask: pa.Array, owner: pa.Array | None = None) -> None:
        """Mark messages bad where ``mask`` holds; ``owner`` maps row positions to message positions."""
        mask = pc.fill_null(mask, True)
        if owner is not None:
            hit = pc.filter(owner, mask)
            if len(hit) == 0:
                return
            mask = pc.is_in(pa.array(range(len(self.bad))), value_set=pc.unique(hit))
        self.bad = pc.or_(self.bad, mask)

    def value(self, raw: pa.Array, f: Field, owner=None, sign: pa.Array | None = None, applies=None) -> pa.Array:
        """One field's column typed; a value that breaks a rule the reference checks flags its message."""
        self.flag(pc.invert(pc.string_is_ascii(raw)), owner)
        text = pc.ascii_trim_whitespace(raw)
        empty = pc.equal(text, "")
        if f.required:
            self.flag(empty if applies is None else pc.and_(empty, applies), owner)
        text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
        if f.type == "text":
            return text
        if f.type == "date":
            shaped = pc.and_(
                pc.match_substring_regex(text, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), pc.greater_equal(text, "1000")
            )
            parsed = pc.strptime(pc.if_else(shaped, text, None), format="%Y-%m-%d", unit="s", error_is_null=True)
            same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), text)  # strptime rolls 2021-02-29 over to March
            self.flag(pc.and_(pc.invert(empty), pc.invert(pc.fill_null(same, False))), owner)
            return pc.cast(parsed, pa.date32())
        digits = pc.fill_null(pc.match_substring_regex(text, r"^[0-9]{1,12}$"), False)
        number = pc.cast(pc.if_else(digits, text, None), pa.int64())
        self.flag(pc.and_(pc.invert(empty), pc.invert(pc.fill_null(pc.less_equal(number, f.maximum), False))), owner)
        if f.type == "int":
            return number
        dc = pc.ascii_trim_whitespace(sign)
        self.flag(pc.invert(pc.is_in(dc, pa.array(["D", "C"]))), owner)
        self.flag(pc.invert(pc.string_is_ascii(sign)), owner)
        return pc.if_else(pc.equal(dc, "C"), pc.negate(number), number)


def _keyed(values: pa.Array, fn) -> pa.Array:
    """``fn`` of each distinct value, spread back: a postcode's wijk is looked up once per batch, not per message."""
    distinct = pc.unique(values)
    mapped = pa.array([fn(v) for v in distinct.to_pylist()])
    return pc.take(mapped, pc.index_in(values, distinct))


def _persons(bsns: pa.Array, key: str) -> tuple[pa.Array, pa.Array]:
    """Pseudonym and elfproef of each BSN in one pass over the distinct values: once per batch, not per line."""
    distinct = pc.unique(bsns)
    found = [_person(b, key) for b in distinct.to_pylist()]
    at = pc.index_in(bsns, distinct)
    return pc.take(pa.array([k for k, _ in found], pa.string()), at), pc.take(
        pa.array([v for _, v in found], pa.bool_()), at
    )


def _to_tables(group: _Group, key: str, parts: dict[str, list[pa.Table]]) -> list[int]:
    """Transform one message type's batch, type and check its columns; add the rows of sound messages to
    ``parts`` and return the batch indices of the messages that go to the reference parser instead."""
    comp, layout, n = group.compiled, group.compiled.layout, len(group.message_idx)
    records = [r.split(FS) for r in str(comp.transform(group.root)).split(RS)[:-1]]
    messages, rows = records[:n], records[n:]
    if (
        len(messages) != n
        or any(len(m) != len(comp.message_columns) for m in messages)
        or any(len(r) != len(comp.row_columns) for r in rows)
    ):
        return group.message_idx  # cannot happen while the guard keeps separators out of values; if it does, be safe
    msg = {
        name: pa.array(col, pa.string())
        for name, col in zip(comp.message_columns, zip(*messages, strict=True), strict=True)
    }
    cols = zip(*rows, strict=True) if rows else ([] for _ in comp.row_columns)
    row = {name: pa.array(col, pa.string()) for name, col in zip(comp.row_columns, cols, strict=True)}
    owner_np = np.asarray(pc.cast(row["_message"], pa.int32())) - 1  # position of the row's message in the batch
    owner = pa.array(owner_np, pa.int32())
    check = _Checked(n)
    check.flag(pc.equal(msg["has_header"], "0"))
    check.flag(pc.not_equal(msg["bad_owners"], "0"))
    if layout.missing_parent:
        check.flag(pc.equal(msg["has_parent"], "0"))
    if layout.no_items:
        check.flag(pc.invert(pc.is_in(pa.array(range(n), pa.int32()), value_set=pc.unique(owner))))
    values = {f.column: check.value(msg[f.column], f) for f in HEADER}
    has_client = pc.equal(msg["has_client"], "1")
    person = {f.column: check.value(msg[f.column], f, applies=has_client) for f in CLIENT}
    postcode = check.value(msg["postcode"], Field("postcode", POSTCODE))
    common = {f.column: check.value(msg[f.column], f, sign=msg.get(f"{f.column}__sign")) for f in layout.common}
    fields = {f.column: check.value(row[f.column], f, owner, row.get(f"{f.column}__sign")) for f in layout.fields}
    if layout.clients:
        row_bsn = check.value(row["_bsn"], BSN, owner)
    good = pc.invert(check.bad)
    unusual = [i for i, bad in zip(group.message_idx, check.bad.to_pylist(), strict=True) if bad]
    if len(unusual) == n:
        return unusual
    # a message's person values only when it names a client (a 323 names one per client, below)
    none = pa.nulls(n, pa.string())
    bsn = pc.if_else(has_client, person["bsn"], none)
    client_key, bsn_valid = _persons(bsn, key)
    idx = pa.array(group.message_idx, pa.int32())
    law = pa.array([comp.law] * n, pa.string())
    birth = pc.utf8_slice_codeunits(pc.cast(person["birth"], pa.string()), 0, 7)
    berichten = {
        "law": law,
        "kind": pa.array([comp.kind] * n, pa.string()),
        **values,
        "client_key": client_key,
        "bsn_valid": pc.if_else(has_client, bsn_valid, pa.nulls(n, pa.bool_())),
        "birth_year_month": pc.if_else(has_client, birth, none),
        "gender": pc.if_else(has_client, person["gender"], none),
        "wijk_code": pc.if_else(has_client, _keyed(postcode, wijk_of), none),
        "_idx": idx,
    }
    _add(parts, "ist_berichten", pa.table(berichten).filter(good))
    if not rows:
        return unusual
    keys = ("law", "afzender", "identificatie", "dagtekening")
    per_message = {"law": law, **{k: values[k] for k in keys[1:]}, "client_key": client_key, **common, "_idx": idx}
    columns = {name: pc.take(col, owner) for name, col in per_message.items()}
    if layout.clients:
        columns["client_key"], columns["bsn_valid"] = _persons(row_bsn, key)
    if any(soort for _, soort in layout.items):
        columns["soort"] = pc.take(pa.array([s for _, s in layout.items]), pc.cast(row["_group"], pa.int32()))
    starts = np.flatnonzero(np.r_[True, owner_np[1:] != owner_np[:-1]])  # rows come message by message
    positions = np.arange(len(owner_np)) - np.repeat(starts, np.diff(np.r_[starts, len(owner_np)])) + 1
    columns |= fields | {"_pos": pa.array(positions, pa.int32())}
    _add(parts, layout.table, pa.table(columns).filter(pc.take(good, owner)))
    return unusual


def _add(parts: dict[str, list[pa.Table]], table: str, rows: pa.Table) -> None:
    if rows.num_rows:
        schema = _schema(table)
        parts.setdefault(table, []).append(rows.select(schema.names).cast(schema))


@lru_cache(maxsize=1 << 18)
def _person(bsn: str | None, key: str) -> tuple[str | None, bool]:
    """A BSN's pseudonym and its check, kept across batches: a worker reads a client's messages in many."""
    return pseudonymise(bsn, key, "bsn"), elfproef(bsn)
