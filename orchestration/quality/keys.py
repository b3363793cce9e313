"""The blocking key checks, reading only what came in since they last passed.

A raw table grows by whole deliveries (a full export replaces its rows with new ones). Once the
keys of its rows have passed, those rows are unique among themselves, so a duplicate can only
involve a row of a delivery not checked yet: the check reads the rows that share their key with
such a row, wherever they came from, and records those deliveries when it passes. A failed check
records nothing, and a changed key expectation starts again from every row. Deliveries are known
by their content hash, not by load time, which a clock set back would make unreliable.
"""

from __future__ import annotations

from dataclasses import dataclass

from .batches import validate_keys
from .catalogue import suite_hash
from .gx import Outcome, Validator

STATE_DDL = """
create schema if not exists quality;
create table if not exists quality.key_checked_deliveries (table_name varchar, suite_version varchar, delivery_id
    varchar);
"""


@dataclass
class KeyCheck:
    outcomes: list[Outcome]
    new_deliveries: int
    rows_read: int


def check_keys(con, validator: Validator, table: str, suite: dict) -> KeyCheck:
    keys = {"expectations": [e for e in suite["expectations"] if e["meta"]["measure"] == "key"]}
    version = suite_hash(keys)
    con.execute(STATE_DDL)
    con.execute(
        "delete from quality.key_checked_deliveries where table_name = ? and suite_version <> ?", [table, version]
    )
    checked = con.execute(
        "select count(*) from quality.key_checked_deliveries where table_name = ?", [table]
    ).fetchone()[0]
    con.execute(
        f"""
        create or replace temp table _unchecked as
        select distinct _delivery_id as delivery_id from {table}
        anti join (select delivery_id from quality.key_checked_deliveries where table_name = ?) as checked
            on {table}._delivery_id = checked.delivery_id""",
        [table],
    )
    try:
        new = con.execute("select count(*) from _unchecked").fetchone()[0]
        if not new:
            return KeyCheck([], 0, 0)
        outcomes, read = validate_keys(con, validator, table, suite, unchecked="_unchecked" if checked else None)
        if not any(o.unexpected_count for o in outcomes):
            con.execute(
                "insert into quality.key_checked_deliveries select ?, ?, delivery_id from _unchecked", [table, version]
            )
        return KeyCheck(outcomes, new, read)
    finally:
        con.execute("drop table _unchecked")
