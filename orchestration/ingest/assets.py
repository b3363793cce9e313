"""One asset per tabular feed: new deliveries in the landing zone -> raw.<source>_<entity>."""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
)

from orchestration.lib.config import settings
from orchestration.lib.warehouse import connect

from .contracts import CONTRACTS, Contract
from .landing import ingest_contract


def build_ingest_asset(contract: Contract):
    key = AssetKey(["raw", contract.table])

    @asset(
        key=key,
        group_name=f"ingest_{contract.source}",
        description=f"{contract.description} Loaded from landing/{contract.pattern} ({contract.delivery} delivery).",
        check_specs=[AssetCheckSpec("deliveries_accepted", asset=key,
                                    description="Warns when a delivery was quarantined or rows were rejected.")],
        kinds={"duckdb", "python"},
    )
    def _ingest(context: AssetExecutionContext) -> MaterializeResult:
        s = settings()
        with connect(s) as con:
            outcomes = ingest_contract(con, s, contract)
            total = con.execute(f"select count(*) from raw.{contract.table}").fetchone()[0]
        counts = {k: sum(1 for o in outcomes if o.status == k) for k in ("loaded", "duplicate", "quarantined")}
        rejected = sum(o.rows_rejected for o in outcomes)
        problems = [f"{o.file}: {o.reason}" for o in outcomes if o.status == "quarantined"]
        for o in outcomes:
            if o.status == "quarantined":
                context.log.warning(f"quarantined {o.file}: {o.reason}")
        return MaterializeResult(
            metadata={
                "deliveries_loaded": counts["loaded"],
                "deliveries_duplicate": counts["duplicate"],
                "deliveries_quarantined": counts["quarantined"],
                "rows_loaded": sum(o.rows_loaded for o in outcomes),
                "rows_rejected": rejected,
                "rows_in_table": int(total),
            },
            check_results=[AssetCheckResult(
                check_name="deliveries_accepted",
                passed=not problems and rejected == 0,
                severity=AssetCheckSeverity.WARN,
                metadata={"quarantined": "\n".join(problems) or "none", "rows_rejected": rejected},
            )],
        )

    return _ingest


ingest_assets = [build_ingest_asset(c) for c in CONTRACTS]
