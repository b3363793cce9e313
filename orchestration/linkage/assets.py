"""The link table: every STAPP and CJG person with the SUITE4 client it belongs to, if any."""

import duckdb
import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.lib.config import settings
from orchestration.lib.linkage import LinkageSettings, link, prepare_persons
from orchestration.lib.warehouse import connect

# linkage source -> its persons' source in restricted.linkage_persons
SOURCES = {"suite4": "suite4_clienten", "stapp": "stapp_klanten", "cjg": "cjg_jeugdigen"}


def read_persons(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The persons of each source from the restricted linkage table, standardised for linkage."""
    persons = con.execute("""
        select source, source_key, client_key, coalesce(voornamen, voornaam) as given_names, achternaam,
               birth_date, postcode, _loaded_at
        from restricted.linkage_persons""").df()
    return {name: prepare_persons(persons[persons["source"] == table], name, "given_names", "achternaam")
            for name, table in SOURCES.items()}


def apply_retention(con: duckdb.DuckDBPyConnection, days: int) -> int:
    """DPIA: names and addresses for linkage are kept no longer than configured; returns rows removed."""
    return con.execute("delete from restricted.linkage_persons where _loaded_at < now() - ?::integer * interval 1 day",
                       [days]).fetchone()[0]


@asset(key=AssetKey(["linkage", "client_links"]),
       deps=[AssetKey(["raw", t]) for t in SOURCES.values()],
       group_name="linkage", kinds={"duckdb", "python"},
       description="STAPP and CJG persons linked to SUITE4 clients: on the BSN where both know it, else "
                   "probabilistically (Splink) on name, birth date and postcode. Pseudonymous keys only.")
def client_links(context: AssetExecutionContext) -> MaterializeResult:
    s = settings()
    cfg = LinkageSettings()
    with connect(s) as con:
        if s.linkage_retention_days:
            removed = apply_retention(con, s.linkage_retention_days)
            context.log.info(f"retention: removed {removed} linkage rows older than {s.linkage_retention_days} days")
        prepared = read_persons(con)
        links = link(prepared["suite4"], pd.concat([prepared["stapp"], prepared["cjg"]], ignore_index=True), cfg)
        con.execute("create schema if not exists linkage")
        con.register("_links", links)
        try:
            con.execute("""
                create or replace table linkage.client_links as
                select source, source_key, suite4_key, client_key, match_probability, method
                from _links order by source, source_key""")
        finally:
            con.unregister("_links")
        summary = con.execute("""
            select source, count(*) as persons, count(suite4_key) as linked,
                   count(*) filter (where method = 'bsn') as on_bsn,
                   count(*) filter (where method = 'probabilistisch') as probabilistic,
                   count(*) filter (where suite4_key is null and match_probability >= 0.5) as doubtful
            from linkage.client_links group by 1 order by 1""").fetchall()
    meta = {f"{src}_{k}": v for src, *vals in summary
            for k, v in zip(("persons", "linked", "on_bsn", "probabilistic", "doubtful_unlinked"), vals)}
    context.log.info(f"linkage: {meta}")
    return MaterializeResult(metadata={**meta, "threshold": cfg.threshold})
