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
