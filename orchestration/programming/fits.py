"""Trend fits kept beside the warehouse, by what they were fitted on.

A baseline forecast fits every main group up to the base year's end, per method and horizon: 1.8 s
for the baseline and about as much again for the scenarios at scale 1, every night. A night adds
days to the current year, so the months up to the base year's end rarely change (a late invoice for
December does change them, and then the fit is made again). A fit is kept under the fingerprint of
its inputs: those months' rows, the base year, horizon and method, the code of ``forecast.py`` and
the versions of statsmodels, numpy and pandas. Parquet keeps every float and date exactly, so a kept
fit is the fit, not an approximation of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from . import forecast

KEEP = 32  # fits kept; each is a few hundred kB, and a night uses about ten
_CODE = Path(forecast.__file__).read_bytes()
_VERSIONS = "|".join(version(p) for p in ("statsmodels", "numpy", "pandas"))


def fingerprint(history: pd.DataFrame, base_year: int, horizon_years: int, method: str) -> str:
    """What a fit depends on: the history up to the base year's end (rows in a fixed order), the
    arguments, the fitting code and the libraries that do the statistics."""
    used = history[history["month"] <= pd.Timestamp(base_year, 12, 1)]
    used = used.sort_values(["law", "main_group", "month"]).reset_index(drop=True)
    h = hashlib.sha256(_CODE + _VERSIONS.encode())
    h.update(repr((base_year, horizon_years, method, list(used.columns), [str(t) for t in used.dtypes])).encode())
    h.update(pd.util.hash_pandas_object(used, index=False).to_numpy().tobytes())
    return h.hexdigest()[:32]


def forecast_groups(
    history: pd.DataFrame, base_year: int, horizon_years: int, method: str, folder: Path
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """``forecast.forecast_groups``, taken from ``folder`` when fitted before on the same inputs. An error
    (too little history) is not kept: it is raised again."""
    kept = folder / fingerprint(history, base_year, horizon_years, method)
    if (kept / "short.json").exists():
        os.utime(kept)  # used: the last to be pruned
        return (
            pd.read_parquet(kept / "forecasts.parquet"),
            pd.read_parquet(kept / "backtests.parquet"),
            json.loads((kept / "short.json").read_text(encoding="utf-8")),
        )
    forecasts, backtests, short = forecast.forecast_groups(history, base_year, horizon_years, method)
    tmp = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    forecasts.to_parquet(tmp / "forecasts.parquet", index=False)
    backtests.to_parquet(tmp / "backtests.parquet", index=False)
    (tmp / "short.json").write_text(json.dumps(short, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(kept, ignore_errors=True)
    tmp.rename(kept)  # whole or not at all
    _prune(folder)
    return forecasts, backtests, short


def _prune(folder: Path) -> None:
    fits = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")), key=os.path.getmtime)
    for old in fits[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
