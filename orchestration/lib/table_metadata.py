"""Row count and column types of a warehouse table as Dagster metadata, for the asset's page in the UI.

Read from DuckDB's information_schema after the table was written, by the process that wrote it:
dagster-dbt's own ``fetch_row_counts``/``fetch_column_metadata`` would open the warehouse while the dbt
subprocess still holds DuckDB's single write lock, so the dbt assets ask once dbt has finished.

A view gets its columns but no row count: counting a view runs its query, and the 35 staging and
intermediate views of a build took 1.8 s to count on the scale-1 warehouse (a table's count is stored).
"""

from __future__ import annotations

from dagster import MetadataValue, TableColumn, TableSchema


def table_metadata(con, schema: str, table: str, descriptions: dict[str, str] | None = None) -> dict:
    """``dagster/row_count`` (tables only) and ``dagster/column_schema`` (name, DuckDB type, and the
    description the model's YAML gives); empty when the relation does not exist (a model that failed to build)."""
    columns = con.execute(
        """select columns.column_name, columns.data_type, tables.table_type
           from information_schema.columns as columns
           inner join information_schema.tables as tables using (table_catalog, table_schema, table_name)
           where columns.table_schema = ? and columns.table_name = ? order by columns.ordinal_position""",
        [schema, table],
    ).fetchall()
    if not columns:
        return {}
    descriptions = descriptions or {}
    metadata: dict[str, object] = {
        "dagster/column_schema": TableSchema(
            columns=[TableColumn(name, kind, description=descriptions.get(name)) for name, kind, _ in columns]
        )
    }
    if columns[0][2] != "VIEW":
        rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        metadata["dagster/row_count"] = MetadataValue.int(int(rows))
    return metadata


def column_descriptions(metadata) -> dict[str, str]:
    """The column descriptions in an asset's definition metadata (the dbt translator puts the YAML's there)."""
    schema = metadata.get("dagster/column_schema") if metadata else None
    schema = getattr(schema, "schema", schema)  # a TableSchemaMetadataValue wraps the TableSchema
    return {c.name: c.description for c in getattr(schema, "columns", []) if c.description}
