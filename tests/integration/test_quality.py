"""Data quality against the generator's defect register: every defect kind is found, value defects counted exactly."""

from __future__ import annotations

import shutil
from collections import Counter

import duckdb
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from orchestration.definitions import defs

# Where the generator puts each value defect: (file prefix, field) -> (element, measure). This is the
# register's vocabulary mapped by hand, independent of the catalogue's rules.
VALUE_DEFECTS = {
    ("suite4/werkprocessen/", "datum_melding", "missing_required"): ("wp.datum_melding", "missing"),
    ("suite4/werkprocessen/", "datum_melding", "future_date"): ("wp.datum_melding", "implausible"),
    ("suite4/werkprocessen/", "datum_einde_onderzoek", "implausible_date"): ("wp.datum_einde_onderzoek", "implausible"),
    ("suite4/werkprocessen/", "uitkomst", "dash_only_text"): ("wp.uitkomst", "implausible"),
    ("suite4/clienten/", "bsn", "bsn_fails_elfproef"): ("clt.bsn", "implausible"),
    ("svb/toekenningen/", "bsn_client", "bsn_fails_elfproef"): ("pgb.bsn_client", "implausible"),
    ("suite4/clienten/", "postcode", "dash_only_text"): ("clt.postcode", "implausible"),
    ("suite4/clienten/", "geboortedatum", "missing_required"): ("clt.geboortedatum", "missing"),
    ("stapp/", "postcode", "dash_only_text"): ("swt.postcode", "implausible"),
    ("suite4/berichten/", "Einddatum", "implausible_date"): ("tw.einddatum", "implausible"),
    ("suite4/berichten/", "ToewijzingNummer", "invoice_unknown_allocation"): ("decl.toewijzing_bekend", "implausible"),
    ("suite4/berichten/", "ProductPeriode", "period_outside_allocation"): ("decl.binnen_toewijzing", "implausible"),
    ("suite4/berichten/", "BerichtIdentificatie", "duplicate_message"): ("bericht.eenmalig", "implausible"),
}
# Found elsewhere than in an element count: in the ingest log, the rejected rows, the linkage, the care trajectories.
OTHER_DEFECTS = {
    "broken_csv_row",
    "delivery_sent_twice",
    "malformed_xml",
    "misspelled_name",
    "swapped_name_parts",
    "missing_stop_message",
    "unknown_grant",  # an SVB payment on a grant the register lacks: fct_pgb_payments, test_pgb.py
}


