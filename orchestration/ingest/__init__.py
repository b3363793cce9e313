"""Ingest: the four source feeds from the landing zone into raw tables, pseudonymised at the door."""

from dagster import Definitions

from .assets import ingest_assets
from .sensors import landing_sensor

defs = Definitions(assets=ingest_assets, sensors=[landing_sensor])
