"""The published copy, rebuilt from what changed since the last one.

The copy holds every schema except the restricted one, built table by table rather than as a
byte copy of the warehouse: a byte copy would carry the restricted schema, and dropping that
schema afterwards would still leave its data in freed blocks of the file.

Copying and scanning everything every night took 15 s of a 65 s quiet night at scale 1 and
103 s at scale 10 (docs/performance.md). So the candidate starts as a byte copy of the last
published file (which never held restricted data) and only tables whose content changed are
copied into it again. A table's fingerprint is its column list, its row count and the sum of
its rows' hashes: reading every table for it takes under a second at scale 1, against about
14 s to copy them all. ``meta.published_relations`` in the published file records the
fingerprints, so they are replaced in the same rename as the data they describe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.config import Settings

PRIVATE_SCHEMAS = ("restricted",)  # names, birth dates, addresses: never in the published copy
RECORD = "meta.published_relations"  # per table: its fingerprint and when it was last copied
SCANNED = "meta.published_scan"  # the fingerprint of the names the privacy scan looked for
REPORTS_SCANNED = "meta.published_report_scan"  # per report file: its sha256 when the privacy scan found it clean


@dataclass
class Candidate:
    """The file to promote, the tables copied into it this time, and every table it holds."""

    path: Path
    copied: list[str]  # '"schema"."table"'
    tables: list[str]
    views: list[str]
    names_changed: bool  # the names the privacy scan looks for differ from the last publish's
    reports_clean: dict[str, str]  # report file -> sha256 the last scan found clean; empty when the names changed

    def to_scan(self) -> set[str]:
        """What the privacy scan must read: what was copied (all of it when the names changed), every view
        (a view over a changed table changes with it) and the record."""
        tables = self.tables if self.names_changed else self.copied
        return {*tables, *self.views, *(_quoted(*r.split(".")) for r in (RECORD, SCANNED))}

    def reports_to_scan(self, digests: dict[str, str]) -> set[str]:
        """The report files the privacy scan must read, of ``digests`` (file -> sha256 now): those the last
        publish's scan, looking for the same names, did not find clean with these bytes."""
        return {file for file, digest in digests.items() if self.reports_clean.get(file) != digest}

    def record_reports(self, digests: dict[str, str], config: dict) -> None:
        """Record the report files the scan found clean, in the candidate, so they are promoted together."""
        with duckdb.connect(str(self.path), config=config) as con:
            con.execute(f"create or replace table {REPORTS_SCANNED} (file varchar, sha256 varchar)")
            if digests:  # no reports folder yet (a build without the report layers): an empty record
                con.executemany(f"insert into {REPORTS_SCANNED} values (?, ?)", list(digests.items()))


def _quoted(schema: str, table: str) -> str:
    return f'"{schema}"."{table}"'


def fingerprints(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, str]:
    """Every public table of ``database``: columns and types, row count, sum of row hashes."""
    private = ", ".join(f"'{p}'" for p in PRIVATE_SCHEMAS)
    out = {}
    for schema, table in con.execute(
        f"select schema_name, table_name from duckdb_tables() where database_name = '{database}' "
        f"and schema_name not in ({private}) order by 1, 2"
    ).fetchall():
        if f"{schema}.{table}" in (RECORD, SCANNED, REPORTS_SCANNED):
            continue
        columns = con.execute(
            "select string_agg(column_name || ' ' || data_type, ', ' order by column_index) from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ?",
            [database, schema, table],
        ).fetchone()[0]
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {database}.{_quoted(schema, table)} t"
        ).fetchone()
        out[_quoted(schema, table)] = f"{hashlib.sha256(columns.encode()).hexdigest()[:16]}:{rows}:{total}"
    return out