def _db(folder):
    return duckdb.connect(str(folder / "warehouse" / "grip.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def defects(small_feeds) -> pd.DataFrame:
    return pd.read_parquet(small_feeds / "manifest" / "defects.parquet")


@pytest.fixture(scope="module")
def measured(built) -> pd.DataFrame:
    with _db(built[0]) as con:
        return (
            con.execute("""
            select element_id, sum(missing) as missing, sum(implausible) as implausible
            from quality.element_periods group by 1""")
            .df()
            .set_index("element_id")
        )


def test_every_defect_kind_in_the_register_has_a_detector(defects):
    kinds = set(defects["kind"])
    covered = {k for _, _, k in VALUE_DEFECTS} | OTHER_DEFECTS
    assert kinds <= covered, f"defect kinds without a detector: {kinds - covered}"


def test_missing_and_implausible_counts_equal_the_register(defects, measured):
    expected: Counter = Counter()
    for d in defects.itertuples():
        for (prefix, field, kind), target in VALUE_DEFECTS.items():
            if d.file.startswith(prefix) and d.field == field and d.kind == kind:
                expected[target] += 1
    assert expected, "the small feeds hold no value defects"
    for (element, measure), n in expected.items():
        assert measured.at[element, measure] == n, f"{element} {measure}"
    # and nothing else is flagged: every other implausible or missing value would be a false alarm
    flagged = {e for e, _ in expected}
    with duckdb.connect() as con:
        required = con.execute(
            "select element_id from read_csv('seeds/dq_data_elements.csv', all_varchar=true) where required = 'J'"
        ).df()["element_id"]
    others = measured.drop(index=list(flagged) + ["traj.stopbericht"], errors="ignore")
    assert others["implausible"].sum() == 0, others[others["implausible"] > 0]
    required_others = others[others.index.isin(required)]
    assert required_others["missing"].sum() == 0, required_others[required_others["missing"] > 0]


def test_structural_defects_are_detected(built, defects):
    folder, _ = built
    with _db(folder) as con:
        log = con.execute("select file, status from raw.ingest_log").df().set_index("file")["status"]
        rejected = set(con.execute("select file, line from raw.rejected_rows").fetchall())
        no_stop = set(
            con.execute("""
            select allocation_id from intermediate.int_care_trajectories
            where not has_stop_message
              and allocation_end <= (select max(dagtekening) from raw.ist_berichten)""")
            .df()["allocation_id"]
            .astype(str)
        )
        ended = set(
            con.execute(
                "select allocation_id from intermediate.int_care_trajectories "
                "where allocation_end <= (select max(dagtekening) from raw.ist_berichten)"
            )
            .df()["allocation_id"]
            .astype(str)
        )
    for d in defects.itertuples():
        if d.kind == "broken_csv_row":
            assert (d.file, int(d.record)) in rejected
        elif d.kind == "delivery_sent_twice":
            assert log[d.file] == "duplicate"
        elif d.kind == "malformed_xml":
            assert log[d.file] == "quarantined"
        elif d.kind == "missing_stop_message" and str(d.record) in ended:
            assert str(d.record) in no_stop, d.record


def test_feasibility_follows_the_method(built):
    with _db(built[0]) as con:
        verdict = dict(con.execute("select question_id, feasibility from quality.question_feasibility").fetchall())
        categories = dict(con.execute("select element_id, category from quality.element_status").fetchall())
    assert len(verdict) == 59
    assert {q for q, v in verdict.items() if v == "niet_te_beantwoorden"} == {"W35", "W36", "J23"}
    assert verdict["W33"] == verdict["W34"] == "procesaanpassing_nodig"
    assert categories["kw.oordeel"] == "d" and categories["tw.einddatum"] in "ab"


def test_steward_report_and_stamkaart_show_quality(built):
    folder, _ = built
    report = (folder / "reports" / "datakwaliteit" / "index.html").read_text(encoding="utf-8")
    card = (folder / "reports" / "stamkaarten" / "W34.html").read_text(encoding="utf-8")
    assert "SYNTHETISCHE DATA" in report and "Rolstoelen (11)" in report
    assert "Te beantwoorden na aanpassing van het proces" in card and "Aanbieder bij de cliëntervaring" in card


def _new_delivery(folder, month: str, blank_share: float, duplicate: bool = False) -> None:
    """A werkprocessen delivery copied from the last one, with datum_melding emptied in part of the rows."""
    source = sorted((folder / "archive").rglob("suite4_werkprocessen_*.csv"))[-1]
    lines = source.read_bytes().decode("cp1252").split("\r\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    out = []
    for i, row in enumerate(rows):
        fields = row.split(";")
        if i < len(rows) * blank_share:
            fields[5] = ""
        out.append(";".join(fields))
    if duplicate:
        out.append(out[-1])
    target = folder / "landing" / "suite4" / "werkprocessen" / f"suite4_werkprocessen_{month}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes("\r\n".join([header, *out, ""]).encode("cp1252"))


def _rerun(folder, mp):
    mp.setenv("GRIP_DATA_DIR", str(folder))
    mp.setenv("GRIP_DEMO", "1")
    job = defs.resolve_job_def("nightly")
    ingest = next(
        k for k in job.asset_layer.asset_graph.get_all_asset_keys() if k.path == ["raw", "suite4_werkprocessen"]
    )
    selection = [ingest, AssetKey(["quality", "element_validations"]), AssetKey(["quality", "element_status"])]
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), asset_selection=selection, raise_on_error=False)


def _copy(built, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(built[0], folder, ignore=shutil.ignore_patterns("landing"))
    (folder / "landing").mkdir()
    return folder


def test_a_fill_rate_drop_changes_the_category_and_warns(built, tmp_path, monkeypatch):
    folder = _copy(built, tmp_path)
    _new_delivery(folder, "202012", blank_share=0.5)
    result = _rerun(folder, monkeypatch)
    check = [e for e in result.get_asset_check_evaluations() if e.check_name == "fill_rate_dips"]
    with _db(folder) as con:
        period, category, warning = con.execute(
            "select period, category, warning from quality.element_status where element_id = 'wp.datum_melding'"
        ).fetchone()
        before = con.execute(
            "select category from quality.element_periods where element_id = 'wp.datum_melding' and period = '2020-11'"
        ).fetchone()[0]
    assert (period, before, category) == ("2020-12", "a", "e")
    assert "categorie e" in warning
    assert len(check) == 1 and not check[0].passed and check[0].severity.value == "WARN"
    assert "wp.datum_melding (2020-12)" in check[0].metadata["warnings"].value


def test_a_duplicate_key_blocks(built, tmp_path, monkeypatch):
    folder = _copy(built, tmp_path)
    _new_delivery(folder, "202012", blank_share=0.0, duplicate=True)
    result = _rerun(folder, monkeypatch)
    keys = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "keys_unique" and e.asset_key == AssetKey(["raw", "suite4_werkprocessen"])
    ]
    assert len(keys) == 1 and not keys[0].passed and keys[0].severity.value == "ERROR"
    assert "wp.procesnummer: 2 duplicate rows" in keys[0].metadata["failures"].value
    # the blocking check stopped everything downstream of the raw table in this run
    assert not result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert AssetKey(["quality", "element_validations"]) not in materialized


def _digest(folder) -> dict[str, str]:
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_blocked_run_publishes_nothing(built, tmp_path, monkeypatch):
    """Write-audit-publish: the published warehouse, its exports and the reports stay byte for byte."""
    folder = _copy(built, tmp_path)
    published = {name: _digest(folder / name) for name in ("exports", "reports")}
    published["warehouse"] = _digest(folder / "warehouse")["grip_published.duckdb"]
    _new_delivery(folder, "202012", blank_share=0.0, duplicate=True)
    monkeypatch.setenv("GRIP_DATA_DIR", str(folder))
    monkeypatch.setenv("GRIP_DEMO", "1")
    result = defs.resolve_job_def("nightly").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed and e.severity.value == "ERROR"]
    assert any("duplicate rows" in e.metadata["failures"].value for e in failed)  # the run says why
    assert AssetKey(["published_warehouse"]) not in {e.asset_key for e in result.get_asset_materialization_events()}
    assert _digest(folder / "warehouse")["grip_published.duckdb"] == published["warehouse"]
    assert _digest(folder / "exports") == published["exports"] and _digest(folder / "reports") == published["reports"]
