"""Report tables and the published, read-only copy of the warehouse."""

import datetime as dt
import shutil

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration.lib.config import settings
from orchestration.lib.privacy import person_names, scan_database, scan_parquet, scan_reports
from orchestration.lib.warehouse import build_published, connect, promote

from .datakwaliteit import render_report
from .stamkaart import render_card, render_index

SYNTHETIC_LABEL = "SYNTHETISCHE DATA - geen echte personen"


@asset(
    key=AssetKey(["reports", "rpt_budget_by_year"]),
    deps=[AssetKey(["marts", "fct_budget"])],
    group_name="reports",
    kinds={"duckdb", "csv"},
    description="Budget per year and law in euros (report table and CSV in the reports folder).",
)
def rpt_budget_by_year(context: AssetExecutionContext) -> MaterializeResult:
    s = settings()
    with connect(s) as con:
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
    key=AssetKey(["reports", "stamkaarten"]),
    deps=[
        AssetKey(["marts", "question_answers"]),
        AssetKey(["ref", "question_catalogue"]),
        AssetKey(["quality", "question_feasibility"]),
        AssetKey(["ref", "dq_question_elements"]),
    ],
    group_name="reports",
    kinds={"html"},
    description="One page per information question (stamkaart): definition, roles, data elements, "
    "cross-sections given and missing, latest values and status; plus an index.",
)
def stamkaarten(context: AssetExecutionContext) -> MaterializeResult:
    s = settings()
    with connect(s) as con:
        catalogue = con.execute("select * from ref.question_catalogue order by question_id").df()
        answers = con.execute(
            "select question_id, period_type, period_start, cross_section, value, unit, status, "
            "status_reason from marts.question_answers"
        ).df()
        elements = con.execute(
            "select q.question_id, q.role, s.* from ref.dq_question_elements q "
            "join quality.element_status s using (element_id)"
        ).df()
        feasibility = con.execute("select * from quality.question_feasibility").df().set_index("question_id")
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
        )
        (folder / f"{question['question_id']}.html").write_text(page, encoding="utf-8")
    (folder / "index.html").write_text(render_index(catalogue, answers, banner), encoding="utf-8")
    return MaterializeResult(metadata={"pages": len(catalogue), "path": str(folder / "index.html")})


def _warehouse_writers() -> list[AssetKey]:
    """Every asset that writes to the warehouse: the published copy is a copy of all of them."""
    from orchestration.dbt.assets import grip_dbt_assets
    from orchestration.ingest.assets import ingest_assets
    from orchestration.linkage.assets import client_links
    from orchestration.programming.assets import ASSETS as programming_assets
    from orchestration.quality.assets import ASSETS as quality_assets
    from orchestration.reference.assets import calendar

    keys = (
        [k for a in ingest_assets for k in a.keys] + list(grip_dbt_assets.keys) + [*client_links.keys, *calendar.keys]
    )
    keys += [k for a in quality_assets for k in a.keys]
    keys += [k for a in programming_assets for k in a.keys]
    return keys + [AssetKey(["reports", "rpt_budget_by_year"])]


@asset(
    key=AssetKey(["published_warehouse"]),
    deps=_warehouse_writers(),
    group_name="reports",
    kinds={"duckdb", "parquet"},
    check_specs=[
        AssetCheckSpec(
            "privacy_scan",
            asset=["published_warehouse"],
            blocking=True,
            description="Nothing published holds a BSN, a client's full name or a full "
            "postcode: every text column, Parquet export and report is searched.",
        )
    ],
    description="Read-only copy of the warehouse for analysts (without the restricted schema), plus Parquet "
    "exports of every mart; published only when the privacy scan finds nothing.",
)
def published_warehouse(context: AssetExecutionContext):
    s = settings()
    exports = s.exports_dir.with_name(s.exports_dir.name + ".tmp")
    shutil.rmtree(exports, ignore_errors=True)
    with connect(s) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for name in marts:
            (exports / name).mkdir(parents=True, exist_ok=True)
            con.execute(f"copy marts.{name} to '{exports / name / 'data.parquet'}' (format parquet)")
        names = (
            person_names(con)
            if con.execute("select count(*) from duckdb_tables() where schema_name = 'restricted'").fetchone()[0]
            else set()
        )
    candidate = build_published(s)
    findings, values = scan_database(candidate, names, s.duckdb_config())
    more, exported = scan_parquet(exports, names, s.duckdb_config())
    findings += more
    more, files = scan_reports(s.reports_dir, names) if s.reports_dir.exists() else ([], 0)
    findings += more
    metadata = {
        "text_values_scanned": values + exported,
        "report_files_scanned": files,
        "findings": len(findings),
        "examples": "\n".join(f"{f.rule}: {f.where}" for f in findings[:20]) or "none",
    }
    if findings:  # never publish: the previous copy and exports stay as they were
        candidate.unlink(missing_ok=True)
        shutil.rmtree(exports, ignore_errors=True)
        yield AssetCheckResult(
            check_name="privacy_scan", passed=False, severity=AssetCheckSeverity.ERROR, metadata=metadata
        )
        raise Failure(description=f"privacy scan: {len(findings)} finding(s), nothing published", metadata=metadata)
    path = promote(candidate, s.published_warehouse)
    promote(exports, s.exports_dir)
    yield MaterializeResult(metadata={"path": str(path), "parquet_exports": ", ".join(marts)})
    yield AssetCheckResult(check_name="privacy_scan", passed=True, severity=AssetCheckSeverity.ERROR, metadata=metadata)


@asset(
    key=AssetKey(["reports", "datakwaliteit"]),
    deps=[AssetKey(["quality", "question_feasibility"])],
    group_name="reports",
    kinds={"html"},
    description="Nightly data-quality report for data stewards (Dutch): feasibility per question, per data "
    "element its score, trend, category, exclusions and failing records, and refused deliveries.",
)
def datakwaliteit(context: AssetExecutionContext) -> MaterializeResult:
    s = settings()
    with connect(s) as con:
        status = con.execute("select * from quality.element_status").df()
        feasibility = con.execute("select * from quality.question_feasibility order by question_id").df()
        deliveries = con.execute("""
            select file, status, coalesce(reason, '') as detail from raw.ingest_log where status <> 'loaded'
            union all
            select file || ' regel ' || line, 'regel afgekeurd', rule || ': ' || message from raw.rejected_rows
            order by 1""").df()
    folder = s.reports_dir / "datakwaliteit"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    path.write_text(
        render_report(
            status, feasibility, deliveries, f"{dt.datetime.now():%d-%m-%Y %H:%M}", SYNTHETIC_LABEL if s.demo else None
        ),
        encoding="utf-8",
    )
    return MaterializeResult(metadata={"path": str(path), "warnings": int(status["warning"].notna().sum())})
