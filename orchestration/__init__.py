"""grip's Dagster code location: ingest -> dbt -> quality -> reports."""
