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
import datetime as dt
import functools
import hashlib
import html
import importlib.metadata
import io
import json
import textwrap
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

from .excel import write_workbook  # noqa: E402
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
LINE_STYLES = ("-", "--", ":", "-.")  # lines that overlap stay apart, also in black and white
STALE_STYLE = ".stale{background:#fff4e5;border-left:4px solid #e65100;padding:.4rem .8rem;margin-bottom:1rem}"
# the stamkaarten and the data-quality report carry their own small style; printed, they lose navigation and width
PRINT_STYLE = (
    "@media print{body{max-width:none;margin:0;font-size:10pt}nav,input.zoek{display:none}"
    "h2{break-after:avoid}tr{break-inside:avoid}a{color:inherit;text-decoration:none}"
    ".banner{border:1px solid #000}.wide{overflow:visible}}"
)


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
    key: str = ""  # an id for tests and the page anchor
    links: dict[str, str] = field(default_factory=dict)  # column -> relative link, formatted with the row's values
    prose: str = ""  # instead of a table: Markdown a person wrote (the analyst's commentary), HTML escaped
    questions: tuple[str, ...] = ()  # the information questions the section shows: linked to their stamkaarten

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
    data_through: dt.date | None = None  # the last day the deliveries cover (colophon)
    guide: str = ""  # "Hoe lees ik dit": the methods in plain words, Markdown (reports/uitleg/<product>.md)


@dataclass(frozen=True)
class Place:
    """Where a page sits under the reports folder, ``<product>/<period>/<rest>``: what its links need.
    The previous and next period are looked up in the browser from ``perioden.js`` (written by
    ``reports/index.py`` after every run), so a page drawn once still links to a period drawn later."""

    product: str
    period: str
    rest: str  # the path below the period folder, e.g. "wmo/intern"
    depth: int  # folders between the reports folder and the page

    @classmethod
    def of(cls, folder: Path, root: Path) -> Place | None:
        try:
            parts = folder.resolve().relative_to(root.resolve()).parts
        except ValueError:
            return None
        if len(parts) < 2:
            return None
        return cls(parts[0], parts[1], "/".join(parts[2:]), len(parts))

    @property
    def home(self) -> str:
        return "../" * self.depth

    @property
    def external(self) -> bool:
        return "extern" in self.rest.split("/")


@functools.cache  # the installed version does not change while a process runs; reading it parses metadata
def version() -> str:
    try:
        return importlib.metadata.version("grip")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that was not installed
        return "onbekend"


def colophon(data_through: dt.date | None) -> str:
    """Made when, from data through which day, by which grip: on every page and in every workbook."""
    through = f"{data_through:%d-%m-%Y}" if data_through else "onbekend"
    return f"Gemaakt op {dt.date.today():%d-%m-%Y}; gegevens t/m {through}; grip {version()}."


def links(report: Report, place: Place | None) -> list[tuple[str, str]]:
    """The page's navigation: the report's own links, its workbook, the index of every report, the
    stamkaarten and (internal version only) the data-quality report. External versions travel outside
    the organisation, so they never point at internal pages."""
    out = [*report.nav, ("Tabellen (Excel)", "tabellen.xlsx")]
    if place is not None:
        out.append(("Alle rapporten", f"{place.home}index.html"))
        out.append(("Stamkaarten", f"{place.home}stamkaarten/index.html"))
        if not place.external:
            out.append(("Datakwaliteit", f"{place.home}datakwaliteit/index.html"))
    return out


def for_external(section: Section, threshold: int) -> Section | None:
    if section.internal_only:
        return None
    counts = [c for c, k in section.kinds.items() if k == "count"]
    table = suppress(section.table, counts, threshold, section.total_row, section.derived)
    return dataclasses.replace(section, table=table)


def _horizontal(chart: Chart, x: pd.Series) -> bool:
    """Bars with long or many labels lie down: a rotated label of 40 characters squashes the plot."""
    return chart.kind == "bar" and (x.str.len().max() > 12 or len(x) > 12)


def chart_description(section: Section) -> str:
    """The chart in words, for screen readers and for whoever prints in black and white."""
    chart = section.chart
    series = ", ".join(section.labels.get(c, c) for c in chart.y)
    shape = "lijngrafiek" if chart.kind == "line" else "staafgrafiek"
    return (
        f"{chart.title}: {shape} van {series} per {section.labels.get(chart.x, chart.x).lower()}; "
        "de waarden staan in de tabel hieronder."
    )


def _chart_data(section: Section) -> pd.DataFrame:
    table = section.table.iloc[:-1] if section.total_row else section.table
    return table[[section.chart.x, *section.chart.y]].replace(SUPPRESSED, float("nan"))


def chart_key(section: Section) -> str:
    """What a chart shows (its spec, labels and plotted values) and the code that draws it."""
    h = hashlib.sha256(_CODE + matplotlib.__version__.encode())
    h.update(repr((section.key, section.chart, chart_description(section))).encode())
    h.update(_chart_data(section).to_json(orient="split", index=False).encode())
    return h.hexdigest()


