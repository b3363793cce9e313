"""grip's settings and warehouse as one Dagster resource, handed to every asset, check and sensor.

Assets take ``warehouse: Warehouse`` as a parameter instead of reading the environment
themselves, so a test materialises a subset of assets against a temporary data directory
by passing ``Warehouse(data_dir=...)``, and the Dagster UI shows which assets use the warehouse.

A field left empty falls back to its environment variable (``config.VARIABLES``, the README's
configuration table), and that to its default: ``Warehouse()`` in the code location is the
configuration of the environment, read when a run starts, not when the code location loads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import ConfigurableResource
from pydantic import Field

from .config import Settings, settings
from .warehouse import connect


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse, its published copy and the folders around them (GRIP_* variables)."""

    data_dir: str | None = Field(None, description="GRIP_DATA_DIR: root of landing/, archive/, warehouse/, reports/.")
    warehouse: str | None = Field(None, description="GRIP_WAREHOUSE: the DuckDB file the pipeline writes.")
    published_warehouse: str | None = Field(None, description="GRIP_PUBLISHED_WAREHOUSE: the copy analysts read.")
    municipality: str | None = Field(None, description="GRIP_MUNICIPALITY: CBS code(s), comma-separated.")

    @property
    def settings(self) -> Settings:
        """The environment's settings with this resource's fields put over them (validated alike)."""
        overrides = {
            "GRIP_DATA_DIR": self.data_dir,
            "GRIP_WAREHOUSE": self.warehouse,
            "GRIP_PUBLISHED_WAREHOUSE": self.published_warehouse,
            "GRIP_MUNICIPALITY": self.municipality,
        }
        env = dict(os.environ)
        if self.data_dir is not None:  # a data directory of its own: paths below it, not the environment's
            env.pop("GRIP_WAREHOUSE", None)
            env.pop("GRIP_PUBLISHED_WAREHOUSE", None)
        env.update({k: v for k, v in overrides.items() if v is not None})
        return settings(env)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The writing connection to the warehouse (one writer at a time)."""
        with connect(self.settings) as con:
            yield con

    @contextmanager
    def read_published(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the published copy: what failed its checks is never there."""
        with connect(self.settings, read_only=True) as con:
            yield con
