"""Publishing copies only the tables whose content changed, and the copy still equals the warehouse."""

import duckdb

from orchestration.lib.config import settings
from orchestration.lib.warehouse import promote
from orchestration.publish.copy import RECORD, build_published


def _settings(tmp_path):
    s = settings({"GRIP_DATA_DIR": str(tmp_path), "GRIP_PSEUDONYM_KEY": "k"})
    s.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return s


def _warehouse(s, *statements):
    with duckdb.connect(str(s.warehouse)) as con:
        for sql in statements:
            con.execute(sql)


def _publish(s, names=frozenset()):
    candidate = build_published(s, set(names))
    promote(candidate.path, s.published_warehouse)
    return candidate


def _same_as_the_warehouse(s):
    """Every public table and view of the published file holds exactly the warehouse's rows; nothing restricted."""
    with duckdb.connect(str(s.published_warehouse), read_only=True) as pub:
        pub.execute(f"attach '{s.warehouse}' as src (read_only)")
        relations = pub.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'src' "
            "and schema_name <> 'restricted' union all select schema_name, view_name from duckdb_views() "
            "where database_name = 'src' and not internal"
        ).fetchall()
        for schema, name in relations:
            differ = pub.execute(
                f"select count(*) from ((select * from {schema}.{name} except all select * from src.{schema}.{name}) "
                f"union all (select * from src.{schema}.{name} except all select * from {schema}.{name}))"
            ).fetchone()[0]
            assert differ == 0, f"{schema}.{name}"
        published = {
            r[0]
            for r in pub.execute(
                "select schema_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
        }
        assert "restricted" not in published
        return {
            (a, b)
            for a, b in pub.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name <> 'meta'"
            ).fetchall()
        }


def test_a_second_publish_copies_only_what_changed_and_the_copy_still_equals_the_warehouse(tmp_path):
    s = _settings(tmp_path)
    _warehouse(
        s,
        "create schema marts; create schema raw; create schema restricted; create schema staging",
        "create table marts.a as select range as id, 'x' || range as label from range(100)",
        "create table marts.b as select range as id from range(10)",
        "create table raw.c as select 1 as id",
        "create table restricted.persons as select 'Jan Jansen' as name",
        "create view staging.v as select id, label from marts.a where id < 5",
    )
    first = _publish(s)
    assert sorted(first.copied) == ['"marts"."a"', '"marts"."b"', '"raw"."c"']
    _same_as_the_warehouse(s)

    _warehouse(
        s,
        "insert into marts.a values (100, 'x100')",  # more rows
        "alter table marts.b rename column id to nr",  # same rows, another column
        "drop table raw.c",  # gone from the warehouse, so from the copy
        "create table raw.d as select 2 as id",
    )
    second = _publish(s)
    assert sorted(second.copied) == ['"marts"."a"', '"marts"."b"', '"raw"."d"']
    assert _same_as_the_warehouse(s) == {("marts", "a"), ("marts", "b"), ("raw", "d")}

    third = _publish(s)
    assert third.copied == [] and '"staging"."v"' in third.to_scan() and '"marts"."a"' not in third.to_scan()
    _same_as_the_warehouse(s)
    with duckdb.connect(str(s.published_warehouse), read_only=True) as pub:
        assert pub.execute(f"select count(*) from {RECORD} where copied_at is null").fetchone()[0] == 0


def test_new_names_to_look_for_make_the_privacy_scan_read_every_table_again(tmp_path):
    s = _settings(tmp_path)
    _warehouse(s, "create schema marts", "create table marts.a as select 1 as id")
    _publish(s, {"jan jansen"})
    same = _publish(s, {"jan jansen"})
    assert not same.names_changed and '"marts"."a"' not in same.to_scan()
    more = _publish(s, {"jan jansen", "piet pietersen"})
    assert more.names_changed and more.copied == [] and '"marts"."a"' in more.to_scan()


def test_a_published_file_without_a_record_is_built_afresh(tmp_path):
    s = _settings(tmp_path)
    _warehouse(s, "create schema marts", "create table marts.a as select 1 as id")
    with duckdb.connect(str(s.published_warehouse)) as old:  # as published before the record existed
        old.execute("create schema marts; create table marts.a as select 2 as id; create table marts.stale as select 1")
    assert build_published(s, set()).copied == ['"marts"."a"']
    promote(s.published_warehouse.with_suffix(".tmp"), s.published_warehouse)
    assert _same_as_the_warehouse(s) == {("marts", "a")}


def _publish_asset(tmp_path):
    """The publishing asset itself, materialised alone; returns whether it published and its check's metadata."""
    from dagster import materialize

    from orchestration.lib.resources import Warehouse
    from orchestration.publish.assets import build_published_warehouse

    result = materialize(
        [build_published_warehouse([])],
        resources={"warehouse": Warehouse(data_dir=str(tmp_path))},
        raise_on_error=False,
    )
    [check] = result.get_asset_check_evaluations()
    wanted = ("report_files_scanned", "report_files_kept", "findings")
    return result.success, {k: v.value for k, v in check.metadata.items() if k in wanted}


def test_the_privacy_scan_reads_only_report_files_changed_since_the_last_publish(tmp_path, monkeypatch):
    """Reading all 951 report files took 4.5 s of a quiet night at scale 1 while a handful changed. A file the
    last publish's scan found clean, with the same bytes, is not read again; one that changed is, and a finding
    in it still withholds the publish; new names to look for make the scan read every file again."""
    monkeypatch.setenv("GRIP_PSEUDONYM_KEY", "k")
    s = _settings(tmp_path)
    _warehouse(s, "create schema marts", "create table marts.a as select 1 as id")
    assert _publish_asset(tmp_path) == (True, _scan(read=0, kept=0))  # no reports yet: publishes all the same
    pages = s.reports_dir / "aanbieders" / "2026-K3"
    pages.mkdir(parents=True)
    for name in ("a.html", "b.html", "c.csv"):
        (pages / name).write_text("<p>12 cliënten</p>" if name.endswith("html") else "wijk,aantal\nNoord,12\n")

    assert _publish_asset(tmp_path) == (True, _scan(read=3, kept=0))
    assert _publish_asset(tmp_path) == (True, _scan(read=0, kept=3))

    (pages / "b.html").write_text("<p>13 cliënten</p>")
    assert _publish_asset(tmp_path) == (True, _scan(read=1, kept=2))

    published = s.published_warehouse.read_bytes()
    (pages / "a.html").write_text("<p>bsn 058160188</p>")  # passes the elfproef
    ok, metadata = _publish_asset(tmp_path)
    assert not ok and metadata["findings"] == 1 and metadata["report_files_scanned"] == 1
    assert s.published_warehouse.read_bytes() == published  # nothing published, the record included
    ok, metadata = _publish_asset(tmp_path)
    assert not ok and metadata["findings"] == 1  # still refused the next time: a refused file is never recorded

    (pages / "a.html").write_text("<p>12 cliënten</p>")  # back to the bytes found clean before: not read again
    assert _publish_asset(tmp_path) == (True, _scan(read=0, kept=3))

    with duckdb.connect(str(s.warehouse)) as con:  # a person the scan must now also look for
        con.execute("create schema restricted")
        con.execute(
            "create table restricted.linkage_persons as select 'Jan' voornaam, '' tussenvoegsel, 'Jansen' achternaam"
        )
    assert _publish_asset(tmp_path) == (True, _scan(read=3, kept=0))


def _scan(read: int, kept: int) -> dict:
    return {"report_files_scanned": read, "report_files_kept": kept, "findings": 0}
