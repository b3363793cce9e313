"""The blocking key check reads only what came in since it last passed, and still finds every duplicate."""

import duckdb
import pytest

from orchestration.quality.catalogue import load_suite
from orchestration.quality.gx import Validator
from orchestration.quality.keys import check_keys

TABLE = "raw.suite4_betalingen"  # key: betalingsnummer, unique over all deliveries


@pytest.fixture(scope="module")
def validator():
    return Validator()


def _deliver(con, delivery: str, numbers: list[str | None]) -> None:
    con.executemany(
        f"insert into {TABLE} values (?, ?, ?, ?)",
        [[n, delivery, f"suite4/betalingen/suite4_betalingen_{delivery}.csv", i + 2] for i, n in enumerate(numbers)],
    )


def test_only_rows_sharing_a_key_with_a_new_delivery_are_read(validator):
    con = duckdb.connect()
    con.execute(
        f"create schema raw; create table {TABLE} (betalingsnummer varchar, _delivery_id varchar, _file varchar, _row "
        f"integer)"
    )
    suite = load_suite(TABLE)
    _deliver(con, "202001", ["P1", "P2", "P3"])
    _deliver(con, "202002", ["P4", "P5"])
    first = check_keys(con, validator, TABLE, suite)
    assert (first.new_deliveries, first.rows_read) == (2, 5) and not any(o.unexpected_count for o in first.outcomes)

    assert check_keys(con, validator, TABLE, suite).rows_read == 0  # nothing new: nothing read

    _deliver(con, "202003", ["P6", "P2", None])  # P2 was paid in January already
    found = check_keys(con, validator, TABLE, suite)
    # the new rows and the January row with the same key; the other old rows are not read
    assert (found.new_deliveries, found.rows_read) == (1, 4)
    assert [o.unexpected_count for o in found.outcomes] == [2]

    again = check_keys(con, validator, TABLE, suite)  # a failed check recorded nothing: the duplicate is found again
    assert [o.unexpected_count for o in again.outcomes] == [2]

    con.execute(f"delete from {TABLE} where _delivery_id = '202003' and betalingsnummer = 'P2'")  # corrected
    fixed = check_keys(con, validator, TABLE, suite)
    assert fixed.new_deliveries == 1 and not any(o.unexpected_count for o in fixed.outcomes)
    assert check_keys(con, validator, TABLE, suite).rows_read == 0


def test_a_changed_key_expectation_reads_every_row_again(validator):
    con = duckdb.connect()
    con.execute(
        f"create schema raw; create table {TABLE} (betalingsnummer varchar, _delivery_id varchar, _file varchar, _row "
        f"integer)"
    )
    suite = load_suite(TABLE)
    _deliver(con, "202001", ["P1", "P2"])
    check_keys(con, validator, TABLE, suite)
    changed = {
        **suite,
        "expectations": [
            {**e, "meta": {**e["meta"], "note": "changed"}} if e["meta"]["measure"] == "key" else e
            for e in suite["expectations"]
        ],
    }
    assert check_keys(con, validator, TABLE, changed).rows_read == 2
