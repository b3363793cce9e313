"""The stamkaart: one page per information question, as 003 §2.2 made them by hand.

Text, definition, roles, the cross-sections wanted and whether the data gives them, the
latest values, the status with its reason, and the feasibility with the quality of each data
element it rests on. Pure functions from the catalogue
row and the question's answers to HTML, so a test can read what a steward will read.
"""

from __future__ import annotations

import html

import pandas as pd

from orchestration.lib import dutch

from .document import PRINT_STYLE, STALE_STYLE, stale_html

ROLE_NAMES = {
    "beleid": "Beleid",
    "bestuur": "Bestuur",
    "management": "Management",
    "contractmanagement": "Contractmanagement",
    "bedrijfsvoering": "Bedrijfsvoering",
}
STATUS_NAMES = {
    "beantwoord": "Beantwoord",
    "beperkt": "Beantwoord, zonder de gewenste doorsneden",
    "benadering": "Benaderd (afgeleid; het registratieproces ontbreekt)",
    "onbetrouwbaar": "Beantwoord, maar niet voor elke periode betrouwbaar",
    "niet_geregistreerd": "Niet te beantwoorden: niet geregistreerd",
    "bron_niet_geleverd": "Nog niet te beantwoorden: een bron is (nog) niet geleverd",
    "geen_gegevens": "Nog niet te beantwoorden: geen gegevens",
}
PERIOD_NAMES = {"month": "maand", "quarter": "kwartaal", "year": "jaar"}
# question_answers.unit as a reader says it
UNIT_NAMES = {
    "allocations": "toewijzingen",
    "calendar_days": "kalenderdagen",
    "clients": "cliënten",
    "clients_multiple": "cliënten met meervoudige zorg",
    "clients_single": "cliënten met enkelvoudige zorg",
    "contacts": "contactmomenten",
    "count": "aantal",
    "days": "dagen",
    "euro": "euro",
    "euro_per_care_month": "euro per zorgmaand",
    "open_outside_term": "open, buiten de termijn",
    "outside_term": "buiten de termijn",
    "percent": "procent",
    "processes": "werkprocessen",
    "referrals": "verwijzingen",
    "trajectories": "trajecten",
    "units_per_care_month": "eenheden per zorgmaand",
    "weeks": "weken",
    "within_term": "binnen de termijn",
    "working_days": "werkdagen",
}
LAW_NAMES = {"wmo": "Wmo", "jeugd": "Jeugd"}


def unit_name(unit) -> str:
    return UNIT_NAMES.get(unit, unit)


def split(text) -> list[str]:
    return [] if text is None or pd.isna(text) or text in ("", "-", "none") else str(text).split("|")


def nl_number(value: float, unit: str) -> str:
    """Dutch number format: 1.234.567 and 12,3; euros with the sign in front."""
    if value is None or pd.isna(value):
        return "-"
    text = dutch.number(value, 2 if unit == "euro" else (0 if float(value).is_integer() else 1))
    return {"euro": f"€ {text}", "percent": f"{text}%"}.get(unit, text)


def nl_share(share) -> str:
    """A share (0-1) as a Dutch percentage with one decimal, '-' when unknown."""
    return "-" if share is None or pd.isna(share) else nl_number(round(100 * share, 1), "percent")


