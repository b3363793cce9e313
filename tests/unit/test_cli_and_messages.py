"""The command line a data engineer uses outside the Dagster UI, and the Dutch reasons the
data-quality report gives for refused deliveries."""

from __future__ import annotations

import argparse

import pytest

from orchestration.cli import main, period_partition
from orchestration.reports import messages


def test_grip_where_prints_the_paths_without_a_pseudonym_key(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("GRIP_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("GRIP_DEMO", raising=False)
    monkeypatch.setenv("GRIP_DATA_DIR", str(tmp_path))
    assert main(["where"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "reports" / "index.html") in out and str(tmp_path / "dbt_docs" / "index.html") in out


def test_grip_version_names_the_installed_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("grip 0.")


def test_grip_status_on_a_fresh_machine_says_nothing_ran_yet(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("GRIP_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("GRIP_DATA_DIR", str(tmp_path))
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "nog niet gedraaid" in out and "Nog geen gepubliceerde warehouse" in out


def test_a_report_period_is_a_month_or_a_quarter():
    assert period_partition("2026-10") == ("budgethoudersrapportage", "2026-10-01")
    assert period_partition("2026-K3") == ("kwartaalrapportages", "2026-07-01")
    assert period_partition("2026-k1") == ("kwartaalrapportages", "2026-01-01")
    for wrong in ("2026-13", "2026-K5", "oktober", "2026-Q3"):
        with pytest.raises(argparse.ArgumentTypeError, match="2026-K3"):
            period_partition(wrong)


@pytest.mark.parametrize(
    ("rule", "message", "dutch"),
    [
        ("xml: StartTag: invalid element name, line 2, column 403 (<string>, line 2)", "", "(regel 2; positie 403)"),
        ("field_count", "4 fields, the contract has 13", "4 velden, het contract vraagt er 13"),
        ("header: expected columns ['a', 'b']; missing ['b'], unexpected ['c']", "", "ontbreekt: 'b'; onverwacht: 'c'"),
        ("type:bedrag", "invalid literal for int() with base 10: 'abc'", "kolom bedrag heeft niet het type"),
        ("encoding: the file is UTF-8; the contract says Windows-1252", "", "Windows-1252"),
        ("same content as a delivery already loaded", "", "al eerder geladen"),
        ("something new: no idea", "", "nog niet in het Nederlands"),
    ],
)
def test_a_refusal_reads_as_a_dutch_sentence_with_the_place_in_the_file(rule, message, dutch):
    text = messages.reason(rule, message)
    assert dutch in text
    for english in ("invalid", "expected", "fields,", "StartTag", "literal", "the contract"):
        assert english not in text


def test_delivery_statuses_are_dutch():
    assert messages.status("quarantined").startswith("geweigerd")
    assert messages.status("duplicate").startswith("dubbel")
