"""Ingest throughput: messages per second and CSV/xlsx rows per second, per scale factor.

    python -m benchmarks.ingest --scale 1 10

Generates SYNTHETIC feeds per scale (or reuses --feeds), loads them into a fresh
warehouse without moving the files, and prints one line per feed plus a JSON summary.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from benchmarks import run_per_scale


def run(scale: float, feeds_dir: Path | None, work: Path) -> dict:
    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.landing import ingest_feed
    from orchestration.lib.config import settings
    from orchestration.lib.warehouse import connect
    from synthetic.generate import GeneratorConfig, generate

    if feeds_dir is None:
        feeds_dir = work / f"feeds_{scale}"
        t0 = time.monotonic()
        generate(GeneratorConfig(out=feeds_dir, scale=scale))
        print(f"generated scale {scale} in {time.monotonic() - t0:.1f}s")
    os.environ.update({"GRIP_DATA_DIR": str(work / f"data_{scale}"), "GRIP_DEMO": "1"})
    s = settings()
    s.warehouse.unlink(missing_ok=True)
    figures = {"scale": scale, "feeds": {}}
    with connect(s) as con:
        for feed in FEEDS:
            t0 = time.monotonic()
            outcomes = ingest_feed(con, s, feed, root=feeds_dir / "landing", archive=False)
            seconds = time.monotonic() - t0
            rows = sum(o.rows_loaded for o in outcomes)
            files = len(outcomes)
            figures["feeds"][feed.name] = {"files": files, "rows": rows, "seconds": round(seconds, 2)}
            unit = "messages/s" if feed.name == "suite4_berichten" else "rows/s"
            rate = (files if unit == "messages/s" else rows) / seconds if seconds else 0
            print(
                f"scale {scale:>5}  {feed.name:28s} {files:>9,} files {rows:>11,} rows {seconds:8.2f}s "
                f"{rate:>12,.0f} {unit}"
            )
    msg = figures["feeds"]["suite4_berichten"]
    tab = [v for k, v in figures["feeds"].items() if k != "suite4_berichten"]
    figures["messages_per_second"] = round(msg["files"] / msg["seconds"]) if msg["seconds"] else None
    figures["tabular_rows_per_second"] = round(sum(v["rows"] for v in tab) / sum(v["seconds"] for v in tab))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def main() -> None:
    run_per_scale(run, __doc__)


if __name__ == "__main__":
    main()
