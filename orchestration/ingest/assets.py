"""One asset per feed (several for a feed that fills several raw tables): landing zone -> raw tables."""

import datetime as dt

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from orchestration.lib.resources import Warehouse
from orchestration.lib.table_metadata import table_metadata

from .feeds import FEEDS, Feed
from .landing import ingest_feed


def build_ingest_asset(feed: Feed):
    keys = [AssetKey(["raw", table]) for table in feed.tables]
    check = AssetCheckSpec(
        "deliveries_accepted", asset=keys[0], description="Warns when a delivery was quarantined or rows were rejected."
    )
    fresh = AssetCheckSpec(
        "feed_fresh",
        asset=keys[0],
        description="Warns when the feed has not delivered for GRIP_FEED_MAX_AGE_DAYS days.",
    )

    @multi_asset(
        name=f"ingest_{feed.name}",
        specs=[
            AssetSpec(
                k,
                group_name="ingest",
                tags={"grip/source": feed.source},
                kinds={"duckdb", "python"},
                description=f"{feed.description} Landing pattern: {feed.pattern}.",
            )
            for k in keys
        ],
        check_specs=[check, fresh],
    )
    def _ingest(context: AssetExecutionContext, warehouse: Warehouse):
        s = warehouse.settings
        with warehouse.connect() as con:
            outcomes = ingest_feed(con, s, feed)
            tables = {t: table_metadata(con, "raw", t) for t in feed.tables}
            last = con.execute(
                "select max(processed_at) from raw.ingest_log where entity = ? and status = 'loaded'", [feed.name]
            ).fetchone()[0]
        counts = {k: sum(1 for o in outcomes if o.status == k) for k in ("loaded", "duplicate", "quarantined")}
        rejected = sum(o.rows_rejected for o in outcomes)
        problems = [f"{o.file}: {o.reason}" for o in outcomes if o.status == "quarantined"]
        for p in problems:
            context.log.warning(f"quarantined {p}")
        for key, table in zip(keys, feed.tables, strict=True):
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "deliveries_loaded": counts["loaded"],
                    "deliveries_duplicate": counts["duplicate"],
                    "deliveries_quarantined": counts["quarantined"],
                    "rows_rejected": rejected,
                    **tables[table],  # dagster/row_count and dagster/column_schema
                },
            )
        yield AssetCheckResult(
            asset_key=keys[0],
            check_name="deliveries_accepted",
            passed=not problems and rejected == 0,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "quarantined": "\n".join(problems[:50]) or "none",
                "quarantined_count": len(problems),
                "rows_rejected": rejected,
            },
        )
        age = (dt.datetime.now() - last).days if last is not None else None
        yield AssetCheckResult(
            asset_key=keys[0],
            check_name="feed_fresh",
            severity=AssetCheckSeverity.WARN,
            # a feed that never delivered is a source the municipality does not deliver (yet), not a silent one:
            # its questions say bron_niet_geleverd and the data-quality report lists it
            passed=age is None or age <= s.feed_max_age_days,
            description="nog nooit geleverd: de vragen die op deze bron rusten hebben de status bron_niet_geleverd"
            if age is None
            else f"laatste aanlevering {age} dagen geleden (grens {s.feed_max_age_days})",
            metadata={
                "last_delivery_loaded": str(last) if last else "never",
                "age_days": age if age is not None else -1,
                "max_age_days": s.feed_max_age_days,
            },
        )

    return _ingest


ASSETS = [build_ingest_asset(f) for f in FEEDS]
RAW_TABLES = {table for feed in FEEDS for table in feed.tables}


def raw_key(table: str) -> AssetKey:
    """The key of the ingest asset that fills ``raw.<table>``; fails at load time for a table no feed fills."""
    if table not in RAW_TABLES:
        raise KeyError(f"no feed fills raw.{table}; known: {', '.join(sorted(RAW_TABLES))}")
    return AssetKey(["raw", table])
