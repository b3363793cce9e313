"""The life of a delivery: landing -> (loaded | duplicate | quarantined) -> archive.

Order matters for crash safety: rows and the log entry are committed in one transaction
before the file moves. A crash after the commit leaves the file in the landing zone; the
next run finds its content hash in the log, records it as a duplicate and archives it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.lib.config import Settings
from orchestration.lib.warehouse import LINEAGE_COLUMNS, ensure_schemas

from .contracts import Contract
from .tabular import DeliveryRejected, output_columns, read_delivery

LINKAGE_COLUMNS = {
    "source": "varchar", "source_key": "varchar", "client_key": "varchar", "voornamen": "varchar",
    "voornaam": "varchar", "voorvoegsel": "varchar", "tussenvoegsel": "varchar", "achternaam": "varchar",
    "birth_date": "date", "postcode": "varchar", "huisnummer": "varchar", "woonplaats": "varchar",
}


@dataclass
class Outcome:
    file: str
    status: str  # loaded, duplicate, quarantined
    rows_loaded: int = 0
    rows_rejected: int = 0
    reason: str = ""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def pending_files(root: Path, contract: Contract) -> list[Path]:
    """Deliveries in order of arrival (modification time, then name)."""
    files = [p for p in root.glob(contract.pattern) if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def ensure_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    cols = output_columns(contract) + list(LINEAGE_COLUMNS.items())
    con.execute(f"create table if not exists raw.{contract.table} ({', '.join(f'{n} {t}' for n, t in cols)})")
    if contract.person_id:
        cols = list(LINKAGE_COLUMNS.items()) + list(LINEAGE_COLUMNS.items())
        con.execute(f"create table if not exists restricted.linkage_persons ({', '.join(f'{n} {t}' for n, t in cols)})")


def _move(path: Path, root: Path, s: Settings, target: Path) -> Path:
    dest = target / path.relative_to(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), dest)
    return dest


def ingest_contract(con: duckdb.DuckDBPyConnection, s: Settings, contract: Contract, root: Path | None = None,
                    archive: bool = True) -> list[Outcome]:
    """Load every pending delivery for one contract; ``root`` defaults to the landing zone."""
    root = root or s.landing_dir
    ensure_schemas(con)
    ensure_table(con, contract)
    loaded = {r[0] for r in con.execute(
        "select delivery_id from raw.ingest_log where status = 'loaded' and source = ? and entity = ?",
        [contract.source, contract.entity]).fetchall()}
    outcomes = []
    today = dt.date.today().isoformat()
    for path in pending_files(root, contract):
        rel = str(path.relative_to(root))
        data = path.read_bytes()
        delivery = content_hash(data)
        now = dt.datetime.now()
        if delivery in loaded:
            outcome = Outcome(rel, "duplicate", reason="same content as a delivery already loaded")
            _log(con, delivery, contract, rel, len(data), outcome, now)
        else:
            try:
                parsed = read_delivery(contract, data, s.pseudonym_key)
            except DeliveryRejected as exc:
                outcome = Outcome(rel, "quarantined", reason=str(exc))
                _log(con, delivery, contract, rel, len(data), outcome, now)
                if archive:
                    dest = _move(path, root, s, s.quarantine_dir)
                    dest.with_name(dest.name + ".reason.txt").write_text(
                        f"file: {rel}\nrule: {str(exc).split(':')[0]}\nmessage: {exc}\n", encoding="utf-8")
                outcomes.append(outcome)
                continue
            outcome = Outcome(rel, "loaded", len(parsed.rows), len(parsed.rejected))
            _load(con, contract, parsed, delivery, rel, now)
            _log(con, delivery, contract, rel, len(data), outcome, now, parsed.rejected)
            loaded.add(delivery)
        if archive:
            _move(path, root, s, s.archive_dir / today)
        outcomes.append(outcome)
    return outcomes


def _load(con, contract: Contract, parsed, delivery: str, rel: str, now: dt.datetime) -> None:
    names = [n for n, _ in output_columns(contract)]
    frame = pd.DataFrame(parsed.rows, columns=names + ["_row"])
    frame["_delivery_id"], frame["_file"], frame["_loaded_at"] = delivery, rel, now
    con.execute("begin transaction")
    try:
        if contract.delivery == "full":  # a full export replaces the previous one
            con.execute(f"delete from raw.{contract.table}")
            if contract.person_id:
                con.execute("delete from restricted.linkage_persons where source = ?", [contract.table])
        con.register("_frame", frame)
        con.execute(f"insert into raw.{contract.table} by name select * from _frame")
        con.unregister("_frame")
        if contract.person_id and parsed.persons:
            persons = pd.DataFrame(parsed.persons)
            persons["source"], persons["_delivery_id"], persons["_file"], persons["_loaded_at"] = contract.table, delivery, rel, now
            persons = persons.reindex(columns=list(LINKAGE_COLUMNS) + list(LINEAGE_COLUMNS))
            persons = persons.astype({"huisnummer": "string"})
            con.register("_persons", persons)
            con.execute("insert into restricted.linkage_persons by name select * from _persons")
            con.unregister("_persons")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _log(con, delivery, contract, rel, size, outcome: Outcome, now, rejected=()) -> None:
    con.execute("insert into raw.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [delivery, contract.source, contract.entity, rel, size, outcome.status, outcome.rows_loaded,
                 outcome.rows_rejected, outcome.reason, now])
    for r in rejected:
        con.execute("insert into raw.rejected_rows values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [delivery, contract.source, contract.entity, rel, r.line, r.rule, r.message, now])
