"""The three report products as period-partitioned assets, with their jobs, the P&C calendar
(003) as schedules, and a sensor that renders the current period after each nightly build.

Each run writes ``reports/<product>/<period>/[<law>/]{intern,extern}/`` with ``index.html``
and ``tabellen.xlsx``. A past period can be re-rendered by materialising its partition.
The current period is the latest month both money sources reach (programming.inputs.latest_month),
not the clock: a municipality that delivers late still gets the right report.
"""

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    MonthlyPartitionsDefinition,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    TimeWindowPartitionsDefinition,
    asset,
    define_asset_job,
    in_process_executor,
    run_status_sensor,
    schedule,
)

from orchestration.jobs import PERIODIC, nightly_job
from orchestration.lib.config import Settings
from orchestration.lib.parallel import ordered_map
from orchestration.lib.parts import Part, PartialResult, stale_lines
from orchestration.lib.resources import Warehouse
from orchestration.programming.assets import provider_risk, realisation
from orchestration.programming.inputs import latest_month
from orchestration.publish import PUBLISHED
from orchestration.quality.assets import question_feasibility

from . import aanbieders, budgethouder, voortgang, wijken
from .answers import data_through, section_questions
from .commentary import commentary, guide
from .document import SYNTHETIC_LABEL, Report, is_current, write_report
from .index import write_index

MONTHLY = MonthlyPartitionsDefinition(start_date="2018-01-01")
QUARTERLY = TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1,4,7,10 *", start="2018-01-01", fmt="%Y-%m-%d")
LAWS = ("wmo", "jeugd")
# Reports read the published copy only (Warehouse.read_published): what failed its checks is never
# published, so never reported. The other inputs are listed for the lineage.
INPUTS = [realisation, provider_risk, question_feasibility, PUBLISHED]
# What the three report products share: layer, tag (kept out of the nightly), inputs and kinds.
PRODUCT = dict(key_prefix="reports", tags=PERIODIC, deps=INPUTS, group_name="reports", kinds={"html", "excel"})
# Each report product is an optional part (orchestration/lib/parts.py): it fails alone, and the law that
# fails leaves the other law's report standing. It only reads the published copy, so it records no state there.
PARTS = {
    name: Part(AssetKey(["reports", name]), label, record_status=False)
    for name, label in (
        ("budgethoudersrapportage", "Budgethoudersrapportage"),
        ("kwartaaloverzicht_aanbieders", "Kwartaaloverzicht aanbieders"),
        ("voortgangsrapportage", "Voortgangsrapportage"),
        ("wijkrapportage", "Wijkrapportage"),
    )
}


Versions = list[tuple[str, str | None, int | None, Path]]


def _versions(s: Settings) -> Versions:
    """(subfolder, banner, suppression threshold, reports folder) of the internal and the external
    version; read once per report and handed to the page workers, which then need no settings of their own."""
    banner = SYNTHETIC_LABEL if s.demo else None
    return [("intern", banner, None, s.reports_dir), ("extern", banner, s.report_min_count, s.reports_dir)]


def _write_both(folder, report, versions: Versions, sub: str = "") -> list[str]:
    """The internal and the external version: ``folder/intern/sub`` and ``folder/extern/sub``."""
    return [
        str(write_report(folder / mode / sub, report, banner, threshold, root))
        for mode, banner, threshold, root in versions
    ]


def _both_current(folder, report, versions: Versions, sub: str = "") -> bool:
    return all(
        is_current(folder / mode / sub, report, banner, threshold, root) for mode, banner, threshold, root in versions
    )


def _dress(
    reports: list[Report], product: str, con: duckdb.DuckDBPyConnection, stale: list[str], law: str | None = None
) -> Report:
    """What every page of a report product carries besides its figures: the parts not current, the day
    the data reach, the 'Hoe lees ik dit' of its product, and each section's questions (linked to their
    stamkaarten; only questions in the municipality's own catalogue, which has a stamkaart for each).
    Returns the first page."""
    through, text = data_through(con), guide(product)
    catalogue = {r[0] for r in con.execute("select question_id from ref.question_catalogue").fetchall()}
    for report in reports:
        report.stale, report.data_through, report.guide = stale, through, text
        for section in report.sections:
            wanted = section.questions or section_questions(section.key, law)
            section.questions = tuple(q for q in wanted if q in catalogue)
    return reports[0]


def _write_page(item: tuple[str, object], folder, versions: Versions) -> list[str]:
    agb, page = item
    return _write_both(folder, page, versions, f"aanbieders/{agb}")


