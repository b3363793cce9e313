"""The life of a delivery: landing -> (loaded | duplicate | quarantined) -> archive.

A delivery (one file) is loaded completely or not at all. Several deliveries may share
one transaction (the message traffic, for speed), which keeps that promise: a batch
commits whole or not at all. Rows and log entries are committed before files move, so a
crash after the commit leaves files in the landing zone whose content hash the log
already knows: the next run records them as duplicates and archives them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.lib.config import Settings
from orchestration.lib.crash import crash_point
from orchestration.lib.parallel import ordered_map
from orchestration.lib.warehouse import LINEAGE_COLUMNS, ensure_schemas

from .feeds import Feed
from .istandaard import MessageRejected
from .tabular import DeliveryRejected, Parsed

LINKAGE_COLUMNS = {
    "source": "varchar", "source_key": "varchar", "client_key": "varchar", "voornamen": "varchar",
    "voornaam": "varchar", "voorvoegsel": "varchar", "tussenvoegsel": "varchar", "achternaam": "varchar",
    "birth_date": "date", "postcode": "varchar", "huisnummer": "varchar", "woonplaats": "varchar",
}


LOG_COLUMNS = ["delivery_id", "source", "entity", "file", "size_bytes", "status", "rows_loaded", "rows_rejected",
               "reason", "processed_at"]
REJECTED_COLUMNS = ["delivery_id", "source", "entity", "file", "line", "rule", "message", "processed_at"]


@dataclass
class Outcome:
    file: str
    status: str  # loaded, duplicate, quarantined
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str = ""


@dataclass
class _Batch:
    files: list[tuple[Path, str, str, int]] = field(default_factory=list)  # path, rel, delivery id, size
    parsed: list[dict[str, Parsed]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def pending_files(root: Path, pattern: str) -> list[Path]:
    """Deliveries in order of arrival (modification time, then name)."""
    files = [p for p in root.glob(pattern) if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, str(p)))


def ensure_tables(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    ensure_schemas(con)
    for table, cols in feed.tables.items():
        cols = [c for c in cols if c[0] not in LINEAGE_COLUMNS] + list(LINEAGE_COLUMNS.items())
        con.execute(f"create table if not exists raw.{table} ({', '.join(f'{n} {t}' for n, t in cols)})")
    if feed.person_tables:
        cols = list(LINKAGE_COLUMNS.items()) + list(LINEAGE_COLUMNS.items())
        con.execute(f"create table if not exists restricted.linkage_persons ({', '.join(f'{n} {t}' for n, t in cols)})")


def ingest_feed(con: duckdb.DuckDBPyConnection, s: Settings, feed: Feed, root: Path | None = None,
                archive: bool = True) -> list[Outcome]:
    """Load every pending delivery of one feed; ``root`` defaults to the landing zone."""
    root = root or s.landing_dir
    ensure_tables(con, feed)
    loaded = {r[0] for r in con.execute(
        "select delivery_id from raw.ingest_log where status = 'loaded' and source = ? and entity = ?",
        [feed.source, feed.name]).fetchall()}
    outcomes: list[Outcome] = []
    batch = _Batch()
    paths = pending_files(root, feed.pattern)
    for path, read in zip(paths, _read_all(paths, feed, s)):
        rel = str(path.relative_to(root))
        delivery, size, parsed = read
        if delivery in loaded or delivery in batch.ids:
            outcome = Outcome(rel, "duplicate", reason="same content as a delivery already loaded")
            _log(con, delivery, feed, rel, size, outcome)
            if archive:
                _move(path, root, s.archive_dir / dt.date.today().isoformat())
            outcomes.append(outcome)
            continue
        if isinstance(parsed, Exception):
            outcome = Outcome(rel, "quarantined", reason=str(parsed))
            _log(con, delivery, feed, rel, size, outcome)
            if archive:
                dest = _move(path, root, s.quarantine_dir)
                dest.with_name(dest.name + ".reason.txt").write_text(
                    f"file: {rel}\nrule: {str(parsed).split(':')[0]}\nmessage: {parsed}\n", encoding="utf-8")
            outcomes.append(outcome)
            continue
        batch.files.append((path, rel, delivery, size))
        batch.parsed.append(parsed)
        batch.ids.add(delivery)
        if len(batch.files) >= feed.batch_size:
            outcomes += _commit(con, s, feed, batch, root, archive)
            loaded |= batch.ids
            batch = _Batch()
    if batch.files:
        outcomes += _commit(con, s, feed, batch, root, archive)
    return outcomes


Read = tuple[str, int, "dict[str, Parsed] | DeliveryRejected | MessageRejected"]  # content hash, size, parse result


def _read(paths: list[Path], feed: Feed, s: Settings) -> list[Read]:
    """Read, hash and parse deliveries; a refusal is returned, not raised, so it travels back from a worker."""
    out = []
    for path in paths:
        data = path.read_bytes()
        try:
            parsed = feed.parse(data, s)
        except (DeliveryRejected, MessageRejected) as exc:
            parsed = exc
        out.append((content_hash(data), len(data), parsed))
    return out


def _read_all(paths: list[Path], feed: Feed, s: Settings) -> Iterator[Read]:
    """Parse in worker processes, in order, while this process writes: parsing is the CPU-bound
    part (lxml and the row checks) and DuckDB takes one writer."""
    chunk = max(1, feed.batch_size // 20)  # a message is small, a tabular delivery is large
    chunks = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    for results in ordered_map(_read, chunks, s.workers, feed, s):
        yield from results


def _commit(con, s: Settings, feed: Feed, batch: _Batch, root: Path, archive: bool) -> list[Outcome]:
    now = dt.datetime.now()
    rows: dict[str, list[dict]] = {}
    persons: list[dict] = []
    outcomes = []
    for (_, rel, delivery, _), parsed in zip(batch.files, batch.parsed):
        lineage = {"_delivery_id": delivery, "_file": rel, "_loaded_at": now}
        for table, p in parsed.items():
            # one message = one file: its rows get _row 1 and their element position in _pos
            rows.setdefault(table, []).extend({"_row": 1, **r, **lineage} for r in p.rows)
            if table in feed.person_tables:
                persons.extend({**r, "source": table, **lineage} for r in p.persons)
        outcomes.append(Outcome(rel, "loaded", sum(len(p.rows) for p in parsed.values()),
                                sum(len(p.rejected) for p in parsed.values())))
    con.execute("begin transaction")
    try:
        for table in feed.full_tables:  # a full export replaces the previous one
            if table in rows:
                con.execute(f"delete from raw.{table}")
                if table in feed.person_tables:
                    con.execute("delete from restricted.linkage_persons where source = ?", [table])
        for table, table_rows in rows.items():
            if table_rows:
                _insert(con, f"raw.{table}", pd.DataFrame(table_rows))
        if persons:
            columns = list(LINKAGE_COLUMNS) + list(LINEAGE_COLUMNS)
            frame = pd.DataFrame(persons).reindex(columns=columns).astype({"huisnummer": "string"})
            _insert(con, "restricted.linkage_persons", frame)
        log = [[delivery, feed.source, feed.name, rel, size, o.status, o.rows_loaded, o.rows_rejected, o.reason, now]
               for (_, rel, delivery, size), o in zip(batch.files, outcomes)]
        _insert(con, "raw.ingest_log", pd.DataFrame(log, columns=LOG_COLUMNS))
        rejected = [[delivery, feed.source, feed.name, rel, r.line, r.rule, r.message, now]
                    for (_, rel, delivery, _), parsed in zip(batch.files, batch.parsed)
                    for p in parsed.values() for r in p.rejected]
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
        for path, *_ in batch.files:
            _move(path, root, target)
    return outcomes


def _insert(con, table: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    try:
        con.execute(f"insert into {table} by name select * from _frame")
    finally:
        con.unregister("_frame")


def _move(path: Path, root: Path, target: Path) -> Path:
    dest = target / path.relative_to(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), dest)
    return dest


def _log(con, delivery, feed: Feed, rel, size, outcome: Outcome) -> None:
    """Log a delivery that loads nothing (duplicate, quarantined); loaded ones are logged in their batch."""
    con.execute("insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [delivery, feed.source, feed.name, rel, size, outcome.status, outcome.rows_loaded,
                 outcome.rows_rejected, outcome.reason, dt.datetime.now()])


def rebuild_from_archive(con: duckdb.DuckDBPyConnection, s: Settings, feeds) -> list[Outcome]:
    """Load every archived delivery again, day by day in order, leaving the archive as it is."""
    outcomes: list[Outcome] = []
    for day in sorted(p for p in s.archive_dir.iterdir() if p.is_dir()) if s.archive_dir.exists() else []:
        for feed in feeds:
            outcomes += ingest_feed(con, s, feed, root=day, archive=False)
    return outcomes
