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
