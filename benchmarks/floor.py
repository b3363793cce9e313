"""The floor under ingest: what reading the landing zone costs before grip does anything with it.

    python -m benchmarks.floor <landing folder> [--workers N]

Messages: the bytes of every iWmo/iJw file read, and the same files parsed by lxml alone
(``etree.fromstring``, no paths, no rows) on as many processes as ingest uses. CSV feeds: DuckDB's
own CSV reader counting their rows, every column as text. A stage measured against these says how
much of its time is grip's own work (validation, pseudonymisation, rows, transactions) and how much
the disk and the parser would cost anyway. xlsx workbooks have no floor here: they are a handful of
small files.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

MESSAGES = "suite4/berichten"
CHUNK = 2_000  # files per task: large enough that starting a task costs nothing next to it


def _read(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as fh:
            total += len(fh.read())
    return total


def _parse(paths: list[str]) -> int:
    from lxml import etree

    for path in paths:
        with open(path, "rb") as fh:
            try:
                etree.fromstring(fh.read())
            except etree.XMLSyntaxError:  # the feeds' planted defects: ingest refuses them too
                pass
    return len(paths)


def _timed(function, chunks: list[list[str]], workers: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        result = sum(pool.map(function, chunks))
    return time.perf_counter() - t0, result


def message_floor(landing: Path, workers: int) -> dict:
    """Seconds to read and to read-and-parse every message file, on ``workers`` processes."""
    paths = sorted(str(p) for p in (landing / MESSAGES).rglob("*.xml"))
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    read_s, size = _timed(_read, chunks, workers)
    parse_s, _ = _timed(_parse, chunks, workers)
    return {
        "messages": len(paths),
        "bytes": size,
        "read_seconds": round(read_s, 2),
        "read_and_parse_seconds": round(parse_s, 2),
        "parse_messages_per_second": round(len(paths) / parse_s) if parse_s else None,
    }


def csv_floor(landing: Path) -> dict:
    """Seconds for DuckDB's CSV reader to count the rows of every CSV delivery (all columns text), with the
    memory limit and threads grip's own connections get."""
    import duckdb

    from orchestration.ingest.contracts import CONTRACTS
    from orchestration.lib.config import settings

    rows, files, t0 = 0, 0, time.perf_counter()
    with duckdb.connect(config=settings().duckdb_config()) as con:
        for contract in CONTRACTS:
            if not contract.pattern.endswith(".csv"):
                continue
            for path in sorted(landing.glob(contract.pattern)):
                # the contract's format: ';'-separated, Windows-1252 (DuckDB reads it as latin-1); the planted defects
                # (a short row, a refused encoding) skipped, as ingest quarantines them
                rows += con.execute(
                    "select count(*) from read_csv(?, all_varchar = true, header = true, delim = ';', "
                    "encoding = 'latin-1', ignore_errors = true, null_padding = true)",
                    [str(path)],
                ).fetchone()[0]
                files += 1
    seconds = time.perf_counter() - t0
    return {"csv_files": files, "csv_rows": rows, "csv_seconds": round(seconds, 2)}


def ingest_floor(landing: Path, workers: int) -> dict:
    return message_floor(landing, workers) | csv_floor(landing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GRIP_WORKERS", os.cpu_count() or 1)))
    args = parser.parse_args()
    print(json.dumps(ingest_floor(args.landing, args.workers), indent=2))


if __name__ == "__main__":
    main()