# Charts by what they show (chart_key). matplotlib's layout and drawing are most of a page's cost
# (0.15 s of 0.25 s a page at scale 1). The internal and external versions of a page show the same
# chart where suppression leaves its values alone (6 of 20 provider pages at scale 1): this process keeps
# the charts it drew last (the portal too). Every page folder keeps its charts beside it (Charts), so a
# night that moves only the date the data reach draws none.
_RECENT: dict[str, str] = {}
_RECENT_SIZE = 64


def chart_svg(section: Section, key: str | None = None) -> str:
    """The chart of a section as an inline SVG figure, drawn once per content in this process."""
    key = key or chart_key(section)
    svg = _RECENT.pop(key, None) or _draw_chart(section)
    _RECENT[key] = svg  # most recent last
    while len(_RECENT) > _RECENT_SIZE:
        del _RECENT[next(iter(_RECENT))]
    return svg


class Charts:
    """The charts a page folder showed last time (``.grafieken.json``), for the page's next drawing; a
    chart whose content is unchanged is taken from there instead of being drawn again."""

    def __init__(self, folder: Path | None = None):
        self.file = folder / CHART_STORE if folder else None
        self.known: dict[str, str] = {}
        if self.file and self.file.exists():
            try:
                self.known = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # unreadable: drawn again, never fatal
                self.known = {}
        self.used: dict[str, str] = {}

    def svg(self, section: Section) -> str:
        key = chart_key(section)
        svg = self.known.get(key) or chart_svg(section, key)
        self.used[key] = svg
        return svg

    def save(self) -> None:
        if self.file:
            self.file.write_text(json.dumps(self.used), encoding="utf-8")


def _draw_chart(section: Section) -> str:
    chart = section.chart
    data = _chart_data(section)
    x = data[chart.x].astype(str).map(lambda v: textwrap.shorten(v, 40, placeholder="…"))
    horizontal = _horizontal(chart, x)
    height = max(3.2, 0.28 * len(x) + 1) if horizontal else 3.4
    fig, ax = plt.subplots(figsize=(9.6, height), dpi=100)
    scale = 100 if chart.money else 1
    for i, col in enumerate(chart.y):
        values = pd.to_numeric(data[col], errors="coerce") / scale
        label = section.labels.get(col, col)
        if chart.kind == "line":
            ax.plot(x, values, marker="o", markersize=3, label=label, linestyle=LINE_STYLES[i % len(LINE_STYLES)])
            continue
        width = 0.8 / len(chart.y)
        positions = [j + (i - (len(chart.y) - 1) / 2) * width for j in range(len(x))]
        if horizontal:
            ax.barh(positions, values, height=width, label=label)
        else:
            ax.bar(positions, values, width=width, label=label)
    axis = ax.xaxis if horizontal else ax.yaxis
    low, high = axis.get_view_interval()
    decimals = 1 if abs(high - low) < 10 else 0  # rates of 2,2 to 2,4 need their decimal, or every tick says 2
    axis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda v, _: ("€ " if chart.money else "") + dutch.number(v, decimals))
    )
    if horizontal:
        ax.set_yticks(range(len(x)), x)
        ax.invert_yaxis()  # the table's first row on top
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    else:
        if chart.kind == "bar":
            ax.set_xticks(range(len(x)), x)
        ax.tick_params(axis="x", labelrotation=45 if len(x) > 8 else 0, labelsize=7)
        ax.grid(axis="y", alpha=0.3)
    ax.set_title(chart.title, fontsize=10)
    if len(chart.y) > 1:
        ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    description = html.escape(chart_description(section))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{description}" ', 1)
    return (
        f'<figure class="chart" data-chart="{html.escape(section.key)}">{svg}'
        f"<figcaption>{description}</figcaption></figure>"
    )


def table_html(section: Section) -> str:
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


TEMPLATE_FILES = ("rapport.html.j2", "stijl.css", "pagina.js")


def _templates() -> tuple[jinja2.Template, str, str, bytes]:
    """The page template, style and script from GRIP_REPORT_CONTENT_DIR/templates, and their bytes for
    the content stamp (an edited template draws every page again)."""
    folder = report_content_dir() / "templates"
    return _compiled_templates(folder, tuple((folder / name).stat().st_mtime_ns for name in TEMPLATE_FILES))


@functools.lru_cache(maxsize=4)
def _compiled_templates(folder: Path, _mtimes: tuple[int, ...]) -> tuple[jinja2.Template, str, str, bytes]:
    """Read and compiled once per version of the files (their modification times are in the key): a
    page's stamp wants them, and compiling them for each of 444 stamps took 2 s a night at scale 1."""
    page, style, script = ((folder / name).read_text(encoding="utf-8") for name in TEMPLATE_FILES)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(page), style, script, (page + style + script).encode()


