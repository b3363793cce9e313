"""The bench's verdict per target: met or not, and for a missed one where the measured figure came from."""

from benchmarks.nightly import against_targets


def _result(**over) -> dict:
    stages = [
        {"stage": "ingest", "seconds": 56.0, "peak_rss_mb": 2000},
        {"stage": "dbt", "seconds": 52.0, "peak_rss_mb": 4800},
        {"stage": "reports", "seconds": 45.0, "peak_rss_mb": 1800},
        {"stage": "publish", "seconds": 19.0, "peak_rss_mb": 1500},
    ]
    night = [
        {"stage": "dbt", "seconds": 29.7, "peak_rss_mb": 3000},
        {"stage": "publish", "seconds": 13.8, "peak_rss_mb": 1500},
        {"stage": "reports", "seconds": 11.5, "peak_rss_mb": 1700},
        {"stage": "ingest", "seconds": 2.7, "peak_rss_mb": 900},
    ]
    return {
        "scale": 10.0,
        "stages": stages,
        "first_night_stages": night,
        "incremental_stages": night,
        "full_nightly_seconds": 172.0,
        "incremental_nightly_seconds": 66.7,
        "peak_rss_mb": 4800,
        "memory_limit": "4GB",
        "ingest_floor": {"read_and_parse_seconds": 5.8, "csv_seconds": 4.1},
        "ingest_over_floor": 5.7,
        "dbt_breakdown": {"elapsed": 42.2, "test": 5.8},
        "dbt_lower_bound_seconds": 36.5,
        "dbt_over_lower_bound": 1.42,
    } | over


def test_a_met_target_says_so_and_a_missed_one_says_where_the_measured_figure_came_from():
    verdicts = against_targets(_result())
    assert verdicts["full_nightly_seconds"] == {"target": 600, "measured": 172.0, "met": True}
    assert verdicts["dbt_over_lower_bound"]["met"] is True and "why" not in verdicts["dbt_over_lower_bound"]
    incremental = verdicts["incremental_nightly_seconds"]
    assert not incremental["met"]
    assert incremental["why"] == "largest stages: dbt 29.7 s, publish 13.8 s, reports 11.5 s"
    assert verdicts["peak_rss_mb"]["why"] == "peak during dbt; DuckDB limit per connection 4GB"
    assert verdicts["ingest_over_floor"]["why"] == (
        "ingest 56.0 s against lxml's parse 5.8 s and DuckDB's CSV reader 4.1 s"
    )


def test_a_missed_dbt_ratio_separates_dbts_own_time_from_what_runs_around_it():
    why = against_targets(_result(scale=1.0, dbt_over_lower_bound=1.6))["dbt_over_lower_bound"]["why"]
    assert why == "dbt stage 52.0 s: dbt's own elapsed 42.2 s (tests 5.8 s summed), 9.8 s around it; lower bound 36.5 s"
