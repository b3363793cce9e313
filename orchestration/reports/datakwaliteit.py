"""The nightly data-quality report for data stewards (Dutch): questions, elements, deliveries.

Pure functions from the quality tables to one self-contained HTML page, so a test reads what a
steward reads. Failing records are shown by pseudonymous key, file and line only. Table and column
names are marked ``class="tech"``: identifiers a steward needs to find the data, not words to translate.
"""

from __future__ import annotations

import html
import json

import pandas as pd

from orchestration.quality.classify import CATEGORIES, FEASIBILITY

from . import messages
from .document import PRINT_STYLE, STALE_STYLE, stale_html, version
from .stamkaart import nl_share

STYLE = """body{font-family:sans-serif;max-width:72rem;margin:2rem auto;color:#222}
.banner{background:#b00020;color:#fff;padding:.5rem 1rem;font-weight:bold}
.wide{overflow-x:auto}td{overflow-wrap:anywhere}nav a{margin-right:.8rem}
.actie{border-left:4px solid #b00020;padding:.2rem 1rem;background:#fdf3f2}
table{border-collapse:collapse;margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
.num{text-align:right}.cat-a{background:#e6f4ea}.cat-b{background:#fef7e0}.cat-c,.cat-d{background:#eee}
.cat-e{background:#fce8e6}.warn{color:#b00020;font-weight:bold}small{color:#555}"""


def refusals(con) -> pd.DataFrame:
    """Every delivery refused at the door and every row rejected in one that was loaded: file (and line),
    status, rule and the parser's message. The report lists them; the portal counts them."""
    return con.execute("""
        select file, status, coalesce(reason, '') as rule, '' as message from raw.ingest_log
        where status not in ('loaded', 'replaced')
        union all
        select file || ' regel ' || line, 'regel afgekeurd', rule, message from raw.rejected_rows
        order by 1""").df()


def missing_sources(con) -> list[tuple[str, str, str]]:
    """(table, feed, source) of every feed the municipality has not delivered (yet)."""
    return con.execute(
        "select table_name, feed, source from intermediate.int_feed_deliveries where not is_delivered order by 1"
    ).fetchall()


def sparkline(trend_json: str, width: int = 120, height: int = 24) -> str:
    """The score per delivery period as a small inline SVG line (0-100%)."""
    points = [(p, s) for p, s in json.loads(trend_json or "[]") if s is not None]
    if len(points) < 2:
        return ""
    step = width / (len(points) - 1)
    coords = " ".join(f"{i * step:.1f},{height - s * height:.1f}" for i, (_, s) in enumerate(points))
    title = html.escape(", ".join(f"{p}: {nl_share(s)}" for p, s in points))
    return (
        f'<svg width="{width}" height="{height}" role="img"><title>{title}</title>'
        f'<polyline fill="none" stroke="#1a73e8" stroke-width="1.5" points="{coords}"/></svg>'
    )


def _samples(samples_json: str) -> str:
    rows = json.loads(samples_json or "[]")
    return "<br>".join(html.escape(", ".join(f"{k}={v}" for k, v in r.items())) for r in rows[:3])


def _technical(delivery) -> str:
    """The original message, for the tooltip: what an engineer needs to find the fault in the file."""
    return f"{delivery.rule}: {delivery.message}" if delivery.message else str(delivery.rule)


