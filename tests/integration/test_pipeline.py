"""The whole asset graph on generated feeds, in a temporary data directory."""

import duckdb
import pandas as pd
import pytest
from dagster import AssetKey, materialize

from orchestration.ingest.assets import ASSETS as INGEST
from orchestration.lib.config import settings
from orchestration.lib.resources import Warehouse


def ingest(data_dir):
    """Only the ingest layer, against the warehouse of ``data_dir``: what these tests check is
    decided there, and the rest of the nightly would cost a minute per run."""
    result = materialize(INGEST, resources={"warehouse": Warehouse(data_dir=str(data_dir))})
    assert result.success
    return result


def query(data_dir, sql):
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@pytest.mark.integration
def test_nightly_runs_every_kind_of_writer_in_one_job(built, small_feeds, monkeypatch):
    data_dir, result = built
    monkeypatch.setenv("GRIP_DATA_DIR", str(data_dir))
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    # Python ingest writers, the dbt subprocess writer and downstream Python writers in one run
    assert {
        "ingest_suite4_budget",
        "ingest_suite4_berichten",
        "dbt_models",
        "reports__rpt_budget_by_year",
        "published_warehouse",
    } <= steps

    truth = pd.read_parquet(small_feeds / "manifest" / "budget.parquet")
    mart = query(
        data_dir, "select budget_year as year, law, main_group as hoofdgroep, budget_cents from marts.fct_budget"
    )
    merged = truth.merge(mart, on=["year", "law", "hoofdgroep"], how="outer", suffixes=("_truth", "_mart"))
    assert len(merged) == len(truth) and (merged["budget_cents_truth"] == merged["budget_cents_mart"]).all()

    report = query(data_dir, "select budget_year, law, budget_cents from reports.rpt_budget_by_year")
    expected = truth.groupby(["year", "law"], as_index=False)["budget_cents"].sum()
    assert sorted(map(tuple, report.values.tolist())) == sorted(map(tuple, expected.values.tolist()))
    csv_path = data_dir / "reports" / "budget_by_year.csv"
    assert csv_path.read_text().startswith("# SYNTHETISCHE DATA")
    csv = pd.read_csv(csv_path, comment="#")  # euros only: plain-text cents can read as a BSN
    assert list(csv.columns) == ["municipality_code", "budget_year", "law", "budget_eur"]
    shown = {(int(y), law): eur for y, law, eur in zip(csv["budget_year"], csv["law"], csv["budget_eur"], strict=True)}
    assert shown == pytest.approx({(int(y), law): cents / 100 for y, law, cents in expected.values.tolist()})
    assert (data_dir / "exports" / "fct_budget" / "data.parquet").exists()
    assert (data_dir / "exports" / "question_answers" / "data.parquet").exists()
    assert "question_answers" in (data_dir / "dbt_docs" / "catalog.json").read_text()
    published = duckdb.connect(str(settings().published_warehouse), read_only=True)
    assert published.execute("select count(*) from marts.fct_budget").fetchone()[0] == len(truth)
    published.close()


@pytest.mark.integration
def test_every_delivery_is_loaded_once_or_quarantined_for_a_reason(data_dir, small_feeds):
    landing = small_feeds / "landing"
    delivered = {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file() and p.name != "SYNTHETIC.md"}
    ingest(data_dir)
    defects = pd.read_parquet(small_feeds / "manifest" / "defects.parquet")
    log = query(data_dir, "select file, status, reason from raw.ingest_log")
    assert set(log["file"]) == delivered and len(log) == len(delivered)

    malformed = set(defects.loc[defects["kind"] == "malformed_xml", "file"])
    quarantined = log[log["status"] == "quarantined"]
    assert set(quarantined["file"]) == malformed
    assert quarantined["reason"].str.startswith("xml:").all()
    for rel in malformed:
        assert (data_dir / "quarantine" / rel).exists()
        assert "rule: xml" in (data_dir / "quarantine" / (rel + ".reason.txt")).read_text()

    twice = defects.loc[defects["kind"] == "delivery_sent_twice"]
    copy, original = twice["file"].iloc[0], twice["detail"].iloc[0].removeprefix("identical to ")
    statuses = dict(log.loc[log["file"].isin([copy, original]), ["file", "status"]].values.tolist())
    assert sorted(statuses.values()) == ["duplicate", "loaded"]
    assert (log["status"] == "loaded").sum() == len(delivered) - len(malformed) - 1

    broken = defects.loc[defects["kind"] == "broken_csv_row"].iloc[0]
    rejected = query(data_dir, "select file, line, rule from raw.rejected_rows")
    assert rejected.values.tolist() == [[broken["file"], int(broken["record"]), "field_count"]]

    tables = query(data_dir, "select table_name from information_schema.tables where table_schema = 'raw'")[
        "table_name"
    ]
    before = {t: query(data_dir, f"select count(*) as n from raw.{t}")["n"][0] for t in tables}
    ingest(data_dir)  # nothing new: nothing changes
    after = {t: query(data_dir, f"select count(*) as n from raw.{t}")["n"][0] for t in tables}
    assert before == after
    assert not [p for p in (data_dir / "landing").rglob("*") if p.is_file() and p.name != "SYNTHETIC.md"]
    archived = [p for p in (data_dir / "archive").rglob("*") if p.is_file()]
    assert len(archived) == len(delivered) - len(malformed)


