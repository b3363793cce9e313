"""Optional parts of the nightly, which fail on their own (docs/reliability.md, "Fault isolation").

What blocks publication is decided once: a broken key or a failing dbt test in the data the
marts are built from, and the privacy scan. Everything after the marts that a reader can do
without (the baseline forecast, the scenarios, the realisation against the programme, the
provider risk profile, the budget table, the stamkaarten, the data-quality report and each
report product) is an *optional part*: when it fails, the marts, the answers and the data
quality are still published, the part keeps its previous output (its tables are only replaced
when it succeeds), and the failure is visible in four places:

- the Dagster run: the asset's ``part_current`` check fails (WARN) with the reason;
- ``meta.part_status``: one row per nightly part with its state, the reason and when it last
  succeeded, published with the warehouse, so reports and stamkaarten print a line for each stale part
  (the report products only read the published copy, so they record nothing there);
- ``$GRIP_DATA_DIR/alerts/<run>.<part>.json``, like the alert of a failed run;
- the asset's materialisation metadata (``bijgewerkt: false`` and ``reden``).

A part may also report a partial result (``PartialResult``): one scenario file of three skipped,
say. It counts as current, and its check fails with what was left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MaterializeResult

from .resources import Warehouse

CHECK = "part_current"
STATUS_TABLE = "meta.part_status"
DDL = f"""
create schema if not exists meta;
create table if not exists {STATUS_TABLE} (
    part varchar primary key, label varchar, status varchar, reason varchar,
    checked_at timestamp, last_success_at timestamp)
"""
# What a reader sees for each state (Dutch: reports and stamkaarten print it).
STATES = {"actueel": "bijgewerkt", "deels": "deels bijgewerkt", "mislukt": "niet bijgewerkt"}


@dataclass
class PartialResult:
    """Returned (or yielded last) by a part that did its work but left something out, with why."""

    result: object
    left_out: list[str] = field(default_factory=list)


def record(con: duckdb.DuckDBPyConnection, part: str, label: str, status: str, reason: str = "") -> None:
    """One row per part: its state now and when it last succeeded."""
    con.execute(DDL)
    now = dt.datetime.now()
    con.execute(
        f"""
        insert into {STATUS_TABLE} values (?, ?, ?, ?, ?, ?)
        on conflict (part) do update set label = excluded.label, status = excluded.status,
            reason = excluded.reason, checked_at = excluded.checked_at,
            last_success_at = coalesce(excluded.last_success_at, {STATUS_TABLE}.last_success_at)""",
        [part, label, status, reason or None, now, now if status != "mislukt" else None],
    )


def stale_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One Dutch sentence per part that is not fully current (which part, since when, and why), for
    the line on reports and stamkaarten; empty when all are current or no part ran yet."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'part_status'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    lines = []
    for label, status, reason, last_success_at in con.execute(
        f"select label, status, reason, last_success_at from {STATUS_TABLE} where status <> 'actueel' order by part"
    ).fetchall():
        since = f"; laatst bijgewerkt {last_success_at:%d-%m-%Y %H:%M}" if last_success_at else "; nog nooit gelukt"
        lines.append(f"{label}: {STATES.get(status, status)}{since}. Reden: {reason}")
    return lines


def _alert(warehouse: Warehouse, run_id: str, job: str, part: str, reason: str) -> None:
    folder = warehouse.settings.data_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    alert = {
        "job": job,
        "run_id": run_id,
        "part": part,
        "failed_at": dt.datetime.now().isoformat(timespec="seconds"),
        "error": reason,
        "published": "de rest van de run wordt gepubliceerd; wat mislukte houdt zijn vorige uitvoer",
    }
    (folder / f"{run_id}.{part}.json").write_text(json.dumps(alert, indent=2, ensure_ascii=False), encoding="utf-8")


def _reason(exc: BaseException) -> str:
    """The exception's own message, with its type only when the message alone would not say much."""
    text = str(exc).strip() or type(exc).__name__
    return text if isinstance(exc, (ValueError, KeyError, LookupError)) else f"{type(exc).__name__}: {text}"


@dataclass(frozen=True)
class Part:
    """One optional part: its asset, its Dutch label, and whether it records its state in the warehouse.

    ``part.check`` is the check spec the asset declares; ``@part`` decorates the asset body, which takes
    ``context`` and ``warehouse`` and returns or yields its results as usual (a ``PartialResult`` last
    when it left something out). ``record_status=False`` for parts that only read the published copy
    (the report products, run by their own jobs after the nightly): they must not become writers of the
    warehouse, so their state is in their check and alert file only."""

    key: AssetKey
    label: str
    record_status: bool = True

    @property
    def name(self) -> str:
        return ".".join(self.key.path)

    @property
    def check(self) -> AssetCheckSpec:
        """Passes when the part is current."""
        return AssetCheckSpec(
            CHECK,
            asset=self.key,
            description=f"{self.label}: bijgewerkt in deze run. Faalt (waarschuwing) met de reden wanneer dit "
            "onderdeel mislukte of iets oversloeg; de rest van de nightly wordt dan toch gepubliceerd.",
        )

    def _record(self, warehouse: Warehouse, status: str, reason: str) -> None:
        if self.record_status:
            with warehouse.connect() as con:
                record(con, self.name, self.label, status, reason)

    def __call__(self, body: Callable) -> Callable:
        key, label = self.key, self.label

        @functools.wraps(body)
        def wrapper(*args, **kwargs):
            context = args[0] if args else kwargs["context"]  # Dagster passes the context first, by position
            warehouse = kwargs["warehouse"]
            try:
                produced = body(*args, **kwargs)
                results = list(produced) if inspect.isgenerator(produced) else [produced]
            except Exception as exc:  # noqa: BLE001 - the point: any failure of this part stays in this part
                reason = _reason(exc)
                context.log.error(f"{label} mislukt, de rest gaat door: {reason}\n{traceback.format_exc()}")
                self._record(warehouse, "mislukt", reason)
                _alert(warehouse, context.run_id, context.dagster_run.job_name, self.name, reason)
                yield MaterializeResult(asset_key=key, metadata={"bijgewerkt": False, "reden": reason})
                yield AssetCheckResult(
                    asset_key=key,
                    check_name=CHECK,
                    passed=False,
                    severity=AssetCheckSeverity.WARN,
                    description=f"{label} is niet bijgewerkt: {reason}",
                    metadata={"reden": reason},
                )
                for other in context.selected_asset_check_keys:  # the part's own checks could not run
                    if other.name != CHECK:
                        yield AssetCheckResult(
                            asset_key=other.asset_key,
                            check_name=other.name,
                            passed=False,
                            severity=AssetCheckSeverity.WARN,
                            description=f"niet uitgevoerd: {label} mislukte ({reason})",
                        )
                return
            left_out: list[str] = []
            for r in results:
                if isinstance(r, PartialResult):
                    left_out += r.left_out
                    r = r.result
                if r is not None:
                    yield r
            reason = "; ".join(left_out)
            self._record(warehouse, "deels" if left_out else "actueel", reason)
            if left_out:
                _alert(warehouse, context.run_id, context.dagster_run.job_name, self.name, reason)
            yield AssetCheckResult(
                asset_key=key,
                check_name=CHECK,
                passed=not left_out,
                severity=AssetCheckSeverity.WARN,
                description=f"{label}: {'deels bijgewerkt: ' + reason if left_out else 'bijgewerkt'}",
                metadata={"overgeslagen": reason or "niets"},
            )

        return wrapper
