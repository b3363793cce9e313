"""The question explorer: any question of the municipality's catalogue, in any period, cross-section
and member that ``marts.question_answers`` holds, as one report ``Section`` the portal draws and
offers as CSV and Excel.

Two views, as a policy adviser asks them: *how did it go over time* (the total, or one member, per
period) and *how is it divided* (every member of a cross-section in one period, with the total as the
last row). The figures are question_answers' own, converted only for display (euros to cents for the
money format, percentages to shares); the CSV keeps them as question_answers has them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from orchestration.lib.dutch import FINANCING, MONTHS
from orchestration.programming.inputs import PGB_PROVIDER
from orchestration.reports.document import Chart, Section
from orchestration.reports.stamkaart import STATUS_NAMES, unit_name

# question_answers.unit -> the report column kind (document.KINDS); counts of people are suppressed externally
COUNT_UNITS = frozenset(
    {
        "allocations",
        "clients",
        "clients_multiple",
        "clients_single",
        "contacts",
        "count",
        "open_outside_term",
        "outside_term",
        "processes",
        "referrals",
        "trajectories",
        "within_term",
    }
)
MONEY_UNITS = frozenset({"euro", "euro_per_care_month"})
# one row per (pseudonymised) client: never outside the organisation
INTERNAL_CROSS_SECTIONS = frozenset({"rank"})
GENDER = {"0": "onbekend", "1": "man", "2": "vrouw", "9": "niet gespecificeerd"}
PERIOD_TYPES = {"month": "per maand", "quarter": "per kwartaal", "year": "per jaar"}


def kind_of(unit: str) -> str:
    if unit in COUNT_UNITS:
        return "count"
    if unit in MONEY_UNITS:
        return "money"
    if unit == "percent":
        return "pct"
    return "num"


def display_value(value, unit: str):
    """question_answers' value in the unit the report formats expect: euros as cents, percent as a share."""
    if value is None or pd.isna(value):
        return None
    if unit in MONEY_UNITS:
        return round(float(value) * 100)
    if unit == "percent":
        return float(value) / 100
    return value


def period_name(period_type: str, start) -> str:
    """'oktober 2026', '2026-K3', '2026'."""
    d = pd.Timestamp(start)
    if period_type == "month":
        return f"{MONTHS[d.month - 1]} {d.year}"
    if period_type == "quarter":
        return f"{d.year}-K{(d.month - 1) // 3 + 1}"
    return str(d.year)


def completeness(is_complete, period_end, data_through) -> str:
    """'' for a complete period; else whether it is still running or its late invoices may still come."""
    if is_complete is None or pd.isna(is_complete) or is_complete:
        return ""
    if period_end is not None and data_through is not None and not pd.isna(data_through) and period_end <= data_through:
        return "voorlopig"
    return "onvolledig"


def member_labels(con, cross_section: str, law: str) -> dict[str, str]:
    """Member codes as a reader knows them: provider and wijk names, product names, category names."""
    queries = {
        "provider": "select provider_agb, provider_name from marts.dim_provider",
        "wijk": "select wijk_code, wijk_name from marts.dim_wijk",
        "product": "select distinct product_code, product_name from marts.dim_product where law = ?",
        "product_category": "select code, name from ref.ref_productcategorieen where law = ?",
        "referrer": "select code, name from ref.ref_verwijzer_types",
    }
    if cross_section == "gender":
        return dict(GENDER)
    if cross_section == "financing":
        return dict(FINANCING)
    if cross_section not in queries:
        return {}
    sql = queries[cross_section]
    rows = con.execute(sql, [law] if "?" in sql else []).fetchall()
    labels = {str(code): str(name) for code, name in rows if name is not None}
    return labels | ({PGB_PROVIDER: FINANCING["pgb"]} if cross_section == "provider" else {})


@dataclass(frozen=True)
class Choice:
    """What the reader chose; every field checked against what question_answers holds."""

    question: str
    municipality: str
    period_type: str | None
    period: dt.date | None
    cross_section: str
    member: str  # '' = every member of the cross-section in one period