def render_html(
    report: Report,
    banner: str | None,
    external_threshold: int | None,
    place: Place | None = None,
    charts: Charts | None = None,
) -> str:
    template, style, script, _ = _templates()
    charts = charts or Charts()
    sections = []
    for section in report.sections:
        if section.prose:
            body = f'<div class="toelichting">{MARKDOWN.render(section.prose)}</div>'
        elif len(section.table):
            body = table_html(section)
        else:
            body = '<p class="note">Geen gegevens in deze periode.</p>'
        chart = charts.svg(section) if section.chart is not None and len(section.table) else ""
        sections.append(
            {
                "title": section.title,
                "key": section.key,
                "text": section.text,
                "body": Markup(body),
                "chart": Markup(chart),
                "questions": [(q, f"{place.home}stamkaarten/{q}.html") for q in section.questions] if place else [],
            }
        )
    return template.render(
        report=report,
        banner=banner,
        external_threshold=external_threshold,
        stale=Markup(stale_html(report.stale)),
        sections=sections,
        style=Markup(style),
        script=Markup(script),
        links=links(report, place),
        place=place,
        colophon=colophon(report.data_through),
        through=f"{report.data_through:%d-%m-%Y}" if report.data_through else "",
        guide=Markup(MARKDOWN.render(report.guide)) if report.guide else "",
    )


def write_excel(path: Path, report: Report, banner: str | None, external_threshold: int | None = None) -> None:
    about = [report.title, report.subtitle, *([banner] if banner else []), colophon(report.data_through), *report.stale]
    write_workbook(path, about, report.sections, external_threshold)


def for_mode(report: Report, external_threshold: int | None) -> Report:
    if not external_threshold:
        return report
    sections = [s for s in (for_external(s, external_threshold) for s in report.sections) if s is not None]
    return dataclasses.replace(report, sections=sections)


def is_current(
    folder: Path, report: Report, banner: str | None, external_threshold: int | None = None, root: Path | None = None
) -> bool:
    """Whether ``folder`` already shows this report, so that it need not be drawn again."""
    place = Place.of(folder, root) if root else None
    return _shows(folder, content_digest(for_mode(report, external_threshold), banner, external_threshold, place))


def _shows(folder: Path, digest: str) -> bool:
    stamp = folder / CONTENT_STAMP
    return (
        (folder / "index.html").exists()
        and (folder / "tabellen.xlsx").exists()
        and stamp.exists()
        and stamp.read_text() == digest
    )


def write_report(
    folder: Path, report: Report, banner: str | None, external_threshold: int | None = None, root: Path | None = None
) -> Path:
    """Write ``index.html`` and ``tabellen.xlsx`` into ``folder``; external mode suppresses first.
    ``root`` is the reports folder: given, the page links to the other reports (``Place``).

    A page whose content is what the folder already shows is not drawn again: after a night
    with one day of new deliveries most provider pages of the current quarter are unchanged.
    """
    report = for_mode(report, external_threshold)
    place = Place.of(folder, root) if root else None
    page, book, stamp = folder / "index.html", folder / "tabellen.xlsx", folder / CONTENT_STAMP
    digest = content_digest(report, banner, external_threshold, place)
    if not _shows(folder, digest):
        folder.mkdir(parents=True, exist_ok=True)
        charts = Charts(folder)
        page.write_text(render_html(report, banner, external_threshold, place, charts), encoding="utf-8")
        charts.save()
        write_excel(book, report, banner, external_threshold)
        stamp.write_text(digest)  # last: a crash before it means the next run draws the page again
    mark_checked(folder, report.data_through)
    return page


CHECKED = "nagekeken.js"


def mark_checked(folder: Path, data_through: dt.date | None) -> None:
    """Tell the page, through ``nagekeken.js`` beside it, the last day and data reach its figures were found
    current. A page is drawn again only when what it shows changes, and the day the data reach is left out of
    that on purpose: it moves every night, and drawing every page again for it cost 20 of a quiet night's 27 s
    of reports at scale 1. So a page's colophon names the data it was drawn from, and this line, which the
    page shows when the data reach further, says the figures were checked against the newer data and held."""
    through = f"{data_through:%d-%m-%Y}" if data_through else ""
    text = f"window.GRIP_NAGEKEKEN = {json.dumps({'op': f'{dt.date.today():%d-%m-%Y}', 'gegevens': through})};\n"
    path = folder / CHECKED
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


CONTENT_STAMP = ".inhoud.sha256"
CHART_STORE = ".grafieken.json"
_CODE = Path(__file__).read_bytes()  # read once, not for each of the hundreds of pages
_EXCEL_CODE = (Path(__file__).parent / "excel.py").read_bytes()


def content_digest(
    report: Report, banner: str | None, external_threshold: int | None, place: Place | None = None
) -> str:
    """Everything a page shows, and the code that draws it; not the day it was made nor the day the data
    reach, so a page whose figures did not change keeps the day it was drawn and the data it was drawn
    from (``mark_checked`` tells it that newer data gave the same figures)."""
    h = hashlib.sha256(_CODE + _EXCEL_CODE)
    h.update(_templates()[3])
    h.update(repr((report.title, report.subtitle, report.nav, report.stale, report.guide, version())).encode())
    h.update(repr((banner, external_threshold, place)).encode())
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
                    s.questions,
                )
            ).encode()
        )
        h.update(s.table.to_csv(index=False).encode())  # the index is not shown, and follows the query's row order
    return h.hexdigest()
