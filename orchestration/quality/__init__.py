"""Data quality: Great Expectations suites as Dagster asset checks."""

from dagster import Definitions

from .checks import gx_raw_suite4_budget

defs = Definitions(asset_checks=[gx_raw_suite4_budget])
