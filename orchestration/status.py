"""``grip status``: how the last nightly went, without opening the Dagster UI.

The last run of the nightly job and its outcome, the checks that failed in it (a nightly whose WARN
checks failed still 'succeeds', so they are listed here by name and reason), the parts of the nightly
that are not current, and per feed when it last delivered. Reads the Dagster run history and the
published warehouse, read-only: it never waits for, or blocks, a running build.
"""

from __future__ import annotations

import datetime as dt
import os

from orchestration.lib.config import Settings

CHECKS_TAG = "grip/mislukte_checks"


def failed_checks(instance, run_id: str) -> list:
    """The asset-check evaluations of a run that did not pass (WARN ones included)."""
    from dagster import DagsterEventType

    return [
        record.dagster_event.event_specific_data
        for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        if not record.dagster_event.event_specific_data.passed
    ]


def tag_failed_checks(instance, run_id: str) -> int:
    """Mark a run with how many of its checks failed, so a nightly that 'succeeded' with failed WARN
    checks says so in the run list of the Dagster UI (tag grip/mislukte_checks)."""
    count = len(failed_checks(instance, run_id))
    instance.add_run_tags(run_id, {CHECKS_TAG: str(count)})
    return count


def last_nightly(s: Settings) -> list[str]:
    """The last nightly run and the checks that failed in it, one line each."""
    if not (s.dagster_home / "dagster.yaml").exists() and not (s.dagster_home / "history").exists():
        return [f"Geen Dagster-geschiedenis in {s.dagster_home}: de nachtelijke build heeft hier nog niet gedraaid."]
    os.environ.setdefault("DAGSTER_HOME", str(s.dagster_home))
    from dagster import DagsterInstance, RunsFilter

    instance = DagsterInstance.get()
    runs = instance.get_runs(filters=RunsFilter(job_name="nightly"), limit=1)
    if not runs:
        return ["De nachtelijke build heeft nog niet gedraaid."]
    run = runs[0]
    stats = instance.get_run_stats(run.run_id)
    started = dt.datetime.fromtimestamp(stats.start_time) if stats.start_time else None
    lines = [
        f"Laatste nachtelijke build: {run.status.value} (gestart {started:%d-%m-%Y %H:%M}; run {run.run_id[:8]})"
        if started
        else f"Laatste nachtelijke build: {run.status.value} (run {run.run_id[:8]})"
    ]
    failed = [
        f"  {e.severity.value:5} {e.asset_check_key.asset_key.to_user_string()} / {e.asset_check_key.name}"
        + (f": {e.description}" if e.description else "")
        for e in failed_checks(instance, run.run_id)
    ]
    lines.append(f"Mislukte checks: {len(failed)}" if failed else "Mislukte checks: geen")
    return lines + sorted(failed)


def warehouse_state(s: Settings) -> list[str]:
    """Parts that are not current and the freshness of each feed, from the published copy."""
    if not s.published_warehouse.exists():
        return [f"Nog geen gepubliceerde warehouse ({s.published_warehouse})."]
    from orchestration.lib.parts import stale_lines
    from orchestration.lib.warehouse import connect

    with connect(s, read_only=True) as con:
        stale = stale_lines(con)
        feeds = con.execute(
            """
            select feed, bool_or(is_delivered), max(last_loaded_at)
            from intermediate.int_feed_deliveries group by feed order by feed
        """
        ).fetchall()
    lines = ["Onderdelen die niet actueel zijn:" if stale else "Alle onderdelen actueel."]
    lines += [f"  {line}" for line in stale]
    lines.append(f"Bronnen (grens {s.feed_max_age_days} dagen):")
    today = dt.datetime.now()
    for feed, delivered, last in feeds:
        if not delivered or last is None:
            lines.append(f"  {feed:28} nog nooit geleverd")
            continue
        age = (today - last).days
        flag = "  TE OUD" if age > s.feed_max_age_days else ""
        lines.append(f"  {feed:28} laatst geladen {last:%d-%m-%Y} ({age} dagen){flag}")
    return lines