def render_report(
    status: pd.DataFrame,
    feasibility: pd.DataFrame,
    deliveries: pd.DataFrame,
    generated: str,
    banner: str | None = None,
    data_docs: str | None = None,
    stale: list[str] | None = None,
    missing_sources: list[str] | None = None,
) -> str:
    e = html.escape
    cat_counts = status["category"].value_counts()
    feas_counts = feasibility["feasibility"].value_counts()
    summary = "".join(
        f"<tr class='cat-{c}'><td>{c}</td><td>{e(label)}</td><td class='num'>{int(cat_counts.get(c, 0))}</td></tr>"
        for c, label in CATEGORIES.items()
    )
    feas_summary = "".join(
        f"<tr><td>{e(label)}</td><td class='num'>{int(feas_counts.get(k, 0))}</td></tr>"
        for k, label in FEASIBILITY.items()
    )
    questions = "".join(
        f"<tr><td><a href='../stamkaarten/{e(q.question_id)}.html'>{e(q.question_id)}</a></td><td>{e(q.text_nl)}</td>"
        f"<td>{e(q.feasibility_label)}</td><td>{e(q.reason)}</td></tr>"
        for q in feasibility.itertuples()
    )
    elements = []
    for r in status.sort_values(["source", "element_id"]).itertuples():
        excluded = (
            ""
            if pd.isna(r.exclusion_reason)
            else (
                f"{e(r.exclusion_reason)}"
                + ("" if pd.isna(r.rows) else f" <small>({int(r.rows - r.in_scope)} rijen uitgesloten)</small>")
            )
        )
        counts = (
            ""
            if pd.isna(r.rows)
            else (f"{int(r.rows)} rijen, {int(r.missing)} leeg, {int(r.implausible)} niet plausibel")
        )
        warning = "" if pd.isna(r.warning) else f"<span class='warn'>{e(r.warning)}</span>"
        elements.append(
            f"<tr class='cat-{e(r.category)}'><td>{e(r.name_nl)}<br><small class='tech'>{e(r.element_id)} · "
            f"{e('' if pd.isna(r.table_name) else r.table_name)}.{e('' if pd.isna(r.column_name) else r.column_name)}"
            f"</small></td><td>{e(r.category)}</td><td class='num'>{nl_share(r.score)}</td>"
            f"<td>{e('' if pd.isna(r.period) else str(r.period))}<br>{sparkline(r.trend)}</td>"
            f"<td>{counts}<br>{warning}</td><td>{excluded}</td>"
            f"<td><small class='tech'>{_samples(r.samples)}</small></td></tr>"
        )
    delivery_rows = (
        "".join(
            f"<tr><td>{e(str(d.file))}</td><td>{e(messages.status(str(d.status)))}</td>"
            f"<td title='{e(_technical(d))}'>{e(messages.reason(str(d.rule), str(d.message)))}</td></tr>"
            for d in deliveries.itertuples()
        )
        or "<tr><td colspan='3'>geen</td></tr>"
    )
    warnings = status[status["warning"].notna() | (status["category"] == "e")].sort_values("element_id")
    warning_items = "".join(
        f"<li>{e(r.name_nl)} ({e(r.element_id)}): "
        f"{e(r.warning) if not pd.isna(r.warning) else e(CATEGORIES.get(r.category, r.category))}</li>"
        for r in warnings.itertuples()
    )
    action = (
        "<section class='actie' id='actie'><h2>Wat aandacht vraagt</h2>"
        + (
            "<h3>Bronnen die (nog) niet geleverd zijn</h3><p>Deze bronnen hebben nog nooit een aanlevering gedaan; de "
            "vragen die erop rusten hebben de status 'bron niet geleverd'.</p><ul>"
            + "".join(f"<li>{e(m)}</li>" for m in missing_sources)
            + "</ul>"
            if missing_sources
            else ""
        )
        + f"<h3>Geweigerde aanleveringen en regels ({len(deliveries)})</h3>"
        "<p>Vraag de leverancier om een nieuwe aanlevering; de technische melding staat bij de reden (wijs aan).</p>"
        f"<div class='wide'><table><tr><th>Bestand</th><th>Status</th><th>Reden</th></tr>{delivery_rows}</table></div>"
        + f"<h3>Data-elementen met een signaal ({len(warnings)})</h3>"
        + (f"<ul>{warning_items}</ul>" if warning_items else "<p>Geen.</p>")
        + "</section>"
    )
    docs = (
        f"<p>Details per verwachting: <a href='{e(data_docs)}'>Great Expectations Data Docs</a>.</p>"
        if data_docs
        else ""
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Datakwaliteit</title>
<style>{STYLE}{STALE_STYLE}{PRINT_STYLE}</style></head><body>
{f'<div class="banner">{e(banner)}</div>' if banner else ""}
{stale_html(stale or [])}
<nav><a href="../index.html">Alle rapporten</a><a href="../stamkaarten/index.html">Stamkaarten</a>
<a href="#elementen">Data-elementen</a></nav>
<h1>Datakwaliteit sociaal domein</h1>
<p>Gemaakt op {e(generated)}; grip {e(version())}. Methode: 003 §2.2.2. Per data-element de laatste aanleverperiode:
het aandeel plausibel gevulde waarden (na exclusiecriteria), het verloop, de categorie en een paar afwijkende
records (pseudoniem). Eerst wat aandacht vraagt.</p>
{action}
{docs}
<h2>Samenvatting</h2>
<table><tr><th colspan="2">Categorie data-element</th><th>Aantal</th></tr>{summary}</table>
<table><tr><th>Haalbaarheid informatievraag</th><th>Aantal</th></tr>{feas_summary}</table>
<h2>Informatievragen</h2>
<table><tr><th>Vraag</th><th>Tekst</th><th>Haalbaarheid</th><th>Waarom</th></tr>{questions}</table>
<h2 id="elementen">Data-elementen</h2>
<div class="wide"><table><tr><th>Data-element</th><th>Cat.</th><th>Score</th><th>Periode en verloop</th>
<th>Telling</th><th>Exclusiecriteria</th><th>Voorbeelden</th></tr>{"".join(elements)}</table></div>
</body></html>
"""
