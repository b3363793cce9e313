"""A night that brings nothing new for a stage costs that stage nothing and changes none of its results."""

import shutil

import duckdb
import pandas as pd
import pytest
from dagster import DagsterInstance, materialize

from orchestration.lib.config import settings
from orchestration.lib.resources import Warehouse
from orchestration.linkage.assets import client_links


def _link(copy) -> tuple[bool, pd.DataFrame]:
    result = materialize([client_links], instance=DagsterInstance.ephemeral(), resources={"warehouse": Warehouse()})
    [event] = result.asset_materializations_for_node("linkage__client_links")
    with duckdb.connect(str(copy), read_only=True) as con:
        links = con.execute("select * from linkage.client_links order by all").df()
    return event.metadata["inputs_unchanged"].value, links


@pytest.mark.integration
def test_linkage_keeps_its_links_while_the_persons_are_unchanged(built, tmp_path, monkeypatch):
    copy = tmp_path / "grip.duckdb"
    shutil.copyfile(settings().warehouse, copy)
    monkeypatch.setenv("GRIP_WAREHOUSE", str(copy))
    with duckdb.connect(str(copy), read_only=True) as con:
        nightly = con.execute("select * from linkage.client_links order by all").df()
    assert len(nightly) > 0

    unchanged, links = _link(copy)  # nothing changed since the nightly build
    assert unchanged
    pd.testing.assert_frame_equal(links, nightly)

    with duckdb.connect(str(copy)) as con:  # without the fingerprint Splink runs: the kept links are its links
        con.execute("drop table restricted.client_links_inputs")
    unchanged, links = _link(copy)
    assert not unchanged
    pd.testing.assert_frame_equal(links, nightly)

    with duckdb.connect(str(copy)) as con:  # one STAPP person moves: linked again
        con.execute("""update restricted.linkage_persons set postcode = '1000AA' where source_key =
                       (select min(source_key) from restricted.linkage_persons where source = 'stapp_klanten')""")
    unchanged, _ = _link(copy)
    assert not unchanged


@pytest.mark.integration
def test_a_dbt_build_leaves_its_parse_state_for_the_next_one_and_for_the_docs_site(data_dir, tmp_path, monkeypatch):
    """dbt refused the parse state of `grip prepare` (parsed without a warehouse: "profile has changed") and
    parsed the whole project again every night; each build now leaves its own state for the next, and for
    the docs site it generates when the project changed."""
    from dagster import AssetKey

    from orchestration.dbt.assets import dbt_models
    from orchestration.dbt.project import DBT_DIR, dbt_cli

    docs_log = DBT_DIR / "target" / "docs" / "dbt.log"  # dbt appends to it: read what this test adds
    docs_log_start = docs_log.stat().st_size if docs_log.exists() else 0
    (settings().dbt_docs_dir / "manifest.sha256").unlink(missing_ok=True)  # the docs site is generated again

    target = tmp_path / "target"  # the project's own target folder stays as prepare left it
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    settings().warehouse.parent.mkdir(parents=True, exist_ok=True)

    def build() -> str:
        result = materialize(
            [dbt_models],
            selection=[AssetKey(["ref", "ref_eenheden"])],
            resources={"dbt": dbt_cli(), "warehouse": Warehouse()},
            instance=DagsterInstance.ephemeral(),
        )
        [run] = [p for p in target.glob(f"dbt_models-{result.run_id[:7]}-*")]
        return (run / "dbt.log").read_text(encoding="utf-8")

    build()  # a fresh target folder: no state to start from
    assert (target / "partial_parse.msgpack").exists()
    with docs_log.open(encoding="utf-8") as log:
        log.seek(docs_log_start)
        docs = log.read()
    assert "Unable to do partial parsing" not in docs and "Partial parsing enabled" in docs
    second = build()
    assert "Unable to do partial parsing" not in second and "Partial parsing enabled" in second
