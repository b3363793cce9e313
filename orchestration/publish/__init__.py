"""Publish: the read-only copy of the warehouse and the Parquet exports, behind the privacy scan."""

from collections.abc import Iterable

from dagster import AssetKey, Definitions

from .assets import PUBLISHED, build_published_warehouse

__all__ = ["PUBLISHED", "build_defs"]


def build_defs(upstream: Iterable[AssetKey]) -> Definitions:
    """The publish layer, downstream of the given keys (definitions.py passes the nightly's)."""
    return Definitions(assets=[build_published_warehouse(upstream)])
