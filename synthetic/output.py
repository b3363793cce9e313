"""Where the generator writes: the landing zone, the defect register and the truth tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


@dataclass
class Defect:
    file: str  # path relative to the landing zone
    record: str  # row number, message identification or element
    field: str
    kind: str
    detail: str = ""


@dataclass
class Output:
    root: Path
    end_date: dt.date
    defects: list[Defect] = field(default_factory=list)
    late: tuple[str, ...] = ()  # landing folders delivered late: written to late/ for a test to move in
    files_written: int = 0
    bytes_written: int = 0

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest"

    def write(self, relpath: str, data: bytes) -> Path:
        path = (self.root / "late" if relpath.startswith(self.late) else self.landing) / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files_written += 1
        self.bytes_written += len(data)
        return path

    def defect(self, file: str, record: str, field_: str, kind: str, detail: str = "") -> None:
        self.defects.append(Defect(file, str(record), field_, kind, detail))

    def table(self, name: str, rows: list[dict], schema: pa.Schema | None = None) -> None:
        """Write one truth table as Parquet (typed, compact, readable by pandas and DuckDB)."""
        self.manifest.mkdir(parents=True, exist_ok=True)
        if rows:
            columns = list(dict.fromkeys(k for r in rows for k in r))  # pyarrow infers from the first row only
            table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=schema)
        else:
            table = schema.empty_table() if schema else pa.table({})
        pq.write_table(table, self.manifest / f"{name}.parquet")


class TableSink:
    """Append rows to a Parquet file in chunks with a fixed schema: memory stays bounded."""

    def __init__(self, path: Path, schema: pa.Schema, chunk: int = 50_000):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.schema, self.chunk = path, schema, chunk
        self.rows: list[dict] = []
        self.count = 0
        self.writer = pq.ParquetWriter(path, schema)

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            names = self.schema.names
            self.writer.write_table(
                pa.Table.from_pylist([{n: r.get(n) for n in names} for r in self.rows], schema=self.schema)
            )
            self.count += len(self.rows)
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


MESSAGE_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("law", pa.string()),
        ("kind", pa.string()),
        ("sender", pa.string()),
        ("identificatie", pa.string()),
        ("dagtekening", pa.date32()),
        ("duplicate_of", pa.string()),
        ("toewijzing", pa.string()),
        ("toewijzingen", pa.string()),
        ("malformed", pa.bool_()),
    ]
)

LINE_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("file", pa.string()),
        ("delivered", pa.bool_()),
        ("municipality", pa.string()),
        ("provider", pa.string()),
        ("law", pa.string()),
        ("declaratie", pa.string()),
        ("dagtekening", pa.date32()),
        ("bsn", pa.string()),
        ("tid", pa.int64()),
        ("toewijzing", pa.int64()),
        ("reference", pa.string()),
        ("previous_reference", pa.string()),
        ("period_first", pa.date32()),
        ("period_last", pa.date32()),
        ("volume", pa.int64()),
        ("tariff_cents", pa.int64()),
        ("amount_cents", pa.int64()),
        ("debit_credit", pa.string()),
        ("status", pa.string()),
        ("days_after_period", pa.int64()),
        ("on_time", pa.bool_()),
    ]
)

PAYMENT_SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("paid_date", pa.date32()),
        ("cents", pa.int64()),
        ("bsn", pa.string()),
        ("provider", pa.string()),
        ("toewijzing", pa.int64()),
        ("period_first", pa.date32()),
    ]
)
