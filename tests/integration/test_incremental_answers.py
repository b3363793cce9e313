"""An answer model built per year gives the same rows as a full build, night after night.

The heavy answer models compute again only the years whose input rows changed (issue 28,
macros/answers_by_year.sql). The independent calculation here is dbt's own full refresh of the same
warehouse: after three nights of message traffic, after a correction of an old period and after a
credit in a later month, the answers built night by night equal the answers built at once, row for
row. The test also shows the nights were incremental: years a night did not touch keep the rows
(and fingerprints) of an earlier night.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt.project import DBT_DIR, DBT_EXECUTABLE
from orchestration.ingest.istandaard import TABLES
from orchestration.lib.config import settings

BY_YEAR = ["int_answers__clients_and_flows", "int_answers__cost_and_invoicing", "int_answers__care_paths"]
HELD_BACK_FROM = "2020-10-01"  # the small feeds end on 2020-12-31: three nights of message traffic are held back
MESSAGE_TABLES = tuple(TABLES)  # every raw table the message traffic fills, each with its dagtekening


def _dbt(warehouse: Path, target: Path, *args: str) -> None:
    env = {**os.environ, **settings(need_key=False).dbt_env(), "GRIP_WAREHOUSE": str(warehouse)}
    command = [DBT_EXECUTABLE, "run", "--select", "+question_answers", "--target-path", str(target), *args]
    done = subprocess.run(command, cwd=DBT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def _answers(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {m: f"intermediate.{m}" for m in BY_YEAR} | {"question_answers": "marts.question_answers"}
        return {
            name: con.execute(
                f"select * exclude (input_fingerprint) from {t}" if name in BY_YEAR else f"select * from {t}"
            ).fetchall()
            for name, t in tables.items()
        }


def _fingerprints(warehouse: Path) -> dict[tuple, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            " union ".join(
                f"select '{m}', law, year(period_start), input_fingerprint from intermediate.{m}" for m in BY_YEAR
            )
        ).fetchall()
    return {(m, law, year): fp for m, law, year, fp in rows}


def _changed_years(before: dict[tuple, int], after: dict[tuple, int]) -> set[tuple[str, int]]:
    """(model, year) of every law and year whose fingerprint a build changed."""
    return {(m, year) for (m, law, year), fp in after.items() if before.get((m, law, year)) != fp}


def _assert_same_as_full_build(warehouse: Path, tmp_path: Path, label: str) -> None:
    full = tmp_path / f"full-{label}.duckdb"
    shutil.copyfile(warehouse, full)
    _dbt(full, tmp_path / "target", "--full-refresh")
    night, once = _answers(warehouse), _answers(full)
    for name in once:
        assert len(once[name]) > 0, name
        extra = sorted(set(night[name]) - set(once[name]), key=str)[:5]
        missing = sorted(set(once[name]) - set(night[name]), key=str)[:5]
        assert (extra, missing, len(night[name])) == ([], [], len(once[name])), f"{label}: {name}"


def _night(con: duckdb.DuckDBPyConnection, first: str, last: str) -> None:
    """One night's message traffic: the held-back rows of the messages dated in [first, last]."""
    for t in MESSAGE_TABLES:
        con.execute(f"insert into raw.{t} select * from held.{t} where dagtekening between ? and ?", [first, last])


@pytest.mark.integration
def test_answers_built_per_year_equal_a_full_build_after_nights_a_correction_and_a_later_credit(built, tmp_path):
    warehouse = tmp_path / "grip.duckdb"
    shutil.copyfile(settings(need_key=False).warehouse, warehouse)
    target = tmp_path / "target"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema held")
        for t in MESSAGE_TABLES:
            con.execute(f"create table held.{t} as select * from raw.{t} where dagtekening >= ?", [HELD_BACK_FROM])
            con.execute(f"delete from raw.{t} where dagtekening >= ?", [HELD_BACK_FROM])
        assert con.execute("select count(*) from held.ist_declaratieregels").fetchone()[0] > 0
    _dbt(warehouse, target, "--full-refresh")
    before = _fingerprints(warehouse)

    for first, last in [("2020-10-01", "2020-10-31"), ("2020-11-01", "2020-11-30"), ("2020-12-01", "2020-12-31")]:
        with duckdb.connect(str(warehouse)) as con:
            _night(con, first, last)
        _dbt(warehouse, target)
    after = _fingerprints(warehouse)
    kept = {k for k in before if after.get(k) == before[k]}
    assert any(year == 2020 for (_, _, year) in set(before) - kept), "the nights changed 2020"
    assert {year for (_, _, year) in kept} & {2018, 2019}, "the nights left earlier years as they were"
    _assert_same_as_full_build(warehouse, tmp_path, "three nights")

    with duckdb.connect(str(warehouse)) as con:
        # a correction of an old period: a redelivered 2018 invoice line with another amount
        line = con.execute("""select afzender, identificatie, _pos from raw.ist_declaratieregels
                              where year(declaratie_begindatum) = 2018 and debet_credit = 'D'
                              order by all limit 1""").fetchone()
        updated = con.execute(
            """update raw.ist_declaratieregels set ingediend_bedrag_cents = ingediend_bedrag_cents + 1234
                                 where afzender = ? and identificatie = ? and _pos = ?""",
            line,
        ).fetchone()
        assert updated == (1,)
    before = _fingerprints(warehouse)
    _dbt(warehouse, target)
    after = _fingerprints(warehouse)
    changed = _changed_years(before, after)
    assert ("int_answers__cost_and_invoicing", 2018) in changed
    assert all(year == 2018 for (_, year) in changed), changed
    _assert_same_as_full_build(warehouse, tmp_path, "correction")

    with duckdb.connect(str(warehouse)) as con:
        # a credit in a later month: a December 2020 message crediting a booked 2019 line
        con.execute("""
            create temp table credited as
            select lines.* from raw.ist_declaratieregels as lines
            where year(declaratie_begindatum) = 2019 and debet_credit = 'D'
            order by afzender, identificatie, _pos limit 1""")
        con.execute("""
            insert into raw.ist_berichten
            select * replace ('CREDIT000001' as identificatie, date '2020-12-20' as dagtekening,
                              replace(_file, identificatie, 'CREDIT000001') as _file)
            from raw.ist_berichten
            where afzender = (select afzender from credited)
              and identificatie = (select identificatie from credited)""")
        con.execute("""
            insert into raw.ist_declaratieregels
            select * replace ('CREDIT000001' as identificatie, date '2020-12-20' as dagtekening,
                              date '2020-12-20' as declaratie_dagtekening, 'C' as debet_credit,
                              referentie_nummer || '-C' as referentie_nummer,
                              referentie_nummer as vorig_referentie_nummer,
                              replace(_file, identificatie, 'CREDIT000001') as _file, 1 as _pos)
            from credited""")
    before = _fingerprints(warehouse)
    _dbt(warehouse, target)
    after = _fingerprints(warehouse)
    assert ("int_answers__cost_and_invoicing", 2019) in _changed_years(before, after)
    _assert_same_as_full_build(warehouse, tmp_path, "credit")