@pytest.mark.integration
def test_message_figures_match_the_generator(built, small_feeds):
    """Raw declaration lines and allocations equal what the generator sent, line for line."""
    data_dir, _ = built
    truth = pd.read_parquet(small_feeds / "manifest" / "declaration_lines.parquet")
    truth = truth[truth["delivered"]]
    raw = query(
        data_dir, "select referentie_nummer, debet_credit, ingediend_bedrag_cents from raw.ist_declaratieregels"
    )
    assert len(raw) == len(truth)
    signed = truth["amount_cents"].where(truth["debit_credit"] == "D", -truth["amount_cents"])
    assert raw["ingediend_bedrag_cents"].sum() == signed.sum()
    assert sorted(zip(raw["referentie_nummer"], raw["debet_credit"], strict=True)) == sorted(
        zip(truth["reference"], truth["debit_credit"], strict=True)
    )
    messages = pd.read_parquet(small_feeds / "manifest" / "messages.parquet")
    loaded = messages[~messages["malformed"]]
    counts = query(data_dir, "select kind, count(*) as n from raw.ist_berichten group by kind")
    assert dict(counts.values.tolist()) == loaded["kind"].value_counts().to_dict()


@pytest.mark.integration
def test_no_bsn_name_or_postcode_outside_the_linkage_table(built, small_feeds):
    data_dir, _ = built
    clients = pd.read_parquet(small_feeds / "manifest" / "clients.parquet")
    everywhere = (
        set(clients["bsn"]) | set(clients["postcode"]) | set(clients["first_name"] + " " + clients["last_name"])
    )
    last_names = set(clients["last_name"])  # also place names (provider towns): checked in client tables only
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables where table_schema <> 'restricted'"
    ).fetchall()
    for schema, table in tables:
        frame = con.execute(f'select * from "{schema}"."{table}"').df()
        secrets = everywhere | (last_names if "client_key" in frame.columns else set())
        for col in frame.columns:
            values = set(frame[col].dropna().astype(str))
            leaked = values & secrets
            assert not leaked, f"{schema}.{table}.{col} holds personal data, e.g. {sorted(leaked)[:3]}"
    assert con.execute("select count(*) from restricted.linkage_persons").fetchone()[0] > 0
    con.close()


@pytest.mark.integration
def test_the_archive_alone_rebuilds_the_raw_layer(built, tmp_path, monkeypatch):
    from orchestration.ingest.feeds import FEEDS
    from orchestration.ingest.landing import rebuild_from_archive
    from orchestration.lib.warehouse import connect

    data_dir, _ = built
    monkeypatch.setenv("GRIP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GRIP_WAREHOUSE", str(tmp_path / "rebuilt.duckdb"))
    s = settings()
    with connect(s) as con:
        rebuild_from_archive(con, s, FEEDS)
    con = duckdb.connect(str(tmp_path / "rebuilt.duckdb"), read_only=True)
    con.execute(f"attach '{data_dir / 'warehouse' / 'grip.duckdb'}' as original (read_only)")
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'rebuilt' and table_schema = 'raw'"
        ).fetchall()
    ]
    assert "ist_declaratieregels" in tables and "suite4_clienten" in tables
    for t in tables:
        if t == "ingest_log":
            continue
        cols = [
            r[0]
            for r in con.execute(
                f"select column_name from information_schema.columns where table_catalog = "
                f"'rebuilt' and table_schema = 'raw' and table_name = '{t}'"
            ).fetchall()
            if r[0] not in ("_loaded_at", "processed_at")
        ]
        sel = ", ".join(cols)
        diff = con.execute(
            f"select count(*) from ((select {sel} from rebuilt.raw.{t} except all select {sel} from "
            f"original.raw.{t}) union all (select {sel} from original.raw.{t} except all "
            f"select {sel} from rebuilt.raw.{t}))"
        ).fetchone()[0]
        assert diff == 0, f"raw.{t} differs after a rebuild from the archive"
    con.close()


@pytest.mark.integration
def test_the_dagster_ui_gets_row_counts_and_types_of_every_dbt_and_raw_table_and_columns_of_views(built):
    data_dir, result = built
    observed = {
        e.asset_key: e.event_specific_data.asset_observation.metadata for e in result.get_asset_observation_events()
    }
    materialized = {
        e.asset_key: e.event_specific_data.materialization.metadata for e in result.get_asset_materialization_events()
    }
    con = duckdb.connect(str(data_dir / "warehouse" / "grip.duckdb"), read_only=True)
    try:
        for key, metadata in [
            (AssetKey(["marts", "fct_budget"]), observed),
            (AssetKey(["raw", "suite4_budget"]), materialized),
        ]:
            entry = metadata[key]
            schema, table = key.path
            rows = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            types = con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            assert entry["dagster/row_count"].value == rows > 0
            columns = entry["dagster/column_schema"].schema.columns
            assert [(c.name, c.type) for c in columns] == types
        described = observed[AssetKey(["marts", "fct_budget"])]["dagster/column_schema"].schema.columns
        assert all(c.description for c in described)  # the model's YAML documents every column
        view = observed[AssetKey(["intermediate", "int_allocations"])]  # counting a view would run its query
        assert "dagster/row_count" not in view and view["dagster/column_schema"].schema.columns
    finally:
        con.close()
    dbt_models = [k for k in observed if k.path[0] in ("staging", "intermediate", "marts", "ref")]
    assert len(dbt_models) >= 60
