"""The portal's web application: server-rendered pages on the published warehouse.

Every page is a plain GET with its filters in the query string, so a view can be bookmarked, mailed
and opened again; the pages work without JavaScript (a small script only submits a filter when it
changes and makes long tables sortable). Each request opens the published copy read-only and closes
it again: a nightly that publishes a new copy (an atomic rename) is seen on the next click, and the
portal never holds a lock the nightly could wait for.

In external mode (``grip portal --extern``) every table goes through the reports' own small-cell
suppression, cross-sections per individual client are left out, and only the external report
editions, the stamkaarten and nothing internal (data quality, dbt docs) are served.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pandas as pd
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from orchestration.lib import dutch
from orchestration.lib.config import Settings, report_content_dir
from orchestration.lib.parts import stale_lines
from orchestration.lib.warehouse import connect
from orchestration.reports import wijken
from orchestration.reports.answers import data_through
from orchestration.reports.budgethouder import warnings_section
from orchestration.reports.document import (
    SUPPRESSED,
    SYNTHETIC_LABEL,
    Section,
    chart_svg,
    colophon,
    for_external,
    table_html,
)
from orchestration.reports.excel import write_workbook
from orchestration.reports.index import PRODUCTS, editions
from orchestration.reports.products import current_periods
from orchestration.reports.stamkaart import split

from . import money, quality, questions

HERE = Path(__file__).parent
CHART_ROWS = 30  # a chart of 200 providers helps no one: the largest 30, the table has them all
log = logging.getLogger(__name__)


class Portal:
    """The pages, given the settings and the mode; ``app()`` wires them into a Starlette application."""

    def __init__(self, s: Settings, external: bool = False):
        self.s = s
        self.external = external
        self.threshold = s.report_min_count if external else None
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    # --- drawing -------------------------------------------------------------------------------------

    def draw(self, section: Section | None) -> dict | None:
        """A section as the templates show it: suppressed first in external mode (None when it is for
        internal use only), the chart of at most CHART_ROWS rows, the table whole."""
        if section is None:
            return None
        if self.threshold:
            section = for_external(section, self.threshold)
            if section is None:
                return None
        chart = ""
        if section.chart is not None and len(section.table):
            chart = chart_svg(_chart_rows(section))
        body = table_html(section) if len(section.table) else '<p class="note">Geen gegevens.</p>'
        return {
            "title": section.title,
            "key": section.key,
            "text": section.text,
            "chart": Markup(chart),
            "body": Markup(body),
        }

    def page(self, template: str, request: Request, con, **context) -> HTMLResponse:
        """A page in the portal's frame; ``con`` is the request's connection, still open, for the colophon
        and the parts not current (one connection per request)."""
        html = self.env.get_template(template).render(
            request=request,
            banner=SYNTHETIC_LABEL if self.s.demo else None,
            threshold=self.threshold,
            external=self.external,
            stale=stale_lines(con),
            colophon=colophon(data_through(con)),
            menu=self.menu(),
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html)

    def menu(self) -> list[tuple[str, str]]:
        items = [
            ("/", "Start"),
            ("/vragen", "Informatievragen"),
            ("/geld", "Geld"),
            ("/wijken", "Wijken"),
            ("/rapporten", "Rapporten"),
            ("/rapporten/stamkaarten/index.html", "Stamkaarten"),
        ]
        if not self.external:
            items += [("/rapporten/datakwaliteit/index.html", "Datakwaliteit"), ("/dbt-docs", "dbt-documentatie")]
        return items

    # --- pages ---------------------------------------------------------------------------------------

    def start(self, request: Request) -> HTMLResponse:
        with connect(self.s, read_only=True) as con:
            latest = money.latest_month(con)
            cards, positions, warnings = [], [], []
            if latest:
                year, month = latest
                for law in ("wmo", "jeugd"):
                    card, section = money.position(con, law, year, month)
                    cards.append(card)
                    positions.append(self.draw(section))
                    warning = warnings_section(con, law, year, month)
                    warning.title = f"{money.LAW_NAMES[law]}: {warning.title[0].lower()}{warning.title[1:]}"
                    warning.key = f"signalen_{law}"
                    warnings.append(self.draw(warning))
            state = None if self.external else quality.state(con)
            if state and state["available"]:
                state = {
                    **state,
                    "categories": self.draw(state["categories"]),
                    "feasibility": self.draw(state["feasibility"]),
                }
            return self.page(
                "start.html.j2",
                request,
                con,
                title="Start",
                month=None if not latest else f"{dutch.MONTHS[latest[1] - 1]} {latest[0]}",
                cards=cards,
                positions=positions,
                warnings=warnings,
                quality=state,
            )

    def question_list(self, request: Request) -> HTMLResponse:
        with connect(self.s, read_only=True) as con:
            items = [
                {
                    "id": r.question_id,
                    "law": money.LAW_NAMES.get(r.law, r.law),
                    "text": r.text_nl,
                    "status": "; ".join(questions.STATUS_NAMES.get(s, s) for s in r.statuses.split("|")),
                    "answered": "beantwoord" in r.statuses.split("|"),
                }
                for r in questions.catalogue(con).itertuples()
            ]
            return self.page("vragen.html.j2", request, con, title="Informatievragen", items=items)

    def question(self, request: Request) -> HTMLResponse:
        qid = request.path_params["qid"]
        with connect(self.s, read_only=True) as con:
            card = self._card(con, qid)
            choice, options = questions.choose(con, qid, dict(request.query_params), self.external)
            shown = questions.rows(con, choice)
            section = questions.section(con, choice, card["text_nl"], shown)
            query = _query(choice)
            only_internal = self.external and not options.cross_sections
            return self.page(
                "vraag.html.j2",
                request,
                con,
                title=f"{qid}: {card['text_nl']}",
                card=card,
                choice=choice,
                options=options,
                period_types=questions.PERIOD_TYPES,
                period_name=questions.period_name,
                section=None if only_internal else self.draw(section),
                statuses=questions.status_lines(shown) if len(shown) else ["Geen gegevens voor deze keuze."],
                csv_href=f"/vragen/{qid}/download.csv?{query}",
                xlsx_href=f"/vragen/{qid}/download.xlsx?{query}",
                only_internal=only_internal,
            )

    def _card(self, con, qid: str) -> dict:
        rows = con.execute("select * from ref.question_catalogue where question_id = ?", [qid]).df()
        if rows.empty:
            raise HTTPException(404, f"Informatievraag {qid} staat niet in de catalogus van deze gemeente.")
        card = rows.iloc[0].to_dict()
        names = dict(con.execute("select code, name from ref.ref_doorsneden").fetchall())
        card["wanted"] = [names.get(c, c) for c in split(card["cross_sections"])]
        card["unit_name"] = questions.unit_name(card["unit"])
        return card

    def _download_section(self, request: Request, con) -> tuple[Section, str]:
        qid = request.path_params["qid"]
        card = self._card(con, qid)
        choice, options = questions.choose(con, qid, dict(request.query_params), self.external)
        if self.external and not options.cross_sections:
            raise HTTPException(404, "Deze informatievraag is alleen intern beschikbaar (per cliënt).")
        section = questions.section(con, choice, card["text_nl"], questions.rows(con, choice))
        shown = for_external(section, self.threshold) if self.threshold else section
        assert shown is not None  # the explorer's section is never internal-only
        return shown, f"{qid}_{choice.cross_section}_{choice.period_type or 'geen'}"

    def download_csv(self, request: Request) -> Response:
        """The table as shown, in question_answers' units (euros, percent); a suppressed cell is empty."""
        with connect(self.s, read_only=True) as con:
            section, name = self._download_section(request, con)
        out = io.StringIO()
        if self.s.demo:
            out.write(f"# {SYNTHETIC_LABEL}\n")
        writer = csv.writer(out)
        key = "member" if "member" in section.table else "period_start"  # the code or first day, for joining
        cols = list(section.kinds)
        writer.writerow(["code" if key == "member" else "begin periode"] + [_csv_header(section, c) for c in cols])
        for code, *row in section.table[[key, *cols]].itertuples(index=False):
            code = "" if code is None or pd.isna(code) else (code if isinstance(code, str) else f"{code:%Y-%m-%d}")
            writer.writerow([code] + [_csv_value(v, section.kinds[c]) for c, v in zip(cols, row, strict=True)])
        return Response(
            "\ufeff" + out.getvalue(),  # the byte-order mark tells Excel the file is UTF-8 (cliënten)
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    def download_xlsx(self, request: Request) -> Response:
        with connect(self.s, read_only=True) as con:
            section, name = self._download_section(request, con)
            about = [section.title, *([SYNTHETIC_LABEL] if self.s.demo else []), colophon(data_through(con))]
        buffer = io.BytesIO()
        write_workbook(buffer, about, [section], self.threshold)
        return Response(
            buffer.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )

    def money_page(self, request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        with connect(self.s, read_only=True) as con:
            years = money.years(con)
            try:
                year = int(params.get("jaar", ""))
            except ValueError:
                year = 0
            year = year if year in years else (years[0] if years else 0)
            section, trail = money.drill(con, year, params) if years else (None, [])
            return self.page(
                "geld.html.j2",
                request,
                con,
                title="Geld",
                years=years,
                year=year,
                section=self.draw(section),
                trail=trail,
            )

    def wijk_list(self, request: Request) -> HTMLResponse:
        with connect(self.s, read_only=True) as con:
            quarter, quarters = self._quarter(con, request)
            sections = []
            if quarter:  # the wijk report's first section only: the rest of that report is per wijk below
                table = wijken.clients_per_wijk(con, quarter)
                table["href"] = [
                    f"/wijken/{code}?{urlencode({'kwartaal': quarter})}" if code != "onbekend" else ""
                    for code in table.wijk_code
                ]
                overview = dataclasses.replace(wijken.clients_section(table), links={"wijk_name": "{href}"})
                sections = [self.draw(overview)]
            return self.page(
                "wijken.html.j2",
                request,
                con,
                title="Wijken",
                quarter=quarter,
                quarters=quarters,
                sections=sections,
                wijk=None,
            )

    def wijk(self, request: Request) -> HTMLResponse:
        code = request.path_params["code"]
        with connect(self.s, read_only=True) as con:
            quarter, quarters = self._quarter(con, request)
            known = con.execute("select wijk_name from marts.dim_wijk where wijk_code = ?", [code]).fetchone()
            if known is None:
                raise HTTPException(404, f"Wijk {code} is niet bekend.")
            sections = []
            if quarter:
                sections = [self.draw(s) for s in _for_wijk(wijken.build(con, quarter), code)]
                sections.append(self.draw(_wijk_answers(con, code, quarter)))
            return self.page(
                "wijken.html.j2",
                request,
                con,
                title=f"Wijk {known[0]}",
                quarter=quarter,
                quarters=quarters,
                sections=[s for s in sections if s],
                wijk=known[0],
            )

    def _quarter(self, con, request: Request) -> tuple[str | None, list[tuple[str, str]]]:
        """The chosen quarter (first day), by default the one the quarterly reports are at."""
        periods = current_periods(con)
        if periods is None:
            return None, []
        found = con.execute(
            """select distinct date_trunc('quarter', month_start)::date from marts.fct_care_months
               where month_start <= ?::date order by 1 desc""",
            [periods[1]],
        ).fetchall()
        quarters = [(f"{q:%Y-%m-%d}", questions.period_name("quarter", q)) for (q,) in found]
        wanted = request.query_params.get("kwartaal")
        return (wanted if wanted in dict(quarters) else periods[1]), quarters

    def reports_page(self, request: Request) -> HTMLResponse:
        found = editions(self.s.reports_dir) if self.s.reports_dir.exists() else {}
        products = []
        for product, name, purpose, _ in PRODUCTS:
            rows = []
            for rest, periods in found.get(product, {}).items():
                if self.external and not rest.endswith("extern"):
                    continue
                for period in periods:
                    rows.append((period, rest, f"/rapporten/{product}/{period}/{rest}/"))
            rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
            products.append({"name": name, "purpose": purpose, "rows": rows})
        with connect(self.s, read_only=True) as con:
            return self.page("rapporten.html.j2", request, con, title="Rapporten", products=products)

    def report_file(self, request: Request) -> Response:
        """A file of the reports folder. Externally only the external editions, the stamkaarten and
        what they load (perioden.js); never the internal editions or the data-quality report."""
        relative = request.path_params["path"]
        root = self.s.reports_dir.resolve()
        path = (root / relative).resolve()
        if path.is_dir():
            path = path / "index.html"
        if root not in path.parents or not path.is_file():
            raise HTTPException(404, "Dit bestand is er niet.")
        parts = path.relative_to(root).parts
        if self.external and not ("extern" in parts or parts[0] == "stamkaarten" or parts == ("perioden.js",)):
            raise HTTPException(404, "Dit bestand is alleen intern beschikbaar.")
        return FileResponse(path)

    def dbt_docs(self, request: Request) -> Response:
        path = self.s.dbt_docs_dir / "index.html"
        if self.external or not path.exists():
            raise HTTPException(404, "De dbt-documentatie is er (nog) niet, of alleen intern.")
        return FileResponse(path)

    def static(self, request: Request) -> Response:
        """The reports' style and script (what people edit about the reports), and the portal's own."""
        name = request.path_params["name"]
        files = {
            "stijl.css": report_content_dir() / "templates" / "stijl.css",
            "pagina.js": report_content_dir() / "templates" / "pagina.js",
            "portaal.css": HERE / "static" / "portaal.css",
            "portaal.js": HERE / "static" / "portaal.js",
        }
        if name not in files:
            raise HTTPException(404, "Dit bestand is er niet.")
        return FileResponse(files[name])

    async def error(self, request: Request, exc: Exception) -> HTMLResponse:
        status = getattr(exc, "status_code", 500)
        detail = getattr(exc, "detail", None) if status != 500 else None
        if status == 500:
            log.exception("portal page failed: %s", request.url.path, exc_info=exc)
        text = detail or "Er ging iets mis bij het maken van deze pagina; de melding staat in het logboek."
        html = self.env.get_template("fout.html.j2").render(
            banner=SYNTHETIC_LABEL if self.s.demo else None,
            threshold=self.threshold,
            external=self.external,
            menu=self.menu(),
            path=request.url.path,
            title="Niet gevonden" if status == 404 else "Fout",
            message=text,
            stale=[],
            colophon="",
        )
        return HTMLResponse(html, status_code=status)

    def app(self) -> Starlette:
        routes = [
            Route("/", self.start),
            Route("/vragen", self.question_list),
            Route("/vragen/{qid}", self.question),
            Route("/vragen/{qid}/download.csv", self.download_csv),
            Route("/vragen/{qid}/download.xlsx", self.download_xlsx),
            Route("/geld", self.money_page),
            Route("/wijken", self.wijk_list),
            Route("/wijken/{code}", self.wijk),
            Route("/rapporten", self.reports_page),
            Route("/rapporten/{path:path}", self.report_file),
            Route("/dbt-docs", self.dbt_docs),
            Route("/static/{name}", self.static),
        ]
        return Starlette(routes=routes, exception_handlers={HTTPException: self.error, Exception: self.error})


def create_app(s: Settings, external: bool = False) -> Starlette:
    if not s.published_warehouse.exists():
        raise FileNotFoundError(
            f"No published warehouse at {s.published_warehouse}: run the nightly first (make demo, or grip nightly)."
        )
    return Portal(s, external).app()


def _query(choice: questions.Choice) -> str:
    return urlencode(
        {
            "gemeente": choice.municipality,
            "periodetype": choice.period_type or "",
            "periode": "" if choice.period is None else choice.period.isoformat(),
            "doorsnede": choice.cross_section,
            "lid": choice.member,
        }
    )


def _chart_rows(section: Section) -> Section:
    """The rows a bar chart draws: the largest CHART_ROWS with a figure. A suppressed (or empty) row is
    left out of the chart, where it would be an empty bar; the table below still lists it."""
    if section.chart is None or section.chart.kind != "bar":
        return section
    body = section.table.iloc[:-1] if section.total_row else section.table
    figures = body[section.chart.y].apply(lambda c: pd.to_numeric(c.replace(SUPPRESSED, None), errors="coerce"))
    ranked = figures.max(axis=1).dropna().sort_values(ascending=False, kind="stable")
    if len(ranked) == len(body) and len(body) <= CHART_ROWS:
        return section
    chart = section.chart
    if len(ranked) > CHART_ROWS:
        chart = dataclasses.replace(chart, title=f"{chart.title} (de {CHART_ROWS} grootste)")
    return dataclasses.replace(section, table=body.loc[ranked.index[:CHART_ROWS]], chart=chart, total_row=False)


def _csv_header(section: Section, col: str) -> str:
    label = section.labels.get(col, col)
    unit = {"money": "euro", "pct": "procent"}.get(section.kinds[col])
    return f"{label} ({unit})" if unit and unit not in label else label


def _csv_value(value, kind: str):
    if (
        value is None
        or (isinstance(value, str) and value == SUPPRESSED)
        or (not isinstance(value, str) and pd.isna(value))
    ):
        return ""
    if kind == "money":
        return f"{value / 100:.2f}"
    if kind == "pct":
        return repr(round(float(value) * 100, 10))
    if kind in ("count", "int") and float(value).is_integer():
        return int(value)
    return value


def _for_wijk(report, code: str) -> list[Section]:
    """The wijk report's sections narrowed to one wijk: its rows, and its own line of the trend."""
    out = []
    for section in report.sections:
        table = section.table
        if "wijk_code" in table.columns:
            rows = table[table["wijk_code"] == code]  # one wijk: a chart of one bar says nothing the table does not
            out.append(dataclasses.replace(section, table=rows, total_row=False, chart=None))
        elif code in table.columns:
            chart = dataclasses.replace(section.chart, y=[code]) if section.chart else None
            kinds = {c: k for c, k in section.kinds.items() if c in ("quarter", code)}
            out.append(dataclasses.replace(section, table=table[["quarter", code]], kinds=kinds, chart=chart))
    return out


def _wijk_answers(con, code: str, quarter: str) -> Section:
    """Every information question answered per wijk, for this wijk and quarter, linked to the explorer."""
    frame = con.execute(
        """select question_id, question_text, unit, value, n_clients from marts.question_answers
           where cross_section = 'wijk' and member = ? and period_type = 'quarter' and period_start = ?::date
           order by question_id, unit""",
        [code, quarter],
    ).df()
    frame["unit_name"] = frame["unit"].map(questions.unit_name)
    frame["shown"] = [questions.display_value(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)]
    # one column per kind, so each keeps its own number format (and counts their suppression)
    for kind in ("count", "money", "pct", "num"):
        frame[kind] = [
            v if questions.kind_of(u) == kind else None for v, u in zip(frame["shown"], frame["unit"], strict=True)
        ]
    frame["href"] = [
        f"/vragen/{q}?{urlencode({'periodetype': 'quarter', 'periode': quarter, 'doorsnede': 'wijk', 'lid': code})}"
        for q in frame["question_id"]
    ]
    kinds = {"question_id": "text", "question_text": "text", "unit_name": "text"}
    kinds |= {k: k for k in ("count", "money", "pct", "num") if frame[k].notna().any()}
    kinds["n_clients"] = "count"
    return Section(
        "Informatievragen per wijk in dit kwartaal",
        frame,
        kinds,
        {
            "question_id": "vraag",
            "question_text": "omschrijving",
            "unit_name": "eenheid",
            "count": "aantal",
            "money": "bedrag",
            "pct": "percentage",
            "num": "waarde",
            "n_clients": "cliënten",
        },
        derived={k: "n_clients" for k in ("money", "pct", "num") if k in kinds},
        key="vragen_wijk",
        links={"question_id": "{href}"},
        text="Elke informatievraag met een uitsplitsing naar wijk, voor deze wijk. Klik op een vraag voor de "
        "ontwikkeling over de tijd.",
    )
