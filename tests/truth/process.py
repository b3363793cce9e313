"""The Wmo work process as the deliveries tell it, computed in pandas and plain Python.

Independent of the pipeline: the delivered CSVs are read with the csv module, each field takes
its latest plausible value (as docs/definitions.md says), and working days and terms come from
loops over the calendar, not from SQL joins on working-day numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from orchestration.lib.config import DEMO_PSEUDONYM_KEY
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.workdays import term_end, working_days_between

DATES = ["datum_melding", "datum_start_onderzoek", "datum_einde_onderzoek", "datum_aanvraag", "datum_beschikking"]
FIELDS = ["bsn", "soort", "spoed", *DATES, "uitkomst", "productcategorie", "team"]


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    d, m, y = text.split("-")
    return dt.date(int(y), int(m), int(d))


def delivered_rows(landing: Path) -> pd.DataFrame:
    rows = []
    for path in sorted((landing / "suite4" / "werkprocessen").glob("*.csv")):
        month = path.stem.rsplit("_", 1)[1]
        month_end = (pd.Timestamp(f"{month[:4]}-{month[4:]}-01") + pd.offsets.MonthEnd(0)).date()
        reader = csv.reader(io.StringIO(path.read_bytes().decode("cp1252"), newline=""), delimiter=";")
        header = next(reader)
        for line, values in enumerate(reader, start=2):
            if len(values) != len(header):
                continue  # a broken row is rejected whole
            r = dict(zip(header, values, strict=True))
            row = {"procesnummer": r["procesnummer"], "month_end": month_end, "line": line}
            for f in FIELDS:
                v = r[f].strip()
                if f in DATES:
                    v = _date(v)
                    v = v if v is not None and v <= month_end else None
                else:
                    v = None if v in ("", "-") else v
                row[f] = v
            rows.append(row)
    return pd.DataFrame(rows)


def processes(landing: Path) -> pd.DataFrame:
    """One row per process: each field at its latest plausible value, with derived dates and days."""
    rows = delivered_rows(landing).sort_values(["month_end", "line"])
    latest = rows.groupby("procesnummer")[FIELDS].last().reset_index()  # last() skips missing values
    p = latest.rename(
        columns={
            "datum_melding": "report",
            "datum_einde_onderzoek": "inv_end",
            "datum_aanvraag": "application",
            "datum_beschikking": "decision",
        }
    )
    p = p.astype(object).where(p.notna(), None)
    p["client_key"] = [pseudonymise(b, DEMO_PSEUDONYM_KEY) for b in p["bsn"]]
    p["team"] = p["team"].fillna("onbekend")
    p["product_category"] = p["productcategorie"].fillna("onbekend")
    p["outcome"] = p["uitkomst"].fillna("onbekend")
    p["ended_on"] = [
        d if d is not None else (e if a is None and o is not None else None)
        for d, e, a, o in zip(p["decision"], p["inv_end"], p["application"], p["uitkomst"], strict=True)
    ]
    # cumulative throughput: from the report through every step to the end of the process
    p["cal_days"] = [(e - r).days if r and e else None for r, e in zip(p["report"], p["ended_on"], strict=True)]
    p["work_days"] = [
        working_days_between(r, e) if r and e else None for r, e in zip(p["report"], p["ended_on"], strict=True)
    ]
    p["report_term_end"] = [term_end(r, 42) if r else None for r in p["report"]]
    p["report_ok"] = [e <= t if t and e else None for t, e in zip(p["report_term_end"], p["inv_end"], strict=True)]
    p["application_ok"] = [
        d <= term_end(a, 14) if a and d else None for a, d in zip(p["application"], p["decision"], strict=True)
    ]
    return p


def periods(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    for kind, step in (("month", 1), ("quarter", 3), ("year", 12)):
        start = pd.Timestamp(first).to_period({"month": "M", "quarter": "Q", "year": "Y"}[kind]).start_time.date()
        while start <= last:
            end = (pd.Timestamp(start) + pd.DateOffset(months=step) - pd.Timedelta(days=1)).date()
            out.append((kind, start, end))
            start = (pd.Timestamp(start) + pd.DateOffset(months=step)).date()
    return out
