"""The life of a delivery: landing -> (loaded | duplicate | quarantined) -> archive.

A delivery (one file) is loaded completely or not at all. Several deliveries may share
one transaction (the message traffic, for speed), which keeps that promise: a batch
commits whole or not at all. Rows and log entries are committed before files move, so a
crash after the commit leaves files in the landing zone whose content hash the log
already knows: the next run records them as duplicates and archives them.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.config import Settings
from orchestration.lib.crash import crash_point
from orchestration.lib.parallel import ordered_map
from orchestration.lib.warehouse import LINEAGE_COLUMNS, arrow_schema, ensure_schemas

from .feeds import Feed
from .istandaard import MessageRejected
from .tabular import DeliveryRejected, Rejected

LINKAGE_COLUMNS = {
    "source": "varchar",
    "source_key": "varchar",
    "client_key": "varchar",
    "voornamen": "varchar",
    "voornaam": "varchar",
    "voorvoegsel": "varchar",
    "tussenvoegsel": "varchar",
    "achternaam": "varchar",
    "birth_date": "date",
    "postcode": "varchar",
    "huisnummer": "varchar",
    "woonplaats": "varchar",
}


LOG_COLUMNS = [
    "delivery_id",
    "source",
    "entity",
    "file",
    "size_bytes",
    "status",
    "rows_loaded",
    "rows_rejected",
    "reason",
    "processed_at",
]
REJECTED_COLUMNS = ["delivery_id", "source", "entity", "file", "line", "rule", "message", "processed_at"]


@dataclass
class Outcome:
    file: str
    status: str  # loaded, duplicate, quarantined
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str = ""


@dataclass
class _Delivery:
    """One file as a worker read it."""

    path: str
    rel: str  # path relative to the landing zone
    delivery_id: str  # content hash
    size: int
    error: DeliveryRejected | MessageRejected | None = None
    rows_loaded: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class _Chunk:
    """Deliveries read together, with their rows as Arrow tables per target relation
    (``raw.<table>``, ``restricted.linkage_persons``); ``_idx`` ties a row to its delivery."""

    deliveries: list[_Delivery]
    tables: dict[str, pa.Table]


@dataclass
class _Batch:
    deliveries: list[_Delivery] = field(default_factory=list)
    parts: dict[str, list[pa.Table]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def pending_files(root: Path, pattern: str) -> list[str]:
    """Deliveries in order of arrival (modification time, then name), as paths relative to ``root``.

    ``glob.glob`` on strings, not ``Path.glob``: for the 237,000 message files of scale 1 pathlib's
    recursive glob took 4 s of the writing process (cProfile); one ``stat`` per file for the type and time."""
    found = []
    for rel in glob.glob(pattern, root_dir=root, recursive=True, include_hidden=True):
        st = os.stat(os.path.join(root, rel))
        if S_ISREG(st.st_mode):
            found.append((st.st_mtime_ns, rel))
    return [rel for _, rel in sorted(found)]


def ensure_tables(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """The feed's raw tables, created empty before its first delivery so that everything downstream
    runs on a source that is not delivered yet; ``raw.feed_tables`` says which feed fills which table,
    so dbt can tell a source that never delivered from one that delivered nothing for a period."""
    ensure_schemas(con)
    con.execute(
        "create table if not exists raw.feed_tables (table_name varchar primary key, feed varchar, source varchar)"
    )
    for table in feed.tables:
        con.execute("insert or replace into raw.feed_tables values (?, ?, ?)", [table, feed.name, feed.source])
    for table, cols in feed.tables.items():
        cols = [c for c in cols if c[0] not in LINEAGE_COLUMNS] + list(LINEAGE_COLUMNS.items())
        con.execute(f"create table if not exists raw.{table} ({', '.join(f'{n} {t}' for n, t in cols)})")
    if feed.person_tables:
        cols = list(LINKAGE_COLUMNS.items()) + list(LINEAGE_COLUMNS.items())
        con.execute(f"create table if not exists restricted.linkage_persons ({', '.join(f'{n} {t}' for n, t in cols)})")


def ingest_feed(
    con: duckdb.DuckDBPyConnection, s: Settings, feed: Feed, root: Path | None = None, archive: bool = True
) -> list[Outcome]:
    """Load every pending delivery of one feed; ``root`` defaults to the landing zone."""
    root = root or s.landing_dir
    ensure_tables(con, feed)
    loaded = {
        r[0]
        for r in con.execute(
            "select delivery_id from raw.ingest_log where status = 'loaded' and source = ? and entity = ?",
            [feed.source, feed.name],
        ).fetchall()
    }
    mover = _Mover()
    outcomes: list[Outcome] = []
    batch = _Batch()
    for chunk in read_deliveries(pending_files(root, feed.pattern), feed, s, root):
        keep = []
        for i, d in enumerate(chunk.deliveries):
            if d.delivery_id in loaded or d.delivery_id in batch.ids:
                outcome = Outcome(d.rel, "duplicate", reason="same content as a delivery already loaded")
                _log(con, d, feed, outcome)
                if archive:
                    mover.move(d, s.archive_dir / dt.date.today().isoformat())
            elif d.error is not None:
                outcome = Outcome(d.rel, "quarantined", reason=str(d.error))
                _log(con, d, feed, outcome)
                if archive:
                    dest = mover.move(d, s.quarantine_dir)
                    dest.with_name(dest.name + ".reason.txt").write_text(
                        f"file: {d.rel}\nrule: {str(d.error).split(':')[0]}\nmessage: {d.error}\n", encoding="utf-8"
                    )
            else:
                keep.append(i)
                batch.deliveries.append(d)
                batch.ids.add(d.delivery_id)
                continue
            outcomes.append(outcome)
        for relation, table in chunk.tables.items() if keep else ():  # a refused delivery's tables stay untouched
            if len(keep) < len(chunk.deliveries):
                table = table.filter(pc.is_in(table["_idx"], pa.array(keep, pa.int32())))
            batch.parts.setdefault(relation, []).append(table)
        if len(batch.deliveries) >= feed.batch_size:
            outcomes += _commit(con, s, feed, batch, mover, archive)
            loaded |= batch.ids
            batch = _Batch()
    if batch.deliveries:
        outcomes += _commit(con, s, feed, batch, mover, archive)
    return outcomes


def _read(files: list[str], feed: Feed, s: Settings, root: Path) -> _Chunk:
    """Read, hash and parse deliveries (``files`` relative to ``root``), and put their rows in Arrow tables:
    this is the CPU-bound part, so it runs in the workers. A refusal is kept, not raised, so it travels back."""
    deliveries, datas = [], []
    for rel in files:
        path = os.path.join(root, rel)
        with open(path, "rb") as fh:
            data = fh.read()
        deliveries.append(_Delivery(path, rel, content_hash(data), len(data)))
        datas.append(data)
    if feed.parse_batch is not None:  # the message traffic: column-wise, many deliveries at once
        batch = feed.parse_batch(datas, s)
        for i, error in batch.refused.items():
            deliveries[i].error = error
        tables = {f"raw.{t}": table for t, table in batch.tables.items()}
        for table in tables.values():
            for i, n in enumerate(np.bincount(np.asarray(table["_idx"]), minlength=len(deliveries))):
                deliveries[i].rows_loaded += int(n)
    else:
        tables = _tables(deliveries, datas, feed, s)
    ids = pa.array([d.delivery_id for d in deliveries], pa.string())
    files = pa.array([d.rel for d in deliveries], pa.string())
    for relation, table in tables.items():
        idx = table["_idx"]
        if "_row" not in table.column_names:  # one message = one file: its rows have _row 1, their position in _pos
            table = table.append_column("_row", pa.repeat(pa.scalar(1, pa.int32()), len(table)))
        tables[relation] = table.append_column("_delivery_id", ids.take(idx)).append_column("_file", files.take(idx))
    return _Chunk(deliveries, tables)


def _tables(deliveries: list[_Delivery], datas: list[bytes], feed: Feed, s: Settings) -> dict[str, pa.Table]:
    """One delivery at a time (the CSV and xlsx feeds): rows as dictionaries, then a table per relation,
    ``_row`` the delivery's line number."""
    assert feed.parse is not None, f"{feed.name} reads one delivery at a time"
    rows: dict[str, tuple[list[dict], list[int]]] = {}  # relation -> rows, delivery index per row
    for i, (d, data) in enumerate(zip(deliveries, datas, strict=True)):
        try:
            parsed = feed.parse(data, s)
        except (DeliveryRejected, MessageRejected) as exc:
            d.error = exc
            parsed = {}
        for table, p in parsed.items():
            d.rows_loaded += len(p.rows)
            d.rejected += p.rejected
            _add(rows, f"raw.{table}", p.rows, i)
            if table in feed.person_tables:
                _add(rows, "restricted.linkage_persons", [{**r, "source": table} for r in p.persons], i)
    columns = {f"raw.{t}": dict(cols) for t, cols in feed.tables.items()} | {
        "restricted.linkage_persons": LINKAGE_COLUMNS
    }
    tables = {}
    for relation, (table_rows, idx) in rows.items():
        schema = arrow_schema(
            {c: t for c, t in columns[relation].items() if c not in LINEAGE_COLUMNS} | {"_row": "integer"}
        )
        tables[relation] = pa.Table.from_pylist(table_rows, schema=schema).append_column(
            "_idx", pa.array(idx, pa.int32())
        )
    return tables


