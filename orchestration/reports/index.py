"""The entry to every report: ``reports/index.html`` lists each product and period with its internal
and external versions, and the stamkaarten, the data-quality report and the dbt docs; ``perioden.js``
beside it tells each report page which periods exist, for its previous and next links.

Both are read from the reports folder itself, not from a list kept elsewhere, so they show what is
on disk: a period rendered again by hand, or removed, is listed as it is. Rewritten (atomically)
after every report run; a few milliseconds, so it is simply done every time.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from pathlib import Path

from orchestration.lib.config import Settings

from .document import SYNTHETIC_LABEL, version

# (folder, Dutch name, what it is for, period word); the order the index shows them in
PRODUCTS = (
    (
        "budgethouder",
        "Budgethoudersrapportage",
        "Maandelijks, per wet: realisatie tegen begroting en programma, verwachting voor het jaareinde, signalen.",
        "Maand",
    ),
    ("voortgang", "Voortgangsrapportage", "Per kwartaal, per wet: voor directie en wethouder.", "Kwartaal"),
    (
        "aanbieders",
        "Kwartaaloverzicht aanbieders",
        "Per kwartaal, per afdeling: een overzicht en een pagina per aanbieder, voor contractmanagement.",
        "Kwartaal",
    ),
    (
        "wijken",
        "Wijkrapportage",
        "Per kwartaal: cliënten per 1.000 inwoners, eerste lijn en ijkpunten per wijk.",
        "Kwartaal",
    ),
)
LAW_NAMES = {"wmo": "Wmo", "jeugd": "Jeugd"}
MODES = ("intern", "extern")


def editions(root: Path) -> dict[str, dict[str, list[str]]]:
    """product -> edition path below the period ('wmo/intern', 'intern') -> its periods, oldest first.
    Only editions with a page: ``<period>/[<law>/]<mode>/index.html``. The globs stop at that depth, so the
    thousands of provider pages below an edition (reached from its index) are never walked."""
    found: dict[str, dict[str, set[str]]] = {}
    for product, *_ in PRODUCTS:
        for pattern in ("*/*/index.html", "*/*/*/index.html"):
            for page in (root / product).glob(pattern):
                parts = page.parent.relative_to(root / product).parts
                if parts[-1] in MODES:
                    found.setdefault(product, {}).setdefault("/".join(parts[1:]), set()).add(parts[0])
    return {p: {rest: sorted(periods) for rest, periods in sorted(e.items())} for p, e in found.items()}


def _label(rest: str) -> str:
    parts = rest.split("/")
    law = LAW_NAMES.get(parts[0], "") if len(parts) > 1 else ""
    return f"{law} {parts[-1]}".strip()


def _product_table(product: str, found: dict[str, list[str]], period_word: str) -> str:
    e = html.escape
    columns = sorted(found, key=lambda r: (r.split("/")[0] != "wmo", r.split("/")[-1] != "intern"))
    periods = sorted({p for ps in found.values() for p in ps}, reverse=True)
    head = "".join(f"<th>{e(_label(c))}</th>" for c in columns)
    rows = "".join(
        f"<tr><td>{e(period)}</td>"
        + "".join(
            f'<td><a href="{e(product)}/{e(period)}/{e(c)}/index.html">openen</a> · '
            f'<a href="{e(product)}/{e(period)}/{e(c)}/tabellen.xlsx">Excel</a></td>'
            if period in found[c]
            else "<td>-</td>"
            for c in columns
        )
        + "</tr>"
        for period in periods
    )
    return f'<table data-product="{e(product)}"><tr><th>{e(period_word)}</th>{head}</tr>{rows}</table>'


def render_index(root: Path, banner: str | None, dbt_docs: Path | None) -> str:
    e = html.escape
    found = editions(root)
    blocks = []
    for product, name, purpose, period_word in PRODUCTS:
        body = _product_table(product, found[product], period_word) if product in found else "<p>Nog niet gemaakt.</p>"
        blocks.append(f'<section id="{e(product)}"><h2>{e(name)}</h2><p>{e(purpose)}</p>{body}</section>')
    other = [
        ("stamkaarten/index.html", "Stamkaarten", "één pagina per informatievraag: definitie, status, doorsneden"),
        ("datakwaliteit/index.html", "Datakwaliteitsrapport", "wat aandacht vraagt, per data-element en levering"),
        ("budget_by_year.csv", "Begroting per jaar (CSV)", "de begroting per jaar en wet"),
    ]
    items = [
        f'<li><a href="{e(href)}">{e(label)}</a>: {e(what)}</li>'
        for href, label, what in other
        if (root / href).exists()
    ]
    if dbt_docs is not None and (dbt_docs / "index.html").exists():
        href = Path(os.path.relpath(dbt_docs / "index.html", root)).as_posix()
        items.append(f'<li><a href="{e(href)}">dbt-documentatie</a>: elk model en elke kolom, met de herkomst</li>')
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>grip: rapporten</title>
<style>body{{font-family:sans-serif;max-width:64rem;margin:1.5rem auto;color:#222}}
.banner{{background:#b00020;color:#fff;padding:.4rem .8rem;font-weight:bold}}
table{{border-collapse:collapse;font-size:.9rem}}
td,th{{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left}}
footer{{margin-top:2rem;color:#555;font-size:.8rem}}</style></head><body>
{f'<div class="banner">{e(banner)}</div>' if banner else ""}
<h1>Rapporten</h1>
<p>Elke rapportage bestaat in twee versies: <b>intern</b> met exacte aantallen, en <b>extern</b>, waarin kleine
aantallen zijn onderdrukt, om buiten de organisatie te delen.</p>
<ul>{"".join(items)}</ul>
{"".join(blocks)}
<footer>Bijgewerkt op {dt.date.today():%d-%m-%Y}; grip {e(version())}.</footer>
</body></html>
"""


def _replace(path: Path, text: str) -> None:
    """Write beside, then rename: a reader (or a second report run) never sees half a file. An unchanged
    file is left alone, so a night that changes nothing rewrites nothing."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_index(s: Settings) -> Path:
    """``index.html`` and ``perioden.js`` in the reports folder; called by every asset that writes there."""
    root = s.reports_dir
    root.mkdir(parents=True, exist_ok=True)
    _replace(root / "perioden.js", "window.GRIP_PERIODEN = " + json.dumps(editions(root), indent=1) + ";\n")
    _replace(root / "index.html", render_index(root, SYNTHETIC_LABEL if s.demo else None, s.dbt_docs_dir))
    return root / "index.html"
