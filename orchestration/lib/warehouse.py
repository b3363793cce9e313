"""DuckDB access: one writer at a time, readers read-only.

DuckDB allows one writing process per file. grip runs its jobs with the in-process
executor and one run at a time (dagster.yaml), and every asset opens and closes its
own connection, so dbt (a subprocess) never meets an open Dagster connection.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from .config import Settings
from .crash import crash_point

LINEAGE_COLUMNS = {
    "_delivery_id": "varchar",  # content hash of the delivered file
    "_file": "varchar",  # path of the file relative to the landing zone
    "_row": "integer",  # line number in the file (header = 1) or element position
    "_loaded_at": "timestamp",
}

ARROW_TYPES = {
    "varchar": pa.string(),
    "integer": pa.int32(),
    "bigint": pa.int64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    """The Arrow schema of DuckDB columns, so rows built in Python arrive with the table's types."""
    return pa.schema([(name, ARROW_TYPES[sql]) for name, sql in columns.items()])


@contextmanager
def connect(s: Settings, read_only: bool = False):
    """Readers open the published copy read-only; the writer opens the warehouse through
    dagster-duckdb's resource, which retries with backoff while another process holds the lock."""
    if read_only:
        con = duckdb.connect(str(s.published_warehouse), read_only=True, config=s.duckdb_config())
        try:
            yield con
        finally:
            con.close()
        return
    s.warehouse.parent.mkdir(parents=True, exist_ok=True)
    _refuse_foreign_file(s.warehouse)
    resource = DuckDBResource(database=str(s.warehouse), connection_config=s.duckdb_config())
    with resource.get_connection() as con:
        try:
            yield con
        finally:
            con.close()  # the resource skips its own close when the body raises


def _refuse_foreign_file(path: Path) -> None:
    """Fail at once on a file that is not a DuckDB database: the resource would retry it for
    a minute and a half as if another writer held the lock."""
    if path.exists():
        with path.open("rb") as f:
            head = f.read(12)
        if head and head[8:12] != b"DUCK":
            raise RuntimeError(f"{path} is not a DuckDB database file; move it aside or set GRIP_WAREHOUSE")


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists restricted")  # linkage data: names, birth dates, addresses
    con.execute("""
        create table if not exists raw.ingest_log (
            delivery_id varchar, source varchar, entity varchar, file varchar, size_bytes bigint,
            status varchar, rows_loaded integer, rows_rejected integer, reason varchar, processed_at timestamp)
    """)
    con.execute("""
        create table if not exists raw.rejected_rows (
            delivery_id varchar, source varchar, entity varchar, file varchar, line integer,
            rule varchar, message varchar, processed_at timestamp)
    """)


def replace_table(con: duckdb.DuckDBPyConnection, name: str, frame) -> None:
    """Replace a table with a DataFrame's contents, in one statement."""
    con.register("_replacement", frame)
    try:
        con.execute(f"create or replace table {name} as select * from _replacement")
    finally:
        con.unregister("_replacement")


def promote(tmp: Path, target: Path) -> Path:
    """Replace ``target`` by ``tmp`` in one rename: readers see the old file or the new one.

    A folder takes two renames; a crash between them leaves ``<target>.old``, which the
    next promote puts back before it starts (readers lose the folder only until then).
    """
    old = target.with_name(target.name + ".old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    if target.exists() and target.is_dir():
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        crash_point("publish.between_renames")
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.replace(target)
    return target
