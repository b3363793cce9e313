"""Pull the plug on the nightly build (SIGKILL to its whole process group, dbt included) at
several points in a row; the run after the last crash must leave exactly the warehouse an
uninterrupted run leaves, with every delivery loaded once.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

NIGHTLY = [
    "-c",
    "import sys; from dagster import DagsterInstance; from orchestration.definitions import defs; "
    "sys.exit(not defs.resolve_job_def('nightly').execute_in_process(instance=DagsterInstance.get()).success)",
]
PUBLISH = [
    "-m",
    "dagster",
    "asset",
    "materialize",
    "-m",
    "orchestration.definitions",
    "--select",
    "published_warehouse",
]
# Each crash hits a fresh process; the data directory carries what the previous one left.
CRASHES = [
    ("ingest.before_commit:2", NIGHTLY),  # inside a load transaction: must roll back
    ("ingest.after_commit:2", NIGHTLY),  # rows committed, files still in the landing zone: must not load twice
    ("dbt.event:80", NIGHTLY),  # halfway through dbt build: half-built models, DuckDB's WAL
    (None, NIGHTLY),  # a whole run, so that the next publish replaces a previous one
    ("publish.between_renames", PUBLISH),  # exports moved aside, the new ones not yet in place
    (None, PUBLISH),
]
# when, not what: a fingerprint hashes the times too, and a report file's sha256 (the privacy scan's record of
# what it found clean) hashes the minute the data-quality report was written
VOLATILE = {"_loaded_at", "processed_at", "fingerprint", "sha256"}


def run(data_dir: Path, args: list[str], crash_at: str | None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIP_", "DAGSTER_"))}
    env.update(GRIP_DATA_DIR=str(data_dir), GRIP_DEMO="1", DAGSTER_HOME=str(data_dir / "dagster_home"))
    (data_dir / "dagster_home").mkdir(exist_ok=True)
    if crash_at:
        env["GRIP_CRASH_AT"] = crash_at
    log = data_dir / f"run-{len(list(data_dir.glob('run-*.log')))}.log"
    with log.open("w") as out:  # a new session: the kill takes the run and its dbt subprocess, not pytest
        rc = subprocess.run(
            [sys.executable, *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, timeout=900
        ).returncode
    return rc, log.read_text()[-3000:]


def relations(con, catalog: str) -> dict[tuple[str, str], list[str]]:
    cols = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by table_schema, table_name, ordinal_position",
        [catalog],
    ).fetchall()
    out: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, kind in cols:
        if column in VOLATILE or kind.startswith("TIMESTAMP"):
            continue
        # floating-point sums depend on DuckDB's thread scheduling in the last bits
        expr = f'round("{column}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{column}"'
        out.setdefault((schema, table), []).append(expr)
    return out


def compare(expected: Path, actual: Path, skip: set[tuple[str, str]] = frozenset()) -> int:
    """Every relation, every row (as a multiset); returns the number of rows compared."""
    con = duckdb.connect()
    con.execute(f"attach '{expected}' as e (read_only)")
    con.execute(f"attach '{actual}' as a (read_only)")
    want, got = relations(con, "e"), relations(con, "a")
    assert sorted(got) == sorted(want), f"relations differ: {set(got) ^ set(want)}"
    rows = 0
    for (schema, table), cols in want.items():
        if (schema, table) in skip:
            continue
        sel = ", ".join(cols)
        e, a = f'e."{schema}"."{table}"', f'a."{schema}"."{table}"'
        diff = con.execute(
            f"select count(*) from ((select {sel} from {e} except all select {sel} from {a}) "
            f"union all (select {sel} from {a} except all select {sel} from {e}))"
        ).fetchone()[0]
        assert diff == 0, f"{schema}.{table}: {diff} rows differ after the crashes"
        rows += con.execute(f"select count(*) from {e}").fetchone()[0]
    con.close()
    return rows


@pytest.fixture(scope="module")
def crashed(small_feeds, tmp_path_factory) -> Path:
    """A data directory whose runs were killed at every crash point in turn, each resumed by the next."""
    data = tmp_path_factory.mktemp("crashed")
    shutil.copytree(small_feeds / "landing", data / "landing")
    for point, args in CRASHES:
        rc, log = run(data, args, point)
        assert rc == (-9 if point else 0), f"{point or 'run to the end'}: exit {rc}\n{log}"
    return data


@pytest.mark.integration
def test_a_nightly_killed_at_each_crash_point_resumes_to_the_same_warehouse(crashed, built):
    reference, _ = built
    # the log may say 'duplicate' for files that were committed but not yet archived at a crash
    log_sql = "select file, count(*) filter (where status = 'loaded') from raw.ingest_log group by file order by file"
    with duckdb.connect(str(crashed / "warehouse" / "grip.duckdb"), read_only=True) as con:
        after_crashes = con.execute(log_sql).fetchall()
    with duckdb.connect(str(reference / "warehouse" / "grip.duckdb"), read_only=True) as con:
        uninterrupted = con.execute(log_sql).fetchall()
    assert after_crashes == uninterrupted  # same files, each loaded as often: once, or never if quarantined

    rows = sum(
        compare(reference / "warehouse" / name, crashed / "warehouse" / name, skip={("raw", "ingest_log")})
        for name in ("grip.duckdb", "grip_published.duckdb")
    )
    exported = sorted(p.relative_to(crashed / "exports") for p in (crashed / "exports").rglob("*.parquet"))
    assert exported == sorted(p.relative_to(reference / "exports") for p in (reference / "exports").rglob("*.parquet"))
    assert not (crashed / "exports.old").exists() and not (crashed / "exports.tmp").exists()

    def archived(root: Path):
        return sorted(p.relative_to(root / "archive").parts[1:] for p in (root / "archive").rglob("*") if p.is_file())

    assert archived(crashed) == archived(reference)
    assert not [p for p in (crashed / "landing").rglob("*") if p.is_file() and p.name != "SYNTHETIC.md"]
    print(
        f"\ncrash points tested: {sum(1 for point, _ in CRASHES if point)}; rows compared with an uninterrupted run: "
        f"{rows:,}"
    )


@pytest.mark.integration
def test_the_pseudonym_key_is_in_no_log_run_config_or_output(crashed):
    """Every run's Dagster storage (event logs, run configs, compute logs), dbt's artefacts and logs,
    the warehouses, exports, reports and the archive: the key's bytes appear nowhere."""
    from orchestration.lib.config import DEMO_PSEUDONYM_KEY, REPO_ROOT

    key = DEMO_PSEUDONYM_KEY.encode()
    places = [crashed, REPO_ROOT / "dbt_project" / "target", REPO_ROOT / "dbt_project" / "logs"]
    files = [p for root in places if root.exists() for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" or "storage" in p.parts for p in files)  # the run history is among them
    leaks = [p for p in files if key in p.read_bytes()]
    assert not leaks, f"the pseudonym key is written to {leaks[:5]}"
    print(f"\nkey hygiene: {len(files):,} files searched")