@dataclass(frozen=True)
class Options:
    municipalities: list[str]
    period_types: list[str]
    periods: list[dt.date]  # of the chosen period type, newest first
    cross_sections: list[tuple[str, str]]  # (code, Dutch name)
    members: list[tuple[str, str]]  # (code, label) of the chosen cross-section


def catalogue(con) -> pd.DataFrame:
    """The municipality's catalogue with each question's status as question_answers gives it."""
    return con.execute(
        """
        with statuses as (
            select question_id, string_agg(distinct status, '|' order by status) as statuses
            from marts.question_answers group by all
        )
        select c.question_id, c.law, c.text_nl, c.unit, c.cross_sections, c.definition,
               coalesce(s.statuses, 'geen_gegevens') as statuses
        from ref.question_catalogue c left join statuses s using (question_id)
        order by c.law desc, c.question_id
    """
    ).df()


def choose(con, question: str, params: dict[str, str], external: bool) -> tuple[Choice, Options]:
    """The reader's choice made valid: an unknown or missing value falls back to a sensible default
    (the total, the newest period of the finest period type the question has)."""
    base = "from marts.question_answers where question_id = ?"
    munis = [r[0] for r in con.execute(f"select distinct municipality_code {base} order by 1", [question]).fetchall()]
    municipality = str(params.get("gemeente") if params.get("gemeente") in munis else (munis[0] if munis else ""))
    where = f"{base} and municipality_code = ?"
    args = [question, municipality]
    types = [
        r[0] for r in con.execute(f"select distinct period_type {where} and period_type is not null", args).fetchall()
    ]
    types.sort(key=list(PERIOD_TYPES).index)
    preferred = [t for t in ("quarter", *types) if t in types]  # the quarter is the steering rhythm (003)
    period_type = params.get("periodetype") if params.get("periodetype") in types else next(iter(preferred), None)
    periods = [
        r[0]
        for r in con.execute(
            f"select distinct period_start {where} and period_type = ? order by 1 desc", [*args, period_type]
        ).fetchall()
    ]
    wanted = _date(params.get("periode"))
    period = wanted if wanted in periods else (periods[0] if periods else None)
    names = dict(con.execute("select code, name from ref.ref_doorsneden").fetchall())
    present = [r[0] for r in con.execute(f"select distinct cross_section {where}", args).fetchall()]
    if external:
        present = [c for c in present if c not in INTERNAL_CROSS_SECTIONS]
    order = list(names)
    present.sort(key=lambda c: (order.index(c) if c in order else len(order), c))
    cross_sections = [(c, names.get(c, c)) for c in present]
    default = "none" if "none" in present else (present[0] if present else "none")
    cross_section = str(params.get("doorsnede") if params.get("doorsnede") in present else default)
    law = con.execute(f"select any_value(law) {base}", [question]).fetchone()[0]
    labels = member_labels(con, cross_section, law)
    members = []
    if cross_section != "none":
        codes = [
            r[0]
            for r in con.execute(
                f"select distinct member {where} and cross_section = ? order by 1", [*args, cross_section]
            ).fetchall()
        ]
        members = [(c, labels.get(c, c)) for c in codes]
    member = params.get("lid", "") if params.get("lid", "") in {c for c, _ in members} else ""
    return (
        Choice(question, municipality, period_type, period, cross_section, member),
        Options(munis, types, periods, cross_sections, members),
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def rows(con, choice: Choice) -> pd.DataFrame:
    """question_answers' rows for the choice, as they are: the CSV download, and the table's source."""
    over_time = choice.cross_section == "none" or choice.member
    sql = """
        select question_id, municipality_code, law, period_type, period_start, period_end, data_through, is_complete,
               cross_section, member, value, unit, n_clients, status, status_reason
        from marts.question_answers
        where question_id = ? and municipality_code = ? and cross_section = ?
          and period_type is not distinct from ?
    """
    args: list = [choice.question, choice.municipality, choice.cross_section, choice.period_type]
    if over_time:
        member = "totaal" if choice.cross_section == "none" else choice.member
        sql += " and member = ? order by period_start, unit"
        args.append(member)
        return con.execute(sql, args).df()
    sql = sql.replace("and cross_section = ?", "and cross_section in (?, 'none')")
    sql += " and period_start is not distinct from ? order by cross_section = 'none', member, unit"
    return con.execute(sql, [*args, choice.period]).df()


def section(con, choice: Choice, question_text: str, frame: pd.DataFrame) -> Section:
    """The table and chart of the choice, from its rows (:func:`rows`, which the page also reads the
    status from). Over time: one row per period; divided: one row per member and the total last
    (question_answers' own total, a distinct count where the unit counts people)."""
    over_time = choice.cross_section == "none" or bool(choice.member)
    units = list(dict.fromkeys(frame["unit"])) or ["count"]
    law = frame["law"].iloc[0] if len(frame) else "wmo"
    labels = member_labels(con, choice.cross_section, law)
    key_col = "period_start" if over_time else "member"
    table = pd.DataFrame({key_col: list(dict.fromkeys(frame[key_col]))})
    if over_time:
        first = frame.drop_duplicates("period_start").set_index("period_start")
        table["label"] = [
            period_name(choice.period_type or "year", p) if p is not None and not pd.isna(p) else "zonder periode"
            for p in table["period_start"]
        ]
        table["state"] = [
            completeness(first.at[p, "is_complete"], first.at[p, "period_end"], first.at[p, "data_through"])
            for p in table["period_start"]
        ]
    else:
        body = frame[(frame["member"] != "totaal") & (frame["unit"] == units[0])]
        order = body.sort_values(["value", "member"], ascending=[False, True], na_position="last")["member"]
        members = [*order, *frame.loc[frame["member"] != "totaal", "member"]]
        table = pd.DataFrame({"member": [*dict.fromkeys(members), "totaal"]})  # largest first, the total last
        table["label"] = [("Totaal" if m == "totaal" else labels.get(m, m)) for m in table["member"]]
    kinds = {"label": "text"}
    column_labels = {"label": "periode" if over_time else dict_name(choice.cross_section, con)}
    for i, unit in enumerate(units):
        values = frame[frame["unit"] == unit].set_index(key_col)["value"]
        col = f"value_{i}"
        table[col] = [display_value(values.get(k), unit) for k in table[key_col]]
        kinds[col] = kind_of(unit)
        column_labels[col] = unit_name(unit)
    n_clients = frame.groupby(key_col, dropna=False)["n_clients"].max()
    table["n_clients"] = [n_clients.get(k) for k in table[key_col]]
    has_clients = table["n_clients"].notna().any()
    same = units == ["clients"] and (table["n_clients"].fillna(-1) == table["value_0"].fillna(-1)).all()
    if has_clients and not same:  # a count of clients is its own base: no second column saying the same
        kinds["n_clients"] = "count"
        column_labels["n_clients"] = "cliënten (basis)"
    if over_time:
        kinds["state"] = "text"
        column_labels["state"] = "periode compleet?"
        table["state"] = table["state"].replace({"": "ja"})
    chart = (
        Chart(
            "line" if over_time else "bar",
            "label",
            [c for c in kinds if c.startswith("value_")],
            question_text,
            money=kinds.get("value_0") == "money",
        )
        if len(table) > (0 if over_time else 1)
        else None
    )
    derived = {c: "n_clients" for c, k in kinds.items() if c.startswith("value_") and k != "count"}
    derived = derived if "n_clients" in kinds else {}
    return Section(
        f"{choice.question}: {question_text}",
        table,
        kinds,
        column_labels,
        chart=chart,
        total_row=not over_time,
        derived=derived,
        key="antwoord",
    )


def dict_name(cross_section: str, con) -> str:
    row = con.execute("select name from ref.ref_doorsneden where code = ?", [cross_section]).fetchone()
    return row[0] if row else cross_section


def status_lines(frame: pd.DataFrame) -> list[str]:
    """The status of what is shown, in Dutch, with the reason question_answers gives."""
    seen = frame[["status", "status_reason"]].drop_duplicates()
    return [
        STATUS_NAMES.get(s, s) + ("" if r is None or pd.isna(r) else f": {r}")
        for s, r in zip(seen["status"], seen["status_reason"], strict=True)
    ]
