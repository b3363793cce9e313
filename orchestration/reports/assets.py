"""What the reports layer writes every night: the budget table and CSV, the stamkaarten and the data-quality report."""

import datetime as dt

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.dbt.assets import dbt_key
from orchestration.lib.parts import Part, stale_lines
from orchestration.lib.resources import Warehouse
from orchestration.quality.assets import element_status, question_feasibility

from .answers import data_through
from .datakwaliteit import missing_sources, refusals, render_report
from .document import SYNTHETIC_LABEL, colophon
from .index import write_index
from .stamkaart import render_card, render_index

BUDGET_CSV = Part(AssetKey(["reports", "rpt_budget_by_year"]), "Begroting per jaar (CSV)")
STAMKAARTEN = Part(AssetKey(["reports", "stamkaarten"]), "Stamkaarten")
DATAKWALITEIT = Part(AssetKey(["reports", "datakwaliteit"]), "Datakwaliteitsrapport")


@asset(
    key_prefix="reports",
    deps=[dbt_key("fct_budget")],
    group_name="reports",
    kinds={"duckdb", "csv"},
    check_specs=[BUDGET_CSV.check],
    description="Budget per year and law in euros (report table and CSV in the reports folder).",
)
@BUDGET_CSV
def rpt_budget_by_year(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    s = warehouse.settings
    with warehouse.connect() as con:
        con.execute("create schema if not exists reports")
        con.execute("""
            create or replace table reports.rpt_budget_by_year as
            select municipality_code, budget_year, law, sum(budget_cents)::bigint as budget_cents,
                   round(sum(budget_cents) / 100.0, 2) as budget_eur
            from marts.fct_budget
            group by all
            order by budget_year, law
        """)
        # the CSV is for readers: euros only. Cents of nine digits in plain text read as a BSN to the privacy
        # scan when they pass the elfproef (one in eleven do), which blocked publishing at scale 0.05
        frame = con.execute("select * exclude (budget_cents) from reports.rpt_budget_by_year").df()
    s.reports_dir.mkdir(parents=True, exist_ok=True)
    path = s.reports_dir / "budget_by_year.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if s.demo:
            fh.write(f"# {SYNTHETIC_LABEL}\n")
        frame.to_csv(fh, index=False)
    return MaterializeResult(metadata={"rows": len(frame), "path": str(path)})


@asset(
    key_prefix="reports",
    deps=[
        dbt_key("question_answers"),
        dbt_key("question_catalogue"),
        dbt_key("ref_doorsneden"),
        question_feasibility,
        dbt_key("dq_question_elements"),
        element_status,
    ],
    group_name="reports",
    kinds={"html"},
    check_specs=[STAMKAARTEN.check],
    description="One page per information question (stamkaart): definition, roles, data elements, "
    "cross-sections given and missing, latest values and status; plus an index.",
)
@STAMKAARTEN
def stamkaarten(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    s = warehouse.settings
    with warehouse.connect() as con:
        catalogue = con.execute("select * from ref.question_catalogue order by question_id").df()
        answers = con.execute(
            "select question_id, period_type, period_start, period_end, is_complete, data_through, cross_section, "
            "member, value, unit, status, status_reason from marts.question_answers"
        ).df()
        section_names = dict(con.execute("select code, name from ref.ref_doorsneden").fetchall())
        elements = con.execute(
            "select q.question_id, q.role, s.* from ref.dq_question_elements q "
            "join quality.element_status s using (element_id)"
        ).df()
        feasibility = con.execute("select * from quality.question_feasibility").df().set_index("question_id")
        stale = stale_lines(con)
        made = colophon(data_through(con))
    banner = SYNTHETIC_LABEL if s.demo else None
    folder = s.reports_dir / "stamkaarten"
    folder.mkdir(parents=True, exist_ok=True)
    by_question = dict(tuple(answers.groupby("question_id")))
    elements_by_question = dict(tuple(elements.groupby("question_id")))
    for question in catalogue.to_dict("records"):
        qid = question["question_id"]
        page = render_card(
            question,
            by_question.get(qid, answers.iloc[0:0]),
            banner,
            elements_by_question.get(qid),
            feasibility.loc[qid].to_dict() if qid in feasibility.index else None,
            stale,
            section_names,
            made,
        )
        (folder / f"{question['question_id']}.html").write_text(page, encoding="utf-8")
    (folder / "index.html").write_text(render_index(catalogue, answers, banner, stale, made), encoding="utf-8")
    write_index(s)
    return MaterializeResult(metadata={"pages": len(catalogue), "path": str(folder / "index.html")})


@asset(
    key_prefix="reports",
    deps=[question_feasibility, element_status, dbt_key("int_feed_deliveries")],
    group_name="reports",
    kinds={"html"},
    check_specs=[DATAKWALITEIT.check],
    description="Nightly data-quality report for data stewards (Dutch): feasibility per question, per data "
    "element its score, trend, category, exclusions and failing records, and refused deliveries.",
)
@DATAKWALITEIT
def datakwaliteit(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    s = warehouse.settings
    with warehouse.connect() as con:
        status = con.execute("select * from quality.element_status").df()
        feasibility = con.execute("select * from quality.question_feasibility order by question_id").df()
        deliveries = refusals(con)
        missing = [f"{table} ({feed})" for table, feed, _ in missing_sources(con)]
        stale = stale_lines(con)
    folder = s.reports_dir / "datakwaliteit"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(
        render_report(
            status,
            feasibility,
            deliveries,
            f"{dt.datetime.now():%d-%m-%Y %H:%M}",
            SYNTHETIC_LABEL if s.demo else None,
            stale=stale,
            missing_sources=missing,
        ),
        encoding="utf-8",
    )
    write_index(s)
    return MaterializeResult(metadata={"path": str(path), "warnings": int(status["warning"].notna().sum())})
