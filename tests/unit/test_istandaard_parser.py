"""The message parser against the official iStandaarden examples and hostile input."""

import datetime as dt

import pytest

from orchestration.ingest.istandaard import MessageRejected, SchemaSet, parse_message
from orchestration.lib.pseudonym import pseudonymise

from ..conftest import istandaarden_or_skip

INVALID = {"JW315.xml": "2027-06-31", "JW318.xml": "RetourCode"}


def examples():
    base = istandaarden_or_skip()
    return base, sorted((base / "ijw" / "berichten").glob("*.xml")) + sorted(
        (base / "iwmo" / "berichten").glob("*.xml")
    )


def test_valid_examples_load_and_invalid_ones_are_refused_with_the_schema_error():
    base, files = examples()
    schemas = SchemaSet(base)
    loaded = 0
    for f in files:
        if f.name in INVALID:
            with pytest.raises(MessageRejected, match=f"xsd: .*{INVALID[f.name]}"):
                parse_message(f.read_bytes(), "k", schemas)
        else:
            parse_message(f.read_bytes(), "k", schemas)
            loaded += 1
    assert loaded == len(files) - 2


def test_without_xsds_the_parser_still_refuses_an_impossible_date():
    base, _ = examples()
    with pytest.raises(MessageRejected, match="structure: ToewijzingEinddatum '2027-06-31' is not a date"):
        parse_message((base / "ijw" / "berichten" / "JW315.xml").read_bytes(), "k")


def test_values_of_the_examples_are_read_with_the_law_alongside():
    base, _ = examples()
    m = parse_message((base / "ijw" / "berichten" / "JW323.xml").read_bytes(), "k")
    lines = m.rows["ist_declaratieregels"]
    assert m.law == "jeugd" and len(lines) == 5
    assert sum(r["ingediend_bedrag_cents"] for r in lines) == 5000 + 24000 + 5000 + 24000 + 21000
    assert {r["client_key"] for r in lines} == {pseudonymise("999900006", "k"), pseudonymise("999900018", "k")}
    assert lines[0]["product_begindatum"] == dt.date(2026, 4, 1) and lines[0]["productcategorie"] == "45"
    stop = parse_message((base / "ijw" / "berichten" / "JW307.xml").read_bytes(), "k").rows["ist_stops"][0]
    assert (stop["law"], stop["reden_beeindiging"], stop["einddatum"]) == ("jeugd", "31", dt.date(2026, 7, 17))
    wmo = parse_message((base / "iwmo" / "berichten" / "WMO301.xml").read_bytes(), "k")
    alloc = wmo.rows["ist_toewijzingen"][0]
    assert (alloc["law"], alloc["productcategorie"], alloc["volume"], alloc["eenheid"]) == ("wmo", "01", 10, "01")
    assert wmo.rows["ist_berichten"][0]["bsn_valid"] is True
    assert "999900006" not in str(wmo.rows)


@pytest.mark.parametrize(
    "payload, rule",
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>',
            "xml: DTDs",
        ),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "xml: DTDs"),
        (b"<Bericht", "xml:"),
        (b"", "xml:"),
        (b'<x xmlns="urn:other"/>', "type:"),
    ],
)
def test_hostile_or_broken_xml_is_refused(payload, rule):
    with pytest.raises(MessageRejected, match=rule):
        parse_message(payload, "k")
