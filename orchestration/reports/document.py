"""One way to write every report product: sections of tables, charts drawn from those same
tables, rendered to a self-contained HTML file and an Excel workbook.

Charts are matplotlib SVG inlined in the page: no script, no network, crisp when printed
for the council. Every table cell carries its unformatted value (``data-raw``) so tests
compare the page with the marts. External mode suppresses small counts before anything
is drawn or written, so a chart can never show what a table hides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, faster, and readable by the privacy scan
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from orchestration.lib import dutch  # noqa: E402

from .suppression import SUPPRESSED, suppress  # noqa: E402

SYNTHETIC_LABEL = "SYNTHETISCHE DATA - geen echte personen"
KINDS = (
    "count",
    "money",
    "pct",
    "num",
    "int",
    "text",
)  # count: people, suppressed externally; int: any other whole number
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STYLE = """body{font-family:sans-serif;max-width:76rem;margin:1.5rem auto;color:#222;line-height:1.35}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}.sub{color:#555}
.banner{background:#b00020;color:#fff;padding:.4rem .8rem;font-weight:bold;margin-bottom:1rem}
.mode{background:#e8f0fe;padding:.3rem .8rem;margin-bottom:1rem}
.row{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
table{border-collapse:collapse;font-size:.85rem}td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:bold;border-top:2px solid #999}
figure{margin:0}figure svg{max-width:34rem;height:auto}.note{color:#555;font-size:.85rem}
nav a{margin-right:.8rem}
.stale{background:#fff4e5;border-left:4px solid #e65100;padding:.4rem .8rem;margin-bottom:1rem}"""
STALE_STYLE = ".stale{background:#fff4e5;border-left:4px solid #e65100;padding:.4rem .8rem;margin-bottom:1rem}"


def stale_html(lines: list[str]) -> str:
    """The line every report, stamkaart and the data-quality report prints for each part of the
    nightly that is not current (orchestration/lib/parts.py), so a reader knows what to distrust."""
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return (
        f'<div class="stale" data-stale="{len(lines)}"><strong>Niet alles is bijgewerkt.</strong><ul>{items}</ul></div>'
    )


def fmt(value, kind: str) -> str:
    if isinstance(value, str) and value == SUPPRESSED:
        return "x"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if kind == "money":  # eurocents in, whole euros out
        return dutch.euros(value)
    if kind == "pct":  # a share in, a percentage out
        return dutch.percent(value)
    if kind in ("count", "int"):
        return dutch.number(value)
    if kind == "num":
        return dutch.number(value, 1)
    return str(value)


@dataclass
class Chart:
    kind: str  # "line" or "bar"
    x: str
    y: list[str]
    title: str
    money: bool = False


@dataclass
class Section:
    title: str
    table: pd.DataFrame
    kinds: dict[str, str]  # column -> one of KINDS; columns not listed are not shown
    labels: dict[str, str] = field(default_factory=dict)
    text: str = ""
    chart: Chart | None = None
    total_row: bool = False  # the last row holds the totals of the count columns
    internal_only: bool = False  # individual-level detail: never in an external report
    derived: dict[str, str] = field(default_factory=dict)  # column -> count column it is computed from
    key: str = ""  # an id for tests and the Excel sheet name
    links: dict[str, str] = field(default_factory=dict)  # column -> relative link, formatted with the row's values

    def __post_init__(self):
        unknown = {c: k for c, k in self.kinds.items() if k not in KINDS}
        if unknown:
            raise ValueError(f"section {self.title!r}: unknown column kinds {unknown}")


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
    nav: list[tuple[str, str]] = field(default_factory=list)  # (label, relative link)
    stale: list[str] = field(default_factory=list)  # parts of the nightly that are not current, with why


def _external(section: Section, threshold: int) -> Section | None:
    if section.internal_only:
        return None
    counts = [c for c, k in section.kinds.items() if k == "count"]
    table = suppress(section.table, counts, threshold, section.total_row, section.derived)
    return dataclasses.replace(section, table=table)


def _chart_svg(section: Section) -> str:
    chart, table = section.chart, section.table
    if section.total_row:
        table = table.iloc[:-1]
    data = table[[chart.x, *chart.y]].replace(SUPPRESSED, float("nan"))
    x = data[chart.x].astype(str)
    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
    scale = 100 if chart.money else 1
    for i, col in enumerate(chart.y):
        values = pd.to_numeric(data[col], errors="coerce") / scale
        label = section.labels.get(col, col)
        if chart.kind == "line":
            ax.plot(x, values, marker="o", markersize=3, label=label)
        else:
            width = 0.8 / len(chart.y)
            positions = [j + (i - (len(chart.y) - 1) / 2) * width for j in range(len(x))]
            ax.bar(positions, values, width=width, label=label)
    if chart.kind == "bar":
        ax.set_xticks(range(len(x)), x)
    ax.set_title(chart.title, fontsize=10)
    ax.yaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda v, _: ("€ " if chart.money else "") + dutch.number(v))
    )
    ax.tick_params(axis="x", labelrotation=45 if len(x) > 6 or x.str.len().max() > 8 else 0, labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    if len(chart.y) > 1:
        ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    return f'<figure class="chart" data-chart="{html.escape(section.key)}">{svg}</figure>'


def _table_html(section: Section) -> str:
    cols = list(section.kinds)
    head = "".join(f"<th>{html.escape(section.labels.get(c, c))}</th>" for c in cols)
    rows = []
    last = len(section.table) - 1
    for i, full in enumerate(section.table.to_dict("records")):
        cells = []
        for col in cols:
            value = full[col]
            kind = section.kinds[col]
            raw = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value
            cls = ' class="n"' if kind != "text" else ""
            title = ' title="onderdrukt: minder dan de drempel"' if value == SUPPRESSED else ""
            shown = html.escape(fmt(value, kind))
            if col in section.links and not (section.total_row and i == last):
                shown = f'<a href="{html.escape(section.links[col].format(**full))}">{shown}</a>'
            cells.append(
                f'<td{cls} data-col="{html.escape(col)}" data-kind="{kind}" data-raw="{html.escape(str(raw))}"'
                f"{title}>{shown}</td>"
            )
        total = ' class="total"' if section.total_row and i == last else ' class="body"'
        rows.append(f"<tr{total}>{''.join(cells)}</tr>")
    return (
        f'<table data-table="{html.escape(section.key)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(report: Report, banner: str | None, external_threshold: int | None) -> str:
    mode = (
        f'<div class="mode">Extern: aantallen onder {external_threshold} zijn onderdrukt (x), ook waar ze uit '
        f"een totaal af te leiden zouden zijn.</div>"
        if external_threshold
        else '<div class="mode">Intern: exacte aantallen. Niet buiten de organisatie verspreiden.</div>'
    )
    parts = [
        f'<div class="banner">{html.escape(banner)}</div>' if banner else "",
        mode,
        stale_html(report.stale),
        f'<h1>{html.escape(report.title)}</h1><p class="sub">{html.escape(report.subtitle)}</p>',
    ]
    if report.nav:
        parts.append(
            "<nav>"
            + "".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in report.nav)
            + "</nav>"
        )
    for section in report.sections:
        body = _table_html(section) if len(section.table) else '<p class="note">Geen gegevens in deze periode.</p>'
        chart = _chart_svg(section) if section.chart is not None and len(section.table) else ""
        text = f'<p class="note">{html.escape(section.text)}</p>' if section.text else ""
        parts.append(
            f'<section id="{html.escape(section.key)}"><h2>{html.escape(section.title)}</h2>{text}'
            f'<div class="row">{chart}{body}</div></section>'
        )
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>"
    )


def neutralise(value):
    """Text that Excel would read as a formula gets a leading apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_excel(path: Path, report: Report, banner: str | None) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        about = [report.title, report.subtitle] + ([banner] if banner else []) + report.stale
        pd.DataFrame({"over": about}).to_excel(writer, sheet_name="over", index=False)
        used = set()
        for i, section in enumerate(report.sections):
            name = (section.key or f"tabel{i + 1}")[:31]
            name = name if name not in used else f"{name[:28]}_{i}"
            used.add(name)
            table = section.table[list(section.kinds)].copy()
            for col, kind in section.kinds.items():
                if kind == "money":  # euros in the workbook; suppressed cells stay 'x'
                    table[col] = table[col].map(lambda v: v if v == SUPPRESSED or pd.isna(v) else round(v / 100, 2))
            table = table.map(neutralise).rename(
                columns={
                    c: section.labels.get(c, c) + (" (€)" if k == "money" else "") for c, k in section.kinds.items()
                }
            )
            table.to_excel(writer, sheet_name=name, index=False)


def _for_mode(report: Report, external_threshold: int | None) -> Report:
    if not external_threshold:
        return report
    sections = [s for s in (_external(s, external_threshold) for s in report.sections) if s is not None]
    return dataclasses.replace(report, sections=sections)


def is_current(folder: Path, report: Report, banner: str | None, external_threshold: int | None = None) -> bool:
    """Whether ``folder`` already shows this report, so that it need not be drawn again."""
    return _shows(folder, content_digest(_for_mode(report, external_threshold), banner, external_threshold))


def _shows(folder: Path, digest: str) -> bool:
    stamp = folder / CONTENT_STAMP
    return (
        (folder / "index.html").exists()
        and (folder / "tabellen.xlsx").exists()
        and stamp.exists()
        and stamp.read_text() == digest
    )


def write_report(folder: Path, report: Report, banner: str | None, external_threshold: int | None = None) -> Path:
    """Write ``index.html`` and ``tabellen.xlsx`` into ``folder``; external mode suppresses first.

    A page whose content is what the folder already shows is not drawn again: after a night
    with one day of new deliveries most provider pages of the current quarter are unchanged.
    """
    report = _for_mode(report, external_threshold)
    page, book, stamp = folder / "index.html", folder / "tabellen.xlsx", folder / CONTENT_STAMP
    digest = content_digest(report, banner, external_threshold)
    if _shows(folder, digest):
        return page
    folder.mkdir(parents=True, exist_ok=True)
    page.write_text(render_html(report, banner, external_threshold), encoding="utf-8")
    write_excel(book, report, banner)
    stamp.write_text(digest)  # last: a crash before it means the next run draws the page again
    return page


CONTENT_STAMP = ".inhoud.sha256"
_CODE = Path(__file__).read_bytes()  # read once, not for each of the hundreds of pages


def content_digest(report: Report, banner: str | None, external_threshold: int | None) -> str:
    """Everything a page shows, and the code that draws it."""
    h = hashlib.sha256(_CODE)
    h.update(repr((report.title, report.subtitle, report.nav, report.stale, banner, external_threshold)).encode())
    for s in report.sections:
        h.update(
            repr(
                (s.title, s.kinds, s.labels, s.text, s.chart, s.total_row, s.internal_only, s.derived, s.key, s.links)
            ).encode()
        )
        h.update(s.table.to_csv(index=False).encode())  # the index is not shown, and follows the query's row order
    return h.hexdigest()