def _per_law(build, folder_of, versions: Versions, con, product: str, period: str) -> tuple[list[str], list[str]]:
    """Build and write the report of each law, the analysts' commentary first; a law whose report
    fails is left out with its reason."""
    paths, left_out = [], []
    stale = stale_lines(con)
    for law in LAWS:
        try:
            report = build(law)
        except Exception as exc:  # noqa: BLE001 - one law's failure never withholds the other's report
            left_out.append(f"{law}: {type(exc).__name__}: {exc}")
            continue
        report.sections.insert(0, commentary(product, period, law))
        paths += _write_both(folder_of(law), _dress([report], product, con, stale, law), versions)
    if not paths:
        raise RuntimeError("no report could be made: " + "; ".join(left_out))
    return paths, left_out


@asset(
    **PRODUCT,
    partitions_def=MONTHLY,
    check_specs=[PARTS["budgethoudersrapportage"].check],
    description="Budgethoudersrapportage per month for MO (Wmo) and JOS (Jeugd): realisation against budget and "
    "programme, year-end forecast with interval, explanation of the change, early warnings, first line, quality.",
)
@PARTS["budgethoudersrapportage"]
def budgethoudersrapportage(context: AssetExecutionContext, warehouse: Warehouse):
    month = context.partition_time_window.start
    s = warehouse.settings
    with warehouse.read_published() as con:
        paths, left_out = _per_law(
            lambda law: budgethouder.build(con, law, month.year, month.month),
            lambda law: s.reports_dir / "budgethouder" / f"{month:%Y-%m}" / law,
            _versions(s),
            con,
            "budgethouder",
            f"{month:%Y-%m}",
        )
    write_index(s)
    return PartialResult(MaterializeResult(metadata={"period": f"{month:%Y-%m}", "files": "\n".join(paths)}), left_out)


@asset(
    **PRODUCT,
    partitions_def=QUARTERLY,
    check_specs=[PARTS["kwartaaloverzicht_aanbieders"].check],
    description="Kwartaaloverzicht aanbieders per department (MO for Wmo, JOS for Jeugd): an index and one page per "
    "provider with trend, ceiling, waiting list, benchmark, message traffic, stop reasons, switches, risk profile and "
    "the contract-management register.",
)
@PARTS["kwartaaloverzicht_aanbieders"]
def kwartaaloverzicht_aanbieders(context: AssetExecutionContext, warehouse: Warehouse):
    start = context.partition_time_window.start.replace(tzinfo=None)
    s = warehouse.settings
    quarter = aanbieders.quarter_label(start)
    versions = _versions(s)
    paths, left_out, providers, drawn = [], [], 0, 0
    with warehouse.read_published() as con:
        stale = stale_lines(con)
        for law in LAWS:  # an edition per department (003 Bijlage 3); one failing leaves the other standing
            try:
                index, pages = aanbieders.build(con, start, law)
            except Exception as exc:  # noqa: BLE001
                left_out.append(f"{law}: {type(exc).__name__}: {exc}")
                continue
            folder = s.reports_dir / "aanbieders" / quarter / law
            index.sections.insert(0, commentary("aanbieders", quarter, law))
            _dress([index, *pages.values()], "aanbieders", con, stale, law)
            paths += _write_both(folder, index, versions)
            # A page per provider, each drawn twice (intern, extern): matplotlib is most of the stage's time.
            # Unchanged pages are recognised here, so a night that changes none starts no workers (8 s at scale 1).
            changed = [
                (agb, page)
                for agb, page in pages.items()
                if not _both_current(folder, page, versions, f"aanbieders/{agb}")
            ]
            for _ in ordered_map(_write_page, changed, s.workers, folder, versions):
                pass
            providers, drawn = providers + len(pages), drawn + len(changed)
    write_index(s)
    if not paths:
        raise RuntimeError("no report could be made: " + "; ".join(left_out))
    result = MaterializeResult(
        metadata={"period": quarter, "providers": providers, "pages_drawn": drawn, "files": "\n".join(paths)}
    )
    return PartialResult(result, left_out)


@asset(
    **PRODUCT,
    partitions_def=QUARTERLY,
    check_specs=[PARTS["voortgangsrapportage"].check],
    description="Voortgangsrapportage per quarter and law for directors and the alderman.",
)
@PARTS["voortgangsrapportage"]
def voortgangsrapportage(context: AssetExecutionContext, warehouse: Warehouse):
    start = context.partition_time_window.start.replace(tzinfo=None)
    s = warehouse.settings
    quarter = aanbieders.quarter_label(start)
    with warehouse.read_published() as con:
        paths, left_out = _per_law(
            lambda law: voortgang.build(con, law, start),
            lambda law: s.reports_dir / "voortgang" / quarter / law,
            _versions(s),
            con,
            "voortgang",
            quarter,
        )
    write_index(s)
    return PartialResult(MaterializeResult(metadata={"period": quarter, "files": "\n".join(paths)}), left_out)


