"""Data-quality assets and checks: thin wrappers around the catalogue, the GX runner and the store.

- ``quality/element_validations``: every new or changed delivery period of every table, validated.
- ``quality/element_status``: category a-e per element now, with a warning check on dips.
- ``quality/question_feasibility``: Bijlage 2 category per question.
- a blocking ``keys_unique`` check on each raw table with a key: duplicates stop the marts.
"""

import datetime as dt
import time

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
    asset_check,
)

from orchestration.dbt.assets import dbt_key
from orchestration.ingest.assets import raw_key
from orchestration.lib.resources import Warehouse
from orchestration.lib.warehouse import replace_table

from . import store
from .batches import validate_table
from .catalogue import EXPECTATIONS_DIR, load_elements, load_suite
from .gx import Validator
from .keys import check_keys
from .store import append_validations, done_fingerprints, ensure_schema

TABLES = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))  # the kept suites; a test keeps them in step


def _key(table: str) -> AssetKey:
    """``raw.<table>`` is an ingest asset; any other suite validates a dbt model, keyed as the manifest says."""
    schema, name = table.split(".")
    return raw_key(name) if schema == "raw" else dbt_key(name)


@asset(
    key_prefix="quality",
    group_name="quality",
    kinds={"duckdb", "great_expectations"},
    deps=[_key(t) for t in TABLES],
    description="Great Expectations suites of expectations/ run on every new or changed delivery period; "
    "measures per element and period appended to quality.element_validations (history).",
)
def element_validations(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    s = warehouse.settings
    elements = {e.element_id: e for e in load_elements()}
    validator = Validator()
    started, now = time.monotonic(), dt.datetime.now()
    batches = read = 0
    with warehouse.connect() as con:
        ensure_schema(con)
        for table in TABLES:
            rows, n = validate_table(
                con, validator, table, load_suite(table), elements, done_fingerprints(con, table), s.dq_recent_periods
            )
            append_validations(con, rows, now)
            batches += len({r["period"] for r in rows})
            read += n
    seconds = time.monotonic() - started
    context.log.info(f"validated {batches} batches, {read:,} rows in {seconds:.1f} s")
    return MaterializeResult(metadata={"batches_validated": batches, "rows_read": read, "seconds": round(seconds, 2)})


@asset(
    key_prefix="quality",
    group_name="quality",
    kinds={"duckdb"},
    deps=[element_validations],
    check_specs=[
        AssetCheckSpec(
            "fill_rate_dips",
            asset=AssetKey(["quality", "element_status"]),
            description="Warns when an element falls to category e, gets a worse category "
            "or loses 5 points of fill rate since the previous delivery.",
        )
    ],
    description="quality.element_status: per data element its latest delivery period, fill rate, category a-e "
    "(003 §2.2.2), the previous period and a warning on dips.",
)
def element_status(context: AssetExecutionContext, warehouse: Warehouse):
    with warehouse.connect() as con:
        ensure_schema(con)
        status = store.element_status(con, load_elements())
        replace_table(con, "quality.element_status", status)
    counts = status["category"].value_counts().to_dict()
    warned = status[status["warning"].notna()]
    yield MaterializeResult(metadata={f"category_{c}": int(counts.get(c, 0)) for c in "abcde"})
    yield AssetCheckResult(
        check_name="fill_rate_dips",
        passed=warned.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "elements_warned": len(warned),
            "warnings": "\n".join(f"{r.element_id} ({r.period}): {r.warning}" for r in warned.itertuples())[:4000]
            or "none",
        },
    )


@asset(
    key_prefix="quality",
    group_name="quality",
    kinds={"duckdb"},
    deps=[element_status, dbt_key("question_catalogue")],
    description="quality.question_feasibility: per question the Bijlage 2 category (te beantwoorden, "
    "procesaanpassing nodig, nog niet, niet te beantwoorden) and why, from its elements.",
)
def question_feasibility(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    with warehouse.connect() as con:
        status = con.execute("select * from quality.element_status").df()
        frame = store.question_feasibility(con, status)
        replace_table(con, "quality.question_feasibility", frame)
    return MaterializeResult(metadata={k: int(v) for k, v in frame["feasibility"].value_counts().items()})


def build_key_check(table: str):
    @asset_check(
        asset=_key(table),
        name="keys_unique",
        blocking=True,
        description=f"Blocking: key columns of {table} unique (expectations/{table}.json, measure 'key').",
    )
    def _check(context: AssetCheckExecutionContext, warehouse: Warehouse) -> AssetCheckResult:
        with warehouse.connect() as con:
            checked = check_keys(con, Validator(), table, load_suite(table))
        failed = [o for o in checked.outcomes if o.unexpected_count]
        return AssetCheckResult(
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "new_deliveries": checked.new_deliveries,
                "rows_read": checked.rows_read,
                "duplicates": sum(o.unexpected_count for o in failed),
                "failures": "\n".join(
                    f"{o.element_id}: {o.unexpected_count} duplicate rows, e.g. {o.samples[:3]}" for o in failed
                )
                or "none",
            },
        )

    return _check


CHECKS = [
    build_key_check(t)
    for t in TABLES
    if t.startswith("raw.") and any(e["meta"]["measure"] == "key" for e in load_suite(t)["expectations"])
]
ASSETS = [element_validations, element_status, question_feasibility]
