"""A corrected redelivery replaces the period it corrects (docs/feeds.md, "Redeliveries").

Source systems resend a month with one line fixed. Before, the corrected file got a new content
hash, its keys clashed with the first load, the blocking key check failed and the whole nightly
stopped. Now the night's loading, key checks, dbt build and publishing succeed, the marts change
by exactly the correction, and the replaced rows are kept in ``history`` with the replacement in
the ingest log. (The parts after the marts do not bear on it, so the test leaves them out.)
"""

from __future__ import annotations

import shutil

import duckdb

from tests.conftest import run_data_layers


def _archived(folder, entity: str) -> list:
    return sorted((folder / "archive").glob(f"*/suite4/{entity}/suite4_{entity}_*.csv"))


def _rows(path) -> tuple[str, list[list[str]]]:
    header, *rows = path.read_bytes().decode("cp1252").split("\r\n")
    return header, [r.split(";") for r in rows if r]


def _write(path, header: str, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join([header, *(";".join(r) for r in rows)]) + "\r\n").encode("cp1252"))


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.removeprefix("-").partition(",")
    return sign * (int(whole) * 100 + int((frac + "00")[:2]))


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def test_a_corrected_payments_month_and_work_process_month_replace_what_they_correct(built, tmp_path, monkeypatch):
    source, _ = built
    folder = tmp_path / "data"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("GRIP_DATA_DIR", str(folder))

    # payments: the latest month again, one amount corrected by +€ 12,34 and the last line withdrawn
    paid = _archived(folder, "betalingen")[-1]
    header, rows = _rows(paid)
    amount = header.split(";").index("bedrag")
    corrected = [list(r) for r in rows[:-1]]
    corrected[0][amount] = _euros(_cents(rows[0][amount]) + 1234)
    delta = 1234 - _cents(rows[-1][amount])
    _write(folder / "landing" / "suite4" / "betalingen" / paid.name, header, corrected)

    # work processes: the latest month again, with one decision four days later
    processes = _archived(folder, "werkprocessen")[-1]
    wp_header, wp_rows = _rows(processes)
    cols = wp_header.split(";")
    decided = next(r for r in wp_rows if r[cols.index("datum_beschikking")])
    process_id = decided[cols.index("procesnummer")]
    fixed = [list(r) for r in wp_rows]
    row = next(r for r in fixed if r[cols.index("procesnummer")] == process_id)
    day, month, year = row[cols.index("datum_beschikking")].split("-")
    row[cols.index("datum_beschikking")] = f"{int(day) + 4 if int(day) < 25 else int(day) - 4:02d}-{month}-{year}"
    new_decision = row[cols.index("datum_beschikking")]
    _write(folder / "landing" / "suite4" / "werkprocessen" / processes.name, wp_header, fixed)

    warehouse = folder / "warehouse" / "grip.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        total_before = con.execute("select sum(amount_cents) from marts.fct_payments").fetchone()[0]
        payments_before = con.execute("select count(*) from marts.fct_payments").fetchone()[0]

    result = run_data_layers()  # loading, the blocking key checks, dbt and publishing
    assert result.success

    with duckdb.connect(str(warehouse), read_only=True) as con:
        total_after, payments_after = con.execute(
            "select sum(amount_cents), count(*) from marts.fct_payments"
        ).fetchone()
        assert total_after - total_before == delta
        assert payments_after == payments_before - 1
        in_period = con.execute(
            "select count(*) from raw.suite4_betalingen where _file like ?", [f"%{paid.name}"]
        ).fetchone()[0]
        assert in_period == len(corrected)
        kept = con.execute(
            "select count(*), count(distinct _replaced_by) from history.suite4_betalingen where _file like ?",
            [f"%{paid.name}"],
        ).fetchone()
        assert kept == (len(rows), 1)
        log = con.execute(
            "select status, reason from raw.ingest_log where entity = 'suite4_betalingen' and file like ? "
            "order by processed_at, status",
            [f"%{paid.name}"],
        ).fetchall()
        assert [s for s, _ in log] == ["loaded", "loaded", "replaced"]
        assert log[1][1].startswith("redelivery of period ") and f"({len(rows)} rows to history)" in log[1][1]
        decision = con.execute(
            "select strftime(decision_date, '%d-%m-%Y') from marts.fct_wmo_processes where process_id = ?",
            [process_id],
        ).fetchone()[0]
        assert decision == new_decision
        assert con.execute("select count(*) from history.suite4_werkprocessen").fetchone()[0] == len(wp_rows)
