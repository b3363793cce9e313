import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.lib.bsn import elfproef
from orchestration.lib.pseudonym import pseudonymise
from synthetic.people import passes_elfproef


def test_elfproef_accepts_the_istandaarden_sample_bsn():
    # 9*9+8*9+7*9+6*9+5*0+4*0+3*0+2*0-1*6 = 264 = 24*11
    assert elfproef("999900006")


def test_elfproef_refuses_wrong_check_digit_length_and_text():
    assert not elfproef("999900007")
    assert not elfproef("99990000")
    assert not elfproef("99990000a")
    assert not elfproef("000000000")
    assert not elfproef(None)


def test_generator_and_pipeline_agree_on_the_elfproef():
    for n in range(990_000_000, 990_002_000):
        assert passes_elfproef(n) == elfproef(f"{n:09d}")


def test_pseudonym_is_keyed_deterministic_and_domain_separated():
    a = pseudonymise("999900006", "key-1")
    assert a == pseudonymise(" 999900006 ", "key-1")
    assert a != pseudonymise("999900006", "key-2")
    assert a != pseudonymise("999900006", "key-1", domain="stapp")
    assert "999900006" not in a and len(a) == 16
    assert pseudonymise("", "key-1") is None


def test_privacy_scan_finds_bsns_names_and_postcodes_and_nothing_else():
    from orchestration.lib.privacy import find_in_text

    names = {"jan de vries"}
    text = "client 111222333 woont op 2011 AB, Jan de Vries belde"
    rules = sorted(f.rule for f in find_in_text(text, names, "t"))
    assert rules == ["bsn", "name", "postcode"]
    # not a BSN: fails the elfproef, part of a pseudonymous hex key, an allocation number by standard
    assert find_in_text("111222334 a9f111222333e0 WK039210 2020-K3 de Vries", names, "t") == []
    assert find_in_text("111222333", names, "t", column="allocation_id") == []
    # an amount in a CSV report (scale 10: a budget of 250,158,000.0 euros passes the elfproef)
    assert elfproef("250158000") and find_in_text("0392,2023,jeugd,25015800000,250158000.0", names, "t") == []
    assert find_in_text("0,250158000.", names, "t")[0].rule == "bsn"  # a sentence may end after a BSN


def test_report_scan_reads_table_cells_apart(tmp_path):
    """Found at scale 1: the cells 2.058 | 160 | 188 were read as one text holding 058160188,
    which passes the elfproef, and a correct report was refused."""
    from orchestration.lib.bsn import elfproef
    from orchestration.lib.privacy import scan_reports

    assert elfproef("058160188")
    cells = "".join(f"<td>{v}</td>" for v in ("2.058", "160", "188"))
    (tmp_path / "index.html").write_text(f"<html><body><table><tr>{cells}</tr></table></body></html>")
    assert scan_reports(tmp_path, set()) == ([], 1)
    (tmp_path / "index.html").write_text("<html><body><p>bsn 058160188</p></body></html>")
    assert [f.rule for f in scan_reports(tmp_path, set())[0]] == ["bsn"]


def _candidates(rows: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (column, value) pairs DuckDB's filter passes on to the exact rules."""
    import duckdb

    from orchestration.lib.privacy import candidate_filter, quote

    passed = set()
    with duckdb.connect() as con:
        for column in {c for c, _ in rows}:
            values = [v for c, v in rows if c == column]
            passed |= {
                (column, v)
                for (v,) in con.execute(
                    f"select * from (select unnest(?::varchar[]) as {quote(column)}) where {candidate_filter(column)}",
                    [values],
                ).fetchall()
            }
    return passed


def test_the_sql_filter_passes_every_value_the_exact_rules_flag_and_drops_identifiers():
    from orchestration.lib.privacy import find_in_text

    flagged = [
        ("note", "111222333"),
        ("note", "bsn:111222333."),
        ("note", "x\n111222333"),
        ("note", "2011AB"),
        ("note", "naar 2011 AB"),
        ("note", "jan de vries"),
    ]
    identifiers = [
        ("payment_id", "B111222333"),
        ("message_id", "0392-111222333000"),
        ("file", "a/111222333x"),
        ("client_key", "a9f1e0c2b3d4e5f6"),
        ("allocation_id", "111222333"),
    ]
    names = {"jan de vries"}
    assert all(find_in_text(v, names, "t", c) for c, v in flagged)
    assert not any(find_in_text(v, names, "t", c) for c, v in identifiers)
    assert _candidates(flagged + identifiers) == set(flagged)


# Values built from a BSN, a postcode and a name, with letters, digits and separators around them.
_PIECES = st.sampled_from(
    ["111222333", "2011 AB", "2011AB", "ab ab", "B", "Z", "é", "7", "0", " ", "\xa0", "\n", "-", "/", "'"]
)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["note", "allocation_id"]), st.lists(_PIECES, max_size=6).map("".join)),
        min_size=1,
        max_size=80,
    )
)
def test_no_value_the_exact_rules_flag_escapes_the_sql_filter(rows):
    from orchestration.lib.privacy import find_in_text

    flagged = {(c, v) for c, v in rows if find_in_text(v, {"ab ab"}, "t", c)}
    assert flagged <= _candidates(rows)


def test_synthetic_bsns_stay_nine_digit_and_valid_past_the_first_block():
    """Scale 10 outgrew the block from 990.000.000 and got ten-digit, invalid BSNs; the generator now
    continues from 900.000.000 and stops with an error rather than repeat a BSN."""
    from synthetic.people import BSN_OVERFLOW, PersonFactory

    factory = PersonFactory(seed=1, wijken={})
    factory._next_bsn = 999_999_900
    bsns = [factory._bsn() for _ in range(20)]
    assert all(len(b) == 9 and elfproef(b) for b in bsns) and len(set(bsns)) == 20
    assert any(b.startswith("99999") for b in bsns) and any(b.startswith("9000") for b in bsns)
    factory._next_bsn = BSN_OVERFLOW[1] - 5
    with pytest.raises(RuntimeError, match="exhausted"):
        [factory._bsn() for _ in range(20)]
