"""Data quality: the element catalogue, Great Expectations suites, classification and feasibility."""

from dagster import Definitions

from .assets import ASSETS, CHECKS

defs = Definitions(assets=ASSETS, asset_checks=CHECKS)
