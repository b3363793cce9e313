"""One way to write every report product: sections of tables, charts drawn from those same
tables, rendered to a self-contained HTML file and an Excel workbook.

The page skeleton and its style are files people may edit (``reports/templates/rapport.html.j2``
and ``stijl.css``, under GRIP_REPORT_CONTENT_DIR), rendered with Jinja2 (autoescaping on); the
tables and charts inside are drawn here, so a template cannot change a figure.

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
import jinja2  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from orchestration.lib import dutch  # noqa: E402
from orchestration.lib.config import report_content_dir  # noqa: E402

from .suppression import SUPPRESSED, suppress  # noqa: E402

# CommonMark without raw HTML: what an analyst writes is shown, never executed (markdown-it-py escapes it)
MARKDOWN = MarkdownIt("commonmark", {"html": False})
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
    prose: str = ""  # instead of a table: Markdown a person wrote (the analyst's commentary), HTML escaped

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


def _templates() -> tuple[jinja2.Template, str, bytes]:
    """The page template and the style from GRIP_REPORT_CONTENT_DIR/templates, and their bytes for the
    content stamp (an edited template draws every page again)."""
    folder = report_content_dir() / "templates"
    page, style = (folder / "rapport.html.j2").read_text(encoding="utf-8"), (folder / "stijl.css").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(page), style, (page + style).encode()


def render_html(report: Report, banner: str | None, external_threshold: int | None) -> str:
    template, style, _ = _templates()
    sections = []
    for section in report.sections:
        if section.prose:
            body = f'<div class="toelichting">{MARKDOWN.render(section.prose)}</div>'
        elif len(section.table):
            body = _table_html(section)
        else:
            body = '<p class="note">Geen gegevens in deze periode.</p>'
        chart = _chart_svg(section) if section.chart is not None and len(section.table) else ""
        sections.append(
            {
                "title": section.title,
                "key": section.key,
                "text": section.text,
                "body": Markup(body),
                "chart": Markup(chart),
            }
        )
    return template.render(
        report=report,
        banner=banner,
        external_threshold=external_threshold,
        stale=Markup(stale_html(report.stale)),
        sections=sections,
        style=Markup(style),
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
            if section.prose:  # commentary: its text, one paragraph per row
                pd.DataFrame({section.title: section.prose.strip().split("\n\n")}).map(neutralise).to_excel(
                    writer, sheet_name=name, index=False
                )
                continue
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
    h.update(_templates()[2])
    h.update(repr((report.title, report.subtitle, report.nav, report.stale, banner, external_threshold)).encode())
    for s in report.sections:
        h.update(
            repr(
                (
                    s.title,
                    s.kinds,
                    s.labels,
                    s.text,
                    s.chart,
                    s.total_row,
                    s.internal_only,
                    s.derived,
                    s.key,
                    s.links,
                    s.prose,
                )
            ).encode()
        )
        h.update(s.table.to_csv(index=False).encode())  # the index is not shown, and follows the query's row order
    return h.hexdigest()
