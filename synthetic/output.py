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
    files_written: int = 0
    bytes_written: int = 0

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest"

    def write(self, relpath: str, data: bytes) -> Path:
        path = self.landing / relpath
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
