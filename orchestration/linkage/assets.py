"""The link table: every STAPP and CJG person with the SUITE4 client it belongs to, if any."""

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import splink
from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.ingest.assets import raw_key
from orchestration.lib import linkage
from orchestration.lib.linkage import LinkageSettings, link, prepare_persons
from orchestration.lib.resources import Warehouse

_CODE = Path(linkage.__file__).read_bytes() + Path(__file__).read_bytes()

# linkage source -> its persons' source in restricted.linkage_persons
SOURCES = {"suite4": "suite4_clienten", "stapp": "stapp_klanten", "cjg": "cjg_jeugdigen"}


def read_persons(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The persons of each source from the restricted linkage table, standardised for linkage."""
    persons = con.execute("""
        select source, source_key, client_key, coalesce(voornamen, voornaam) as given_names, achternaam,
               birth_date, postcode, _loaded_at
        from restricted.linkage_persons""").df()
    return {
        name: prepare_persons(persons[persons["source"] == table], name, "given_names", "achternaam")
        for name, table in SOURCES.items()
    }


def apply_retention(con: duckdb.DuckDBPyConnection, days: int) -> int:
    """DPIA: names and addresses for linkage are kept no longer than configured; returns rows removed."""
    return con.execute(
        "delete from restricted.linkage_persons where _loaded_at < now() - ?::integer * interval 1 day", [days]
    ).fetchone()[0]


def inputs_fingerprint(prepared: dict[str, pd.DataFrame], cfg: LinkageSettings) -> str:
    """Everything the links follow from: the standardised persons Splink is given (in order: its
    sampling is seeded by row), the settings, this code and the libraries. Load times are left out,
    so a rerun of the same deliveries gives the same fingerprint."""
    h = hashlib.sha256(_CODE + repr((cfg, duckdb.__version__, splink.__version__)).encode())
    for name, frame in sorted(prepared.items()):
        h.update(name.encode() + pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint stored with the links, if both are there."""
    found = con.execute("""select count(*) from duckdb_tables() where (schema_name, table_name) in
                           (('restricted', 'client_links_inputs'), ('linkage', 'client_links'))""").fetchone()[0]
    return con.execute("select fingerprint from restricted.client_links_inputs").fetchone()[0] if found == 2 else None


@asset(
    key_prefix="linkage",
    deps=[raw_key(t) for t in SOURCES.values()],
    group_name="linkage",
    kinds={"duckdb", "python"},
    description="STAPP and CJG persons linked to SUITE4 clients: on the BSN where both know it, else "
    "probabilistically (Splink) on name, birth date and postcode. Pseudonymous keys only.",
)
def client_links(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    s = warehouse.settings
    cfg = LinkageSettings()
    with warehouse.connect() as con:
        if s.linkage_retention_days:
            removed = apply_retention(con, s.linkage_retention_days)
            context.log.info(f"retention: removed {removed} linkage rows older than {s.linkage_retention_days} days")
        prepared = read_persons(con)
        fingerprint = inputs_fingerprint(prepared, cfg)
        unchanged = fingerprint == _last_fingerprint(con)
        if unchanged:  # a night of message traffic only: at scale 10 this saves most of linkage's 74 s
            context.log.info("linkage: persons, settings and code unchanged since the last build; links kept")
        else:
            _relink(con, prepared, cfg, fingerprint, s.duckdb_config())
        summary = con.execute("""
            select source, count(*) as persons, count(suite4_key) as linked,
                   count(*) filter (where method = 'bsn') as on_bsn,
                   count(*) filter (where method = 'probabilistisch') as probabilistic,
                   count(*) filter (where suite4_key is null and match_probability >= 0.5) as doubtful
            from linkage.client_links group by 1 order by 1""").fetchall()
    meta = {
        f"{src}_{k}": v
        for src, *vals in summary
        for k, v in zip(("persons", "linked", "on_bsn", "probabilistic", "doubtful_unlinked"), vals, strict=True)
    }
    context.log.info(f"linkage: {meta}")
    return MaterializeResult(metadata={**meta, "threshold": cfg.threshold, "inputs_unchanged": unchanged})


def _relink(
    con: duckdb.DuckDBPyConnection,
    prepared: dict[str, pd.DataFrame],
    cfg: LinkageSettings,
    fingerprint: str,
    duckdb_config: dict,
) -> None:
    """Link again and store the links with the fingerprint of what they were computed from."""
    links = link(
        prepared["suite4"], pd.concat([prepared["stapp"], prepared["cjg"]], ignore_index=True), cfg, duckdb_config
    )
    con.execute("create schema if not exists linkage")
    con.register("_links", links)
    try:
        con.execute("""
            create or replace table linkage.client_links as
            select source, source_key, suite4_key, client_key, match_probability, method
            from _links order by source, source_key""")
    finally:
        con.unregister("_links")
    # last: a crash before it leaves the previous fingerprint, which makes the next build link again
    con.execute(
        "create or replace table restricted.client_links_inputs as select ?::varchar as fingerprint", [fingerprint]
    )
