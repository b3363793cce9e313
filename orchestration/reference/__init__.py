"""Reference data computed in Python: the working-day calendar the process models join."""

from dagster import Definitions

from .assets import calendar

defs = Definitions(assets=[calendar])