def cross_section_status(
    question: dict, answers: pd.DataFrame, names: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """(wanted and given, wanted but not in the data), by their Dutch names (ref_doorsneden). A
    cross-section whose every member is 'onbekend' is not in the data, as question_answers says."""
    names = names or {}
    wanted = split(question["cross_sections"])
    known = answers[answers["member"] != "onbekend"] if "member" in answers else answers
    given = set(known["cross_section"].dropna()) - {"none"}
    return [names.get(c, c) for c in wanted if c in given], [names.get(c, c) for c in wanted if c not in given]


def latest_values(answers: pd.DataFrame) -> pd.DataFrame:
    """The totals of the most recent period of each period type; where that period is not complete
    yet (``is_complete``), also the last complete one, so a partial quarter never stands alone."""
    totals = answers[(answers["cross_section"] == "none") & answers["period_start"].notna()]
    if totals.empty:
        return totals
    keep = totals["period_start"] == totals.groupby("period_type")["period_start"].transform("max")
    if "is_complete" in totals:
        complete = totals[totals["is_complete"].fillna(True).astype(bool)]
        last_complete = complete.groupby("period_type")["period_start"].max()
        keep |= totals["period_start"] == totals["period_type"].map(last_complete)
    return totals[keep].sort_values(["period_type", "period_start", "unit"])


def period_label(row) -> str:
    """The period's first day; a period that is not complete yet says so and how far the data reach,
    or, when it has ended but invoices for it may still arrive, that its figure is provisional."""
    label = f"{row.period_start:%d-%m-%Y}"
    complete = getattr(row, "is_complete", None)
    if complete is None or pd.isna(complete) or complete:
        return label
    period_end = getattr(row, "period_end", None)
    if period_end is not None and not pd.isna(period_end) and period_end <= row.data_through:
        return label + " (voorlopig: de factuurtermijn na deze periode loopt nog)"
    return label + f" (onvolledig: gegevens t/m {row.data_through:%d-%m-%Y})"


def statuses(answers: pd.DataFrame) -> list[tuple[str, str | None]]:
    seen = answers[["status", "status_reason"]].drop_duplicates()
    return [(s, None if pd.isna(r) else r) for s, r in zip(seen["status"], seen["status_reason"], strict=True)]


def element_rows(elements: pd.DataFrame) -> str:
    """The data elements of a question with their role, category and fill rate (quality.element_status)."""
    e = html.escape
    if elements is None or elements.empty:
        return '<tr><td colspan="5">geen</td></tr>'
    return "".join(
        f"<tr><td>{e(r.name_nl)}</td><td>{r.role if r.role in ('kern', 'pgb') else 'doorsnede'}</td>"
        f"<td class='cat-{e(r.category)}'>{e(r.category)}: {e(r.category_label)}</td>"
        f"<td class='num'>{e(nl_share(r.fill_rate))}</td>"
        f"<td>{e('' if pd.isna(r.period) else str(r.period))}</td></tr>"
        for r in elements.sort_values(["role", "element_id"], ascending=[False, True]).itertuples()
    )


NO_ROWS = '<tr><td colspan="4">geen</td></tr>'


def render_card(
    question: dict,
    answers: pd.DataFrame,
    banner: str | None = None,
    elements: pd.DataFrame | None = None,
    feasibility: dict | None = None,
    stale: list[str] | None = None,
    section_names: dict[str, str] | None = None,
    colophon: str = "",
) -> str:
    e = html.escape
    given, missing = cross_section_status(question, answers, section_names)
    rows = "".join(
        f"<tr><td>{e(PERIOD_NAMES.get(r.period_type, r.period_type))}</td><td>{e(period_label(r))}</td>"
        f"<td>{e(unit_name(r.unit))}</td><td class='num'>{e(nl_number(r.value, r.unit))}</td></tr>"
        for r in latest_values(answers).itertuples()
    )
    status_items = "".join(
        f"<li><b>{e(STATUS_NAMES.get(s, s))}</b>{': ' + e(r) if r else ''}</li>" for s, r in statuses(answers)
    )
    roles = ", ".join(ROLE_NAMES.get(r, r) for r in split(question["roles"]))
    verdict = (
        f"<p class='feasibility'><b>{e(feasibility['feasibility_label'])}</b>: {e(feasibility['reason'])}</p>"
        if feasibility
        else ""
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Stamkaart {e(question["question_id"])}</title>
<style>body{{font-family:sans-serif;max-width:52rem;margin:2rem auto;color:#222}}
.banner{{background:#b00020;color:#fff;padding:.5rem 1rem;font-weight:bold}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .5rem}}.num{{text-align:right}}
{STALE_STYLE}{PRINT_STYLE}</style>
</head><body>
{f'<div class="banner">{e(banner)}</div>' if banner else ""}
{stale_html(stale or [])}
<nav><a href="index.html">Alle informatievragen</a> · <a href="../index.html">Alle rapporten</a></nav>
<h1>{e(question["question_id"])}: {e(question["text_nl"])}</h1>
<p>{e(question["definition"])}</p>
<dl><dt>Wet</dt><dd>{e(LAW_NAMES.get(question["law"], question["law"]))}</dd><dt>Rollen</dt><dd>{e(roles)}</dd>
<dt>Eenheid</dt><dd>{e(unit_name(question["unit"]))}</dd></dl>
<h2>Status</h2><ul class="status">{status_items}</ul>
<h2>Doorsneden</h2>
<p>Beschikbaar: {e(", ".join(given) or "geen")}</p>
<p>Gewenst maar niet in de data: {e(", ".join(missing) or "geen")}</p>
<h2>Haalbaarheid en datakwaliteit</h2>{verdict}
<table class="elements"><tr><th>Data-element</th><th>Rol</th><th>Categorie</th><th>Vulgraad</th><th>Periode</th></tr>
{element_rows(elements)}</table>
<p><a href="../datakwaliteit/index.html">Datakwaliteitsrapport</a></p>
<h2>Laatste waarden (totaal)</h2>
<table><tr><th>Periode</th><th>Begin</th><th>Eenheid</th><th>Waarde</th></tr>{rows or NO_ROWS}</table>
<footer class="colofon">{e(colophon)}</footer>
</body></html>
"""


def render_index(
    catalogue: pd.DataFrame,
    answers: pd.DataFrame,
    banner: str | None = None,
    stale: list[str] | None = None,
    colophon: str = "",
) -> str:
    e = html.escape
    status = answers.groupby("question_id")["status"].agg(
        lambda s: "; ".join(STATUS_NAMES.get(code, code) for code in sorted(set(s)))
    )
    rows = "".join(
        f"<tr><td><a href='{e(q.question_id)}.html'>{e(q.question_id)}</a></td><td>{e(q.text_nl)}</td>"
        f"<td>{e(status.get(q.question_id, ''))}</td></tr>"
        for q in catalogue.itertuples()
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Stamkaarten</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}
.banner{{background:#b00020;color:#fff;padding:.5rem 1rem;font-weight:bold}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .5rem}}
{STALE_STYLE}{PRINT_STYLE}</style></head><body>
{f'<div class="banner">{e(banner)}</div>' if banner else ""}
{stale_html(stale or [])}
<nav><a href="../index.html">Alle rapporten</a> · <a href="../datakwaliteit/index.html">Datakwaliteit</a></nav>
<h1>Stamkaarten: {len(catalogue)} informatievragen</h1>
<table><tr><th>Vraag</th><th>Tekst</th><th>Status</th></tr>{rows}</table>
<footer class="colofon">{e(colophon)}</footer></body></html>
"""