@asset(
    **PRODUCT,
    partitions_def=QUARTERLY,
    check_specs=[PARTS["wijkrapportage"].check],
    description="Wijkrapportage per quarter: clients per 1,000 inhabitants by law and main group, first line against "
    "specialist care, trend, and clients against the programme's wijk yardsticks.",
)
@PARTS["wijkrapportage"]
def wijkrapportage(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    start = context.partition_time_window.start.replace(tzinfo=None)
    s = warehouse.settings
    quarter = aanbieders.quarter_label(start)
    with warehouse.read_published() as con:
        report = wijken.build(con, start)
        report.sections.insert(0, commentary("wijken", quarter))
        _dress([report], "wijken", con, stale_lines(con))
    paths = _write_both(s.reports_dir / "wijken" / quarter, report, _versions(s))
    write_index(s)
    return MaterializeResult(metadata={"period": quarter, "files": "\n".join(paths)})


monthly_job = define_asset_job(
    "budgethoudersrapportage",
    selection=[budgethoudersrapportage],
    partitions_def=MONTHLY,
    executor_def=in_process_executor,
)
quarterly_job = define_asset_job(
    "kwartaalrapportages",
    selection=[kwartaaloverzicht_aanbieders, voortgangsrapportage, wijkrapportage],
    partitions_def=QUARTERLY,
    executor_def=in_process_executor,
)


def current_periods(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(monthly key, quarterly key) of programming.inputs.latest_month; the quarter
    is that month's if the month closes it, else the quarter before."""
    month = latest_month(con)
    if month is None:
        return None
    quarter = pd.Timestamp(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
    if month.month % 3 != 0:
        quarter -= pd.DateOffset(months=3)
    return f"{month:%Y-%m-%d}", f"{quarter:%Y-%m-%d}"


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[nightly_job],
    request_jobs=[monthly_job, quarterly_job],
    name="reports_after_nightly",
    default_status=DefaultSensorStatus.RUNNING,
    description="After a successful nightly build, render the current period.",
)
def reports_after_nightly(context, warehouse: Warehouse):
    with warehouse.read_published() as con:
        periods = current_periods(con)
    if periods is None:
        return SkipReason("no booked invoice lines yet")
    month, quarter = periods
    run = context.dagster_run.run_id
    return [
        RunRequest(run_key=f"{run}-m", job_name=monthly_job.name, partition_key=month),
        RunRequest(run_key=f"{run}-q", job_name=quarterly_job.name, partition_key=quarter),
    ]


def _previous(execution: dt.datetime, months: int) -> str:
    first = pd.Timestamp(execution.year, execution.month, 1) - pd.DateOffset(months=months)
    return f"{first:%Y-%m-%d}"


@schedule(
    job=monthly_job,
    cron_schedule="0 6 8 * *",
    execution_timezone="Europe/Amsterdam",
    name="budgethouder_tweede_week",
    default_status=DefaultScheduleStatus.RUNNING,
    description="003: the budget-holder report in the second week of the month, for the month before.",
)
def budgethouder_schedule(context: ScheduleEvaluationContext):
    return RunRequest(partition_key=_previous(context.scheduled_execution_time, 1))


@schedule(
    job=quarterly_job,
    cron_schedule="0 6 15 1,4,7,10 *",
    execution_timezone="Europe/Amsterdam",
    name="kwartaal_maand_erna",
    default_status=DefaultScheduleStatus.RUNNING,
    description="003: provider overview, progress report and wijk report in the month after the quarter.",
)
def quarterly_schedule(context: ScheduleEvaluationContext):
    return RunRequest(partition_key=_previous(context.scheduled_execution_time, 3))


ASSETS = [budgethoudersrapportage, kwartaaloverzicht_aanbieders, voortgangsrapportage, wijkrapportage]
JOBS = [monthly_job, quarterly_job]
SCHEDULES = [budgethouder_schedule, quarterly_schedule]
SENSORS = [reports_after_nightly]


def render_current(defs: Definitions, instance: DagsterInstance, warehouse: Warehouse) -> bool:
    """What the sensor does, in this process: render the current month and quarter (used by ``grip nightly``).
    The caller hands in the code location's definitions, so this layer never imports them."""
    with warehouse.read_published() as con:
        periods = current_periods(con)
    if periods is None:
        return True
    month, quarter = periods
    ok = defs.resolve_job_def(monthly_job.name).execute_in_process(partition_key=month, instance=instance).success
    quarterly = defs.resolve_job_def(quarterly_job.name)
    return quarterly.execute_in_process(partition_key=quarter, instance=instance).success and ok
