"""The compiled message parser gives exactly the rows and refusals of the reference parser.

The reference (``istandaard.parse_message``) reads a message element by element and is the
specification; ingest reads with ``compiled.parse_messages`` (XSLT per message type, values checked
per column). Every case here parses a batch both ways and compares the tables cell by cell and the
refusals word by word, including messages built to make the two read differently (comments,
character references, mixed content, non-ASCII values, faults the fast path must notice).
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from orchestration.ingest import compiled
from orchestration.ingest.istandaard import MessageRejected, SchemaSet, parse_message

from ..conftest import istandaarden_or_skip


def reference(datas: list[bytes], schemas=None) -> tuple[dict[str, pa.Table], dict[int, str]]:
    rows: dict[str, list[dict]] = {}
    refused = {}
    for i, data in enumerate(datas):
        try:
            message = parse_message(data, "k", schemas)
        except MessageRejected as exc:
            refused[i] = str(exc)
            continue
        for table, found in message.rows.items():
            rows.setdefault(table, []).extend({**r, "_idx": i} for r in found)
    tables = {t: pa.Table.from_pylist(r, schema=compiled._schema(t)) for t, r in rows.items() if r}
    return tables, refused


def assert_same(datas: list[bytes], schemas=None) -> compiled.MessageBatch:
    batch = compiled.parse_messages(datas, "k", schemas)
    tables, refused = reference(datas, schemas)
    assert {i: str(e) for i, e in batch.refused.items()} == refused
    assert set(batch.tables) == set(tables)
    for name, expected in tables.items():
        got = batch.tables[name]
        for column in expected.column_names:
            assert got[column].to_pylist() == expected[column].to_pylist(), (name, column)
        assert got.schema == expected.schema, name
    return batch


def examples() -> list[bytes]:
    base = istandaarden_or_skip()
    files = sorted((base / "ijw" / "berichten").glob("*.xml")) + sorted((base / "iwmo" / "berichten").glob("*.xml"))
    return [f.read_bytes() for f in files]


def example(name: str) -> str:
    law = "iwmo" if name.startswith("WMO") else "ijw"
    return (istandaarden_or_skip() / law / "berichten" / f"{name}.xml").read_text(encoding="utf-8")


def test_the_official_examples_read_the_same_with_and_without_the_schemas():
    datas = examples()
    batch = assert_same(datas)
    retour = {
        i
        for i, d in enumerate(datas)
        if d.split(b":Bericht", 1)[0][-3:] in (b"302", b"306", b"308", b"316", b"318", b"320", b"325")
    }
    assert set(batch.by_reference) == retour | set(batch.refused)  # the reference reads the retour messages, and
    assert [datas[i][:300].count(b"jw315") > 0 for i in batch.refused] == [True]  # refuses JW315's impossible date
    assert batch.tables["ist_declaratieregels"].num_rows > 0 and batch.tables["ist_verzoeken_wijziging"].num_rows > 0
    assert_same(datas, SchemaSet(istandaarden_or_skip()))


VARIANTS = {
    # (message, text to replace, replacement): each must read as the reference reads it
    "a comment inside a value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>55A<!-- x -->11</ijw:Code>"),
    "a character reference": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>55A&#49;1</ijw:Code>"),
    "a processing instruction": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>55A<?pi x?>11</ijw:Code>"),
    "CDATA": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code><![CDATA[55A11]]></ijw:Code>"),
    "a non-ASCII value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>Zorg à domicile</ijw:Code>"),
    "a non-breaking space around a value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>\u00a055A11</ijw:Code>"),
    "whitespace around a value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>\n 55A11 \t</ijw:Code>"),
    "an empty optional value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>  </ijw:Code>"),
    "mixed content in a value": ("JW305", "<ijw:Code>55A11</ijw:Code>", "<ijw:Code>55<ijw:x/>A11</ijw:Code>"),
    "a child where a value belongs": (
        "JW305",
        "<ijw:Code>55A11</ijw:Code>",
        "<ijw:Code><ijw:x>55A11</ijw:x></ijw:Code>",
    ),
    "an impossible date": ("JW305", "<ijw:Dagtekening>2026-04-15", "<ijw:Dagtekening>2026-02-29"),
    "a date before the year 1000": ("JW305", "<ijw:Dagtekening>2026-04-15", "<ijw:Dagtekening>0999-04-15"),
    "a date in another shape": ("JW305", "<ijw:Dagtekening>2026-04-15", "<ijw:Dagtekening>20260415"),
    "a required value missing": ("JW305", "<jw305:BerichtCode>438</jw305:BerichtCode>", ""),
    "no header": ("JW305", "jw305:Header>", "jw305:Kop>"),
    "no client Bsn": ("JW305", "<jw305:Bsn>999900006</jw305:Bsn>", ""),
    "a second client, not read": (
        "JW305",
        "</jw305:Client>",
        "</jw305:Client><jw305:Client><jw305:Bsn>1</jw305:Bsn></jw305:Client>",
    ),
    "a birth date as the only fault": ("JW305", "<ijw:Datum>2010-02-14", "<ijw:Datum>2010-13-14"),
    "an amount above the maximum": ("JW323", "<ijw:Bedrag>5000</ijw:Bedrag>", "<ijw:Bedrag>100000000</ijw:Bedrag>"),
    "an amount with leading zeros": (
        "JW323",
        "<ijw:Bedrag>5000</ijw:Bedrag>",
        "<ijw:Bedrag>00000000000005000</ijw:Bedrag>",
    ),
    "a negative amount": ("JW323", "<ijw:Bedrag>5000</ijw:Bedrag>", "<ijw:Bedrag>-5000</ijw:Bedrag>"),
    "a sign that is neither D nor C": (
        "JW323",
        "<ijw:DebetCredit>D</ijw:DebetCredit>",
        "<ijw:DebetCredit>X</ijw:DebetCredit>",
    ),
    "a credit": ("JW323", "<ijw:DebetCredit>D</ijw:DebetCredit>", "<ijw:DebetCredit>C</ijw:DebetCredit>"),
    "a declaration client without a Bsn": ("JW323", "<jw323:Bsn>999900018</jw323:Bsn>", ""),
    "a declaration client with spaces in its Bsn": (
        "JW323",
        "<jw323:Bsn>999900018</jw323:Bsn>",
        "<jw323:Bsn> 999900018 </jw323:Bsn>",
    ),
    "no declaration": ("JW323", "jw323:Declaratie>", "jw323:Aangifte>"),
    "no products in a 301": ("JW301", "jw301:ToegewezenProducten>", "jw301:Anders>"),
    "no request in a 317": ("JW317", "jw317:Verzoek>", "jw317:Vraag>"),
    "no answer in a 319": ("JW319", "jw319:Antwoord>", "jw319:Reactie>"),
}


FAST = {
    "whitespace around a value",
    "an empty optional value",
    "a child where a value belongs",
    "a credit",
    "a second client, not read",
    "mixed content in a value",
}  # read by the compiled parser itself, not handed to the reference


@pytest.mark.parametrize("case", sorted(VARIANTS))
def test_a_message_made_to_read_differently_reads_as_the_reference_reads_it(case):
    name, old, new = VARIANTS[case]
    text = example(name)
    assert old in text, f"{case}: the example no longer holds {old!r}"
    batch = assert_same([example("JW301").encode(), text.replace(old, new).encode("utf-8"), example("JW307").encode()])
    assert batch.by_reference == ([] if case in FAST else [1])


def test_the_request_groups_keep_their_order_when_a_message_lists_them_the_other_way_round():
    text = example("JW317")
    start, end = text.index("<jw317:OngewijzigdeProducten>"), text.index("</jw317:OngewijzigdeProducten>")
    block = text[start : end + len("</jw317:OngewijzigdeProducten>")]
    moved = text.replace(block, "").replace("</jw317:NieuweProducten>", "</jw317:NieuweProducten>" + block)
    batch = assert_same([moved.encode()])
    assert batch.tables["ist_verzoeken_wijziging"]["soort"].to_pylist()[0] == "ongewijzigd"


def test_a_refused_message_in_a_batch_leaves_the_others_as_they_are():
    good = [e.encode() for e in (example("JW323"), example("WMO301"), example("JW305"))]
    bad = example("JW323").replace("<ijw:Bedrag>5000</ijw:Bedrag>", "<ijw:Bedrag>5,00</ijw:Bedrag>", 1).encode()
    batch = assert_same([good[0], bad, good[1], b"<not xml", good[2]])
    assert sorted(batch.refused) == [1, 3]
    assert sorted(set(batch.tables["ist_berichten"]["_idx"].to_pylist())) == [0, 2, 4]
