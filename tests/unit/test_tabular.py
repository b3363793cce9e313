import datetime as dt

import pytest

from orchestration.ingest.contracts import CONTRACT_BY_TABLE
from orchestration.ingest.tabular import DeliveryRejected, parse_amount, parse_date, read_delivery
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.wijken import postcode_status

CLIENTS = CONTRACT_BY_TABLE["suite4_clienten"]
HEADER = (
    "clientnummer;bsn;voornamen;voorvoegsel;achternaam;geboortedatum;geslacht;postcode;huisnummer;woonplaats;"
    "gemeentecode"
)


def csv(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("cp1252")


def test_dutch_dates_and_amounts():
    assert parse_date("29-02-2020") == dt.date(2020, 2, 29)
    assert parse_date("31-12-2999") == dt.date(2999, 12, 31)  # implausible, not malformed: quality decides
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("31-06-2027")
    assert parse_amount("1234,56") == 123456
    assert parse_amount("-12,5") == -1250
    assert parse_amount("7") == 700
    with pytest.raises(ValueError):
        parse_amount("1.234,56")


def test_personal_data_stays_out_of_the_raw_row():
    data = csv(HEADER, "100001;999900006;Jan Willem;van;Dijk;14-02-1950;M;2011AB;12;Haarlem;0392")
    parsed = read_delivery(CLIENTS, data, "key")
    row = parsed.rows[0]
    assert row["client_key"] == pseudonymise("999900006", "key") and row["bsn_valid"] is True
    assert row["birth_year_month"] == "1950-02" and row["wijk_code"] == "WK039201"
    assert row["postcode_status"] == "gemeente"
    flat = " ".join(str(v) for v in row.values())
    for secret in ("999900006", "Dijk", "Jan", "2011AB", "14-02-1950", "100001"):
        assert secret not in flat
    person = parsed.persons[0]
    assert person["achternaam"] == "Dijk" and person["postcode"] == "2011AB"


def test_broken_row_is_rejected_with_line_and_rule_and_the_rest_loads():
    data = csv(
        HEADER,
        "100001;999900006;Jan;;Dijk;14-02-1950;M;2011AB;12;Haarlem;0392",
        "100002;999900018;Piet",
        "100003;999900031;Kees;;Vos;31-06-1960;M;2011AB;3;Haarlem;0392",
    )
    parsed = read_delivery(CLIENTS, data, "key")
    assert len(parsed.rows) == 1
    assert [(r.line, r.rule) for r in parsed.rejected] == [(3, "field_count"), (4, "type:geboortedatum")]


def test_wrong_header_rejects_the_whole_delivery_naming_the_columns():
    with pytest.raises(DeliveryRejected, match="missing \\['gemeentecode'\\]"):
        read_delivery(CLIENTS, csv(HEADER.rsplit(";", 1)[0], "1;2;3"), "key")


def test_an_optional_column_may_be_left_out_of_the_header_and_is_then_empty():
    budget = CONTRACT_BY_TABLE["suite4_budget"]
    single = read_delivery(budget, csv("jaar;wet;hoofdgroep;begroot_bedrag", "2026;wmo;Thuis;100,00"), "key")
    region = read_delivery(
        budget, csv("jaar;wet;hoofdgroep;begroot_bedrag;gemeentecode", "2026;wmo;Thuis;100,00;0453"), "key"
    )
    assert single.rows[0]["gemeentecode"] is None and single.rows[0]["begroot_bedrag_cents"] == 10000
    assert region.rows[0]["gemeentecode"] == "0453"
    with pytest.raises(DeliveryRejected, match="unexpected \\['regio'\\]"):
        read_delivery(budget, csv("jaar;wet;hoofdgroep;begroot_bedrag;regio", "2026;wmo;Thuis;1;x"), "key")
    short = read_delivery(budget, csv("jaar;wet;hoofdgroep;begroot_bedrag", "2026;wmo;Thuis;100,00;0453"), "key")
    assert [r.rule for r in short.rejected] == ["field_count"]


def test_wrong_encoding_rejects_the_delivery():
    with pytest.raises(DeliveryRejected, match="encoding"):
        read_delivery(CLIENTS, HEADER.encode() + b"\r\n\x81\x8d", "key")


@pytest.mark.parametrize(
    "postcode, status",
    [
        ("2011 AB", "gemeente"),
        ("2011ab", "gemeente"),
        ("9999 ZZ", "elders"),
        ("-", "ongeldig"),
        ("2011", "ongeldig"),
        ("0123 AB", "ongeldig"),
        ("", None),
        (None, None),
    ],
)
def test_postcode_status_keeps_quality_without_the_postcode(postcode, status):
    assert postcode_status(postcode) == status
