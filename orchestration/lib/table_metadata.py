"""Row count and column types of a warehouse table as Dagster metadata, for the asset's page in the UI.

Read from DuckDB's information_schema after the table was written, by the process that wrote it:
dagster-dbt's own ``fetch_row_counts``/``fetch_column_metadata`` would open the warehouse while the dbt
subprocess still holds DuckDB's single write lock, so the dbt assets ask once dbt has finished.
"""

from __future__ import annotations

from dagster import MetadataValue, TableColumn, TableSchema


def table_metadata(con, schema: str, table: str, descriptions: dict[str, str] | None = None) -> dict:
    """``dagster/row_count`` and ``dagster/column_schema`` (name, DuckDB type, and the description the
    model's YAML gives); empty when the relation does not exist (a model that failed to build)."""
    columns = con.execute(
        """select column_name, data_type from information_schema.columns
           where table_schema = ? and table_name = ? order by ordinal_position""",
        [schema, table],
    ).fetchall()
    if not columns:
        return {}
    rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    descriptions = descriptions or {}
    return {
        "dagster/row_count": MetadataValue.int(int(rows)),
        "dagster/column_schema": TableSchema(
            columns=[TableColumn(name, kind, description=descriptions.get(name)) for name, kind in columns]
        ),
    }


def column_descriptions(metadata) -> dict[str, str]:
    """The column descriptions in an asset's definition metadata (the dbt translator puts the YAML's there)."""
    schema = metadata.get("dagster/column_schema") if metadata else None
    schema = getattr(schema, "schema", schema)  # a TableSchemaMetadataValue wraps the TableSchema
    return {c.name: c.description for c in getattr(schema, "columns", []) if c.description}
