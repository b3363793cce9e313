"""The quality schema: validation history, the current status per element, feasibility per question.

``quality.element_validations`` only grows: every validated batch adds its measures with a
timestamp, so a steward can follow an element from one delivery to the next and see what an
earlier night concluded. The view ``quality.element_periods`` keeps the latest word per period.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from .catalogue import Element, load_question_elements
from .classify import CATEGORIES, FEASIBILITY, classify, dip, feasibility

TREND_PERIODS = 12
STATUS_COLUMNS = [
    "element_id",
    "name_nl",
    "source",
    "table_name",
    "column_name",
    "required",
    "recorded",
    "exclusion",
    "exclusion_reason",
    "questions",
    "period",
    "period_end",
    "rows",
    "in_scope",
    "missing",
    "missing_all",
    "implausible",
    "fill_rate",
    "fill_rate_in_scope",
    "score",
    "category",
    "category_label",
    "previous_period",
    "previous_score",
    "previous_category",
    "warning",
    "periods",
    "trend",
    "samples",
]

VALIDATIONS_DDL = """
create schema if not exists quality;
create table if not exists quality.element_validations (
    element_id varchar, table_name varchar, period varchar, period_end date, rows bigint, in_scope bigint,
    missing bigint, missing_all bigint, implausible bigint, fill_rate double, fill_rate_in_scope double, score double,
    category varchar, samples varchar, fingerprint varchar, validated_at timestamp);
create or replace view quality.element_periods as
    select * exclude (fingerprint) from quality.element_validations
    qualify row_number() over (partition by element_id, period order by validated_at desc) = 1;
"""


def ensure_schema(con) -> None:
    con.execute(VALIDATIONS_DDL)


def done_fingerprints(con, table: str) -> dict[str, str]:
    """Batch label -> fingerprint of its latest validation."""
    return dict(
        con.execute(
            """
        select period, fingerprint from quality.element_validations where table_name = ?
        qualify row_number() over (partition by period order by validated_at desc) = 1""",
            [table],
        ).fetchall()
    )


def append_validations(con, rows: list[dict], at: dt.datetime) -> None:
    if not rows:
        return
    frame = pd.DataFrame(rows).assign(validated_at=at)  # noqa: F841 - read by DuckDB below
    con.execute("insert into quality.element_validations by name select * from frame")


def element_status(con, elements: tuple[Element, ...]) -> pd.DataFrame:
    """One row per element: its latest delivery period, the one before, the category and any warning."""
    periods = con.execute("select * from quality.element_periods order by element_id, period_end, period").df()
    grouped = {k: g for k, g in periods.groupby("element_id", sort=False)}
    questions: dict[str, list[str]] = {}
    for qid, eid, _ in load_question_elements():
        questions.setdefault(eid, []).append(qid)
    out = []
    for el in elements:
        hist = grouped.get(el.element_id)
        base = {
            "element_id": el.element_id,
            "name_nl": el.name_nl,
            "source": el.source,
            "table_name": el.table_name or None,
            "column_name": el.column_name or None,
            "required": el.required,
            "recorded": el.recorded,
            "exclusion": el.exclusion or None,
            "exclusion_reason": el.exclusion_reason or None,
            "questions": " ".join(questions.get(el.element_id, [])),
        }
        if hist is None or hist.empty:
            cat = classify(None, el.required, bool(el.exclusion), el.recorded)
            out.append(base | {"category": cat, "trend": "[]", "samples": "[]", "periods": 0})
            continue
        last = hist.iloc[-1]
        prev = hist.iloc[-2] if len(hist) > 1 else None
        warning = dip(
            None if prev is None else (prev["category"], _num(prev["score"])), (last["category"], _num(last["score"]))
        )
        out.append(
            base
            | {
                "period": last["period"],
                "period_end": last["period_end"],
                "rows": int(last["rows"]),
                "in_scope": int(last["in_scope"]),
                "missing": int(last["missing"]),
                "missing_all": int(last["missing_all"]),
                "implausible": int(last["implausible"]),
                "fill_rate": _num(last["fill_rate"]),
                "fill_rate_in_scope": _num(last["fill_rate_in_scope"]),
                "score": _num(last["score"]),
                "category": last["category"],
                "previous_period": None if prev is None else prev["period"],
                "previous_score": None if prev is None else _num(prev["score"]),
                "previous_category": None if prev is None else prev["category"],
                "warning": warning,
                "periods": len(hist),
                "trend": json.dumps([[p, _num(r)] for p, r in hist[["period", "score"]].tail(TREND_PERIODS).values]),
                "samples": last["samples"],
            }
        )
    frame = pd.DataFrame(out).reindex(columns=STATUS_COLUMNS)  # the same columns before any history exists
    frame["category_label"] = frame["category"].map(CATEGORIES)
    return frame


def question_feasibility(con, status: pd.DataFrame) -> pd.DataFrame:
    """Bijlage 2 category per question, rolled up from the current category of its elements."""
    questions = con.execute("select question_id, law, text_nl from ref.question_catalogue").df()
    by_id = status.set_index("element_id")
    links: dict[str, list[tuple[str, str, str]]] = {}
    for qid, eid, role in load_question_elements():
        links.setdefault(qid, []).append((by_id.at[eid, "name_nl"], role, by_id.at[eid, "category"]))
    rows = []
    for q in questions.itertuples():
        els = links.get(q.question_id, [])
        verdict, reason = feasibility(els)
        counts = {c: sum(1 for _, _, cat in els if cat == c) for c in "abcde"}
        rows.append(
            {
                "question_id": q.question_id,
                "law": q.law,
                "text_nl": q.text_nl,
                "feasibility": verdict,
                "feasibility_label": FEASIBILITY[verdict],
                "reason": reason,
                "core_elements": sum(1 for _, r, _ in els if r == "kern"),
                "cross_section_elements": sum(1 for _, r, _ in els if r == "doorsnede"),
                **{f"elements_{c}": n for c, n in counts.items()},
            }
        )
    return pd.DataFrame(rows)


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
