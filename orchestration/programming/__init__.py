"""Programming (003 §2.4): scenarios, yardsticks, realisation against the programme, early warning, risk profile."""

from dagster import Definitions

from .assets import ASSETS

defs = Definitions(assets=ASSETS)