def _add(rows: dict[str, tuple[list[dict], list[int]]], relation: str, new: list[dict], index: int) -> None:
    table_rows, idx = rows.setdefault(relation, ([], []))
    table_rows += new
    idx += [index] * len(new)


def read_deliveries(paths: list[str], feed: Feed, s: Settings, root: Path) -> Iterator[_Chunk]:
    """Chunks in order, parsed in worker processes while this process writes: DuckDB takes one writer."""
    # a tabular delivery is large; messages are small, and read column-wise they gain from large batches
    size = max(1, feed.batch_size // (4 if feed.parse_batch else 20))
    yield from ordered_map(_read, [paths[i : i + size] for i in range(0, len(paths), size)], s.workers, feed, s, root)


def _commit(con, s: Settings, feed: Feed, batch: _Batch, mover: _Mover, archive: bool) -> list[Outcome]:
    now = dt.datetime.now()
    outcomes = [Outcome(d.rel, "loaded", d.rows_loaded, len(d.rejected)) for d in batch.deliveries]
    replaced: dict[str, str] = {}
    con.execute("begin transaction")
    try:
        for table in feed.full_tables:  # a full export replaces the previous one, even with no rows
            if f"raw.{table}" in batch.parts:
                con.execute(f"delete from raw.{table}")
                if table in feed.person_tables:
                    con.execute("delete from restricted.linkage_persons where source = ?", [table])
        replaced = _replace_periods(con, feed, batch.deliveries, now) if feed.period else {}
        loaded_at = pa.scalar(now, pa.timestamp("us"))
        for relation, parts in batch.parts.items():
            rows = pa.concat_tables(parts).drop_columns(["_idx"])
            if rows.num_rows:
                _insert(con, relation, rows.append_column("_loaded_at", pa.repeat(loaded_at, rows.num_rows)))
        _insert(con, "raw.ingest_log", _log_table(batch.deliveries, feed, replaced, now))
        rejected = [
            [d.delivery_id, feed.source, feed.name, d.rel, r.line, r.rule, r.message, now]
            for d in batch.deliveries
            for r in d.rejected
        ]
        if rejected:
            _insert(con, "raw.rejected_rows", pd.DataFrame(rejected, columns=REJECTED_COLUMNS))
        crash_point("ingest.before_commit")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    crash_point("ingest.after_commit")  # rows committed, files not yet archived
    if archive:
        target = s.archive_dir / dt.date.today().isoformat()
        for d in batch.deliveries:
            mover.move(d, target)
    return outcomes


def _log_table(deliveries: list[_Delivery], feed: Feed, replaced: dict[str, str], now: dt.datetime) -> pa.Table:
    """The ingest log of a batch's loaded deliveries, column by column (5,000 rows a batch of messages)."""
    n = len(deliveries)
    columns = {
        "delivery_id": [d.delivery_id for d in deliveries],
        "source": [feed.source] * n,
        "entity": [feed.name] * n,
        "file": [d.rel for d in deliveries],
        "size_bytes": pa.array([d.size for d in deliveries], pa.int64()),
        "status": ["loaded"] * n,
        "rows_loaded": pa.array([d.rows_loaded for d in deliveries], pa.int64()),
        "rows_rejected": pa.array([len(d.rejected) for d in deliveries], pa.int64()),
        "reason": [replaced.get(d.delivery_id, "") for d in deliveries],
        "processed_at": pa.repeat(pa.scalar(now, pa.timestamp("us")), n),
    }
    return pa.table(columns)


def delivery_period(feed: Feed, file: str) -> str | None:
    """The delivery period a file name states (``suite4_betalingen_202603.csv`` -> ``202603``)."""
    match = re.search(feed.period, os.path.basename(file)) if feed.period else None
    return match.group(1) if match else None


def _replace_periods(con, feed: Feed, deliveries: list[_Delivery], now: dt.datetime) -> dict[str, str]:
    """A corrected redelivery replaces the period it corrects (docs/feeds.md, "Redeliveries").

    Inside the load transaction: the rows of earlier deliveries of the same feed and period move
    to ``history.<table>`` (with when and by which delivery they were replaced), their persons leave
    the linkage table, and the ingest log gets a ``replaced`` line per replaced delivery. Returns the
    reason to log with each replacing delivery."""
    current: dict[str, list[tuple[str, str]]] = {}  # period -> (delivery id, file) of deliveries in force
    for delivery_id, file in con.execute(
        """select delivery_id, file from raw.ingest_log
           where source = ? and entity = ? and status = 'loaded' and delivery_id not in (
               select delivery_id from raw.ingest_log where source = ? and entity = ? and status = 'replaced')""",
        [feed.source, feed.name, feed.source, feed.name],
    ).fetchall():
        current.setdefault(delivery_period(feed, file) or "", []).append((delivery_id, file))
    reasons = {}
    for d in deliveries:
        period = delivery_period(feed, d.rel)
        if period is None:
            continue
        earlier = [(i, f) for i, f in current.get(period, []) if i != d.delivery_id]
        current[period] = [(d.delivery_id, d.rel)]
        if not earlier:
            continue
        ids = [i for i, _ in earlier]
        con.execute("create schema if not exists history")
        moved = 0
        for table in feed.tables:
            con.execute(
                f"create table if not exists history.{table} as "
                f"select *, null::timestamp as _replaced_at, null::varchar as _replaced_by from raw.{table} limit 0"
            )
            moved += con.execute(
                f"insert into history.{table} select *, ?::timestamp, ? from raw.{table} "
                "where _delivery_id in (select unnest(?::varchar[]))",
                [now, d.delivery_id, ids],
            ).fetchone()[0]
            con.execute(f"delete from raw.{table} where _delivery_id in (select unnest(?::varchar[]))", [ids])
        if feed.person_tables:
            con.execute(
                "delete from restricted.linkage_persons where _delivery_id in (select unnest(?::varchar[]))", [ids]
            )
        con.execute(
            "insert into raw.ingest_log select delivery_id, source, entity, file, size_bytes, 'replaced', rows_loaded, "
            "rows_rejected, ?, ? from raw.ingest_log where status = 'loaded' and source = ? and entity = ? "
            "and delivery_id in (select unnest(?::varchar[]))",
            [
                f"replaced by {d.rel} ({d.delivery_id}): a redelivery of period {period}",
                now,
                feed.source,
                feed.name,
                ids,
            ],
        )
        reasons[d.delivery_id] = (
            f"redelivery of period {period}: replaces {', '.join(f for _, f in earlier)} ({moved} rows to history)"
        )
    return reasons


def _insert(con, relation: str, frame: pd.DataFrame | pa.Table) -> None:
    con.register("_frame", frame)
    try:
        con.execute(f"insert into {relation} by name select * from _frame")
    finally:
        con.unregister("_frame")


class _Mover:
    """Moves files out of the landing zone, keeping their folders; creates each folder once."""

    def __init__(self):
        self.made: set[str] = set()

    def move(self, d: _Delivery, target: Path) -> Path:
        dest = os.path.join(target, d.rel)
        stem, ext = os.path.splitext(dest)
        n = 1
        while os.path.exists(dest):  # a redelivery under the same name on the same day: keep both
            n += 1
            dest = f"{stem}~{n}{ext}"
        folder = os.path.dirname(dest)
        if folder not in self.made:
            os.makedirs(folder, exist_ok=True)
            self.made.add(folder)
        shutil.move(d.path, dest)  # a rename within one file system
        return Path(dest)


def _log(con, d: _Delivery, feed: Feed, outcome: Outcome) -> None:
    """Log a delivery that loads nothing (duplicate, quarantined); loaded ones are logged in their batch."""
    con.execute(
        "insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            d.delivery_id,
            feed.source,
            feed.name,
            d.rel,
            d.size,
            outcome.status,
            outcome.rows_loaded,
            outcome.rows_rejected,
            outcome.reason,
            dt.datetime.now(),
        ],
    )


def rebuild_from_archive(con: duckdb.DuckDBPyConnection, s: Settings, feeds) -> list[Outcome]:
    """Load every archived delivery again, day by day in order, leaving the archive as it is."""
    outcomes: list[Outcome] = []
    for day in sorted(p for p in s.archive_dir.iterdir() if p.is_dir()) if s.archive_dir.exists() else []:
        for feed in feeds:
            outcomes += ingest_feed(con, s, feed, root=day, archive=False)
    return outcomes
