"""The synthetic feeds: schema-valid, deterministic, calibrated, and with a complete manifest."""

import datetime as dt
import hashlib

import pandas as pd
import pytest
from lxml import etree

from synthetic.catalogue import GROUPS
from synthetic.generate import GeneratorConfig, generate

from ..conftest import SMALL, istandaarden_or_skip

SCHEMA_DIR = {"WMO": "iwmo", "JW": "ijw"}


def test_every_message_validates_against_the_official_xsd(small_feeds):
    base = istandaarden_or_skip()
    schemas: dict[str, etree.XMLSchema] = {}
    messages = pd.read_parquet(small_feeds / "manifest" / "messages.parquet")
    broken = set(messages.loc[messages["malformed"], "file"])
    checked = 0
    for rel in messages["file"]:
        name = rel.rsplit("/", 1)[1].split("_")[0]  # e.g. WMO301
        law = "WMO" if name.startswith("WMO") else "JW"
        if name not in schemas:
            schemas[name] = etree.XMLSchema(etree.parse(str(base / SCHEMA_DIR[law] / "xsd" / f"{name}.xsd")))
        if rel in broken:
            with pytest.raises(etree.XMLSyntaxError):
                etree.parse(str(small_feeds / "landing" / rel))
            continue
        doc = etree.parse(str(small_feeds / "landing" / rel))
        assert schemas[name].validate(doc), f"{rel}: {schemas[name].error_log.last_error}"
        checked += 1
    assert len(broken) == 1
    assert checked > 1000 and set(messages["kind"]) == {"301", "305", "307", "315", "317", "319", "323"}


def _tree_digest(root) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_gives_byte_identical_output(small_feeds, tmp_path):
    generate(GeneratorConfig(out=tmp_path, **SMALL))
    assert _tree_digest(tmp_path / "landing") == _tree_digest(small_feeds / "landing")


def test_manifest_records_every_defect_kind(small_feeds):
    defects = pd.read_parquet(small_feeds / "manifest" / "defects.parquet")
    expected = {
        "duplicate_message",
        "malformed_xml",
        "broken_csv_row",
        "delivery_sent_twice",
        "implausible_date",
        "dash_only_text",
        "missing_required",
        "bsn_fails_elfproef",
        "invoice_unknown_allocation",
        "period_outside_allocation",
        "future_date",
        "misspelled_name",
        "swapped_name_parts",
    }
    assert expected <= set(defects["kind"])
    for rel in defects.loc[defects["kind"].isin(["malformed_xml", "broken_csv_row", "delivery_sent_twice"]), "file"]:
        assert (small_feeds / "landing" / rel).exists(), rel
    truth = {p.stem for p in (small_feeds / "manifest").glob("*.parquet")}
    assert {"allocations", "declaration_lines", "clients", "links_stapp", "links_cjg", "processes", "budget"} <= truth


def test_everything_written_is_labelled_synthetic(small_feeds):
    assert "SYNTHETIC" in (small_feeds / "landing" / "SYNTHETIC.md").read_text()
    clients = pd.read_parquet(small_feeds / "manifest" / "clients.parquet")
    assert clients["bsn"].str.startswith("99").all()


@pytest.mark.integration
def test_2019_reproduces_bijlage_6_within_ten_percent(tmp_path):
    """Clients, spending and average cost per group in 2019, from the declared invoice lines."""
    generate(GeneratorConfig(out=tmp_path, scale=1.0, end=dt.date(2020, 3, 31)))
    lines = pd.read_parquet(tmp_path / "manifest" / "declaration_lines.parquet")
    allocs = pd.read_parquet(tmp_path / "manifest" / "allocations.parquet")[["tid", "product_group"]]
    lines = lines[(lines["status"] == "accepted") & lines["period_first"].map(lambda d: d.year == 2019)]
    lines = lines.merge(allocs, on="tid")
    lines["net"] = lines["amount_cents"].where(lines["debit_credit"] == "D", -lines["amount_cents"])
    per_group = lines.groupby("product_group").agg(clients=("bsn", "nunique"), cents=("net", "sum"))
    for g in (g for g in GROUPS if g.bijlage6):
        row = per_group.loc[g.key]
        spend = g.clients_2019 * g.avg_cost_2019
        assert row.clients == pytest.approx(g.clients_2019, rel=0.10), g.key
        assert row.cents / 100 == pytest.approx(spend, rel=0.10), g.key
        assert row.cents / 100 / row.clients == pytest.approx(g.avg_cost_2019, rel=0.10), g.key
    providers = lines.groupby("law")["provider"].nunique()
    assert providers["wmo"] == pytest.approx(60, rel=0.10) and providers["jeugd"] == pytest.approx(170, rel=0.10)
