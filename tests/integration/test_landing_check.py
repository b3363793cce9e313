"""``grip check`` says what the nightly will make of a landing zone, without loading anything."""

from __future__ import annotations

import shutil

import pandas as pd

from orchestration.cli import main
from orchestration.ingest.check import check_landing
from orchestration.lib.config import settings


def test_grip_check_names_missing_registers_unknown_codes_and_the_key_clash_that_would_block(
    data_dir, small_feeds, capsys
):
    landing = data_dir / "landing"
    for folder in (landing / "suite4" / "berichten").iterdir():  # the first quarter's messages are plenty here
        if not folder.name.startswith(("2018-01", "2018-02", "2018-03")):
            shutil.rmtree(folder)
    register = data_dir / "producten"
    shutil.move(landing / "suite4" / "producten", register)  # the register not delivered yet
    files = sorted((landing / "suite4" / "betalingen").glob("suite4_betalingen_20????.csv"))
    header, first, *_ = files[-1].read_bytes().split(b"\r\n")  # the latest month, which has payments
    # another month's file repeating a payment number already paid: the blocking key check would fail
    (landing / "suite4" / "betalingen" / "suite4_betalingen_202101.csv").write_bytes(header + b"\r\n" + first + b"\r\n")
    before = sorted(p.relative_to(landing) for p in landing.rglob("*") if p.is_file())

    report = check_landing(settings())

    assert report.missing_registers == ["suite4_producten"]
    codes = set(pd.read_parquet(small_feeds / "manifest" / "products.parquet")["code"])
    assert len(report.unknown_codes) > 20 and set(report.unknown_codes) <= codes
    number = first.decode("cp1252").split(";")[0]
    assert len(report.blocking) == 1 and f"('{number}',) occurs 2 times" in report.blocking[0]
    payments = next(f for f in report.feeds if f.feed.name == "suite4_betalingen")
    assert payments.duplicates == 1  # the demo's month sent twice is a duplicate, not a clash
    assert sorted(p.relative_to(landing) for p in landing.rglob("*") if p.is_file()) == before  # nothing moved

    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "Ontbrekende registers: suite4_producten" in out and "BLOKKEERT PUBLICATIE" in out

    shutil.move(register, landing / "suite4" / "producten")  # with the register every code is known
    report = check_landing(settings())
    assert report.missing_registers == [] and report.unknown_codes == {}
