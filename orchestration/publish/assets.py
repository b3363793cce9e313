"""The published warehouse: the read-only copy that analysts, the portal and the report products read.

Publishing is its own layer because it depends on every other one: it copies the warehouse
only after every asset of the nightly has written, and only when the privacy scan of the
copy, the Parquet exports and the reports finds nothing. Its upstream keys are handed in by
``definitions.py`` from the merged layers, so no layer has to know all the others.
"""

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration.lib.privacy import person_names, report_digests, scan_database, scan_parquet, scan_reports
from orchestration.lib.resources import Warehouse
from orchestration.lib.warehouse import promote

from .copy import Candidate, build_published

PUBLISHED = AssetKey(["published_warehouse"])


def build_published_warehouse(upstream: Iterable[AssetKey]) -> AssetsDefinition:
    """The publishing asset, downstream of ``upstream``: every asset of the nightly that writes
    to the warehouse or the reports folder, which the privacy scan reads."""
    deps = sorted(set(upstream), key=lambda k: k.to_user_string())

    @asset(
        key=PUBLISHED,
        deps=deps,
        group_name="publish",
        kinds={"duckdb", "parquet"},
        check_specs=[
            AssetCheckSpec(
                "privacy_scan",
                asset=PUBLISHED,
                blocking=True,
                description="Nothing published holds a BSN, a client's full name or a full "
                "postcode: every text column, Parquet export and report is searched.",
            )
        ],
        description="Read-only copy of the warehouse for analysts (without the restricted schema), plus Parquet "
        "exports of every mart; published only when the privacy scan finds nothing.",
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: Warehouse):
        s = warehouse.settings
        exports = s.exports_dir.with_name(s.exports_dir.name + ".tmp")
        shutil.rmtree(exports, ignore_errors=True)
        with warehouse.connect() as con:
            names = (
                person_names(con)
                if con.execute("select count(*) from duckdb_tables() where schema_name = 'restricted'").fetchone()[0]
                else set()
            )
        candidate = build_published(s, names)
        with warehouse.connect() as con:
            marts, exported = export_marts(con, candidate, s.exports_dir, exports)
        findings, values = scan_database(candidate.path, names, s.duckdb_config(), candidate.to_scan())
        more, scanned = scan_parquet(exports, names, s.duckdb_config(), None if candidate.names_changed else exported)
        findings += more
        digests = report_digests(s.reports_dir) if s.reports_dir.exists() else {}
        more, files = scan_reports(s.reports_dir, names, candidate.reports_to_scan(digests)) if digests else ([], 0)
        findings += more
        metadata = {
            "text_values_scanned": values + scanned,
            "tables_copied": len(candidate.copied),
            "tables_kept": len(candidate.tables) - len(candidate.copied),
            "report_files_scanned": files,
            "report_files_kept": len(digests) - files,
            "findings": len(findings),
            "examples": "\n".join(f"{f.rule}: {f.where}" for f in findings[:20]) or "none",
        }
        if findings:  # never publish: the previous copy and exports stay as they were
            candidate.path.unlink(missing_ok=True)
            shutil.rmtree(exports, ignore_errors=True)
            yield AssetCheckResult(
                check_name="privacy_scan", passed=False, severity=AssetCheckSeverity.ERROR, metadata=metadata
            )
            raise Failure(description=f"privacy scan: {len(findings)} finding(s), nothing published", metadata=metadata)
        candidate.record_reports(digests, s.duckdb_config())
        path = promote(candidate.path, s.published_warehouse)
        promote(exports, s.exports_dir)
        yield MaterializeResult(metadata={"path": str(path), "parquet_exports": ", ".join(marts)})
        yield AssetCheckResult(
            check_name="privacy_scan", passed=True, severity=AssetCheckSeverity.ERROR, metadata=metadata
        )

    return published_warehouse


def export_marts(con, candidate: Candidate, current: Path, target: Path) -> tuple[list[str], set[Path]]:
    """A Parquet file per mart in ``target``: written again for a mart copied this time, hard-linked from the
    ``current`` exports for one that did not change. Returns the marts and the files written."""
    marts = sorted(r.split('"')[3] for r in candidate.tables if r.startswith('"marts".'))
    written = set()
    for name in marts:
        (target / name).mkdir(parents=True, exist_ok=True)
        file, kept = target / name / "data.parquet", current / name / "data.parquet"
        if f'"marts"."{name}"' not in candidate.copied and kept.exists():
            os.link(kept, file)  # same file system; the promote renames the folder, the old name goes with it
            continue
        con.execute(f"copy marts.\"{name}\" to '{file}' (format parquet)")
        written.add(file)
    return marts, written
