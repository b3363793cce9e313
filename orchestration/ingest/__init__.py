"""Ingest: the four source feeds from the landing zone into raw tables, pseudonymised at the door."""

from dagster import Definitions

from .assets import ASSETS
from .sensors import landing_sensor

defs = Definitions(assets=ASSETS, sensors=[landing_sensor])