def _recorded(published: Path, config: dict) -> tuple[dict[str, tuple[str, dt.datetime]], str | None, dict[str, str]]:
    """What the last published file was built from: per table its fingerprint and when it was copied,
    the names' fingerprint its privacy scan used, and the report files that scan found clean. Nothing
    when there is no such file or record."""
    if not published.exists():
        return {}, None, {}
    try:
        with duckdb.connect(str(published), read_only=True, config=config) as con:
            rows = con.execute(f"select relation, fingerprint, copied_at from {RECORD}").fetchall()
            names = con.execute(f"select names from {SCANNED}").fetchone()
            try:
                reports = con.execute(f"select file, sha256 from {REPORTS_SCANNED}").fetchall()
            except duckdb.CatalogException:  # published before report files were recorded: read them all
                reports = []
    except duckdb.Error:  # published before this record existed: build afresh
        return {}, None, {}
    return {r: (f, at) for r, f, at in rows}, names[0] if names else None, dict(reports)


def names_fingerprint(names: set[str]) -> str:
    """One opaque value for the set of names the privacy scan looks for: when it changes, everything is scanned."""
    return hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()


def build_published(s: Settings, names: set[str]) -> Candidate:
    """Build the candidate beside the published file; ``promote`` then replaces the published file atomically."""
    tmp = s.published_warehouse.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    recorded, scanned_names, reports_clean = _recorded(s.published_warehouse, s.duckdb_config())
    previous = {r: f for r, (f, _) in recorded.items()}
    if previous:
        shutil.copyfile(s.published_warehouse, tmp)
    con = duckdb.connect(str(tmp), config=s.duckdb_config())
    try:
        con.execute(f"attach '{s.warehouse}' as src (read_only)")
        current = fingerprints(con, "src")
        private = ", ".join(f"'{p}'" for p in PRIVATE_SCHEMAS)
        for (sql,) in con.execute(  # views are cheap: dropped and made again from the warehouse's definitions
            "select 'drop view if exists \"' || schema_name || '\".\"' || view_name || '\" cascade' "
            "from duckdb_views() where database_name = current_database() and not internal"
        ).fetchall():
            con.execute(sql)
        for relation in set(previous) - set(current):
            con.execute(f"drop table if exists {relation}")
        con.execute(f"drop table if exists {REPORTS_SCANNED}")  # recorded again only after this publish's scan
        copied = [r for r, fingerprint in current.items() if previous.get(r) != fingerprint]
        views = con.execute(
            "select schema_name, view_name, sql from duckdb_views() where database_name = 'src' and not internal "
            f"and schema_name not in ({private})"
        ).fetchall()
        for schema in sorted({r.split('"')[1] for r in current} | {v[0] for v in views} | {"meta"}):
            con.execute(f'create schema if not exists "{schema}"')
        for relation in copied:
            con.execute(f"create or replace table {relation} as select * from src.{relation}")
        con.execute("detach src")
        _create_views(con, [sql for *_, sql in views])
        now = dt.datetime.now()
        con.execute(f"create or replace table {RECORD} (relation varchar, fingerprint varchar, copied_at timestamp)")
        con.executemany(
            f"insert into {RECORD} values (?, ?, ?)",
            [[r, f, now if r in copied else recorded[r][1]] for r, f in current.items()],
        )
        con.execute(f"create or replace table {SCANNED} (names varchar)")
        con.execute(f"insert into {SCANNED} values (?)", [names_fingerprint(names)])
        con.execute("checkpoint")
    finally:
        con.close()
    changed_names = scanned_names != names_fingerprint(names)
    views = [_quoted(schema, view) for schema, view, _ in views]
    return Candidate(tmp, copied, list(current), views, changed_names, {} if changed_names else reports_clean)


def _create_views(con: duckdb.DuckDBPyConnection, statements: list[str]) -> None:
    """Views refer to each other: create them in rounds until no more can be made."""
    pending = statements
    while pending:
        failed = []
        for sql in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed.append(sql)
        if len(failed) == len(pending):
            raise RuntimeError(f"{len(failed)} view(s) cannot be published, e.g. {failed[0][:200]}")
        pending = failed
