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
from dagster_duckdb import DuckDBResource

from .config import Settings

LINEAGE_COLUMNS = {
    "_delivery_id": "varchar",  # content hash of the delivered file
    "_file": "varchar",  # path of the file relative to the landing zone
    "_row": "integer",  # line number in the file (header = 1) or element position
    "_loaded_at": "timestamp",
}


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
    resource = DuckDBResource(database=str(s.warehouse), connection_config=s.duckdb_config())
    with resource.get_connection() as con:
        try:
            yield con
        finally:
            con.close()  # the resource skips its own close when the body raises


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


def publish_copy(s: Settings) -> Path:
    """Copy the warehouse to the read-only file analysts open, replacing it atomically."""
    tmp = s.published_warehouse.with_suffix(".tmp")
    shutil.copyfile(s.warehouse, tmp)
    tmp.replace(s.published_warehouse)
    return s.published_warehouse
