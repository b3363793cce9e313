"""Benchmarks: commands that print figures (throughput, memory, accuracy); no timed tests."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable
from pathlib import Path


def run_per_scale(run: Callable[[float, Path | None, Path], dict], doc: str) -> None:
    """The shared command line: --scale (one or more), --feeds to reuse generated feeds, --work folder."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0])
    parser.add_argument("--feeds", type=Path, default=None, help="reuse generated feeds (one scale only)")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="grip-bench-"))
    print(json.dumps([run(scale, args.feeds, work) for scale in args.scale], indent=2))
