"""The calendar of working days under the Algemene termijnenwet, as a table for SQL."""

import datetime as dt

import pandas as pd
from dagster import MaterializeResult, asset

from orchestration.lib.resources import Warehouse
from orchestration.lib.workdays import calendar_rows

FIRST, YEARS_AHEAD = dt.date(2010, 1, 1), 6


@asset(
    key_prefix="ref",
    group_name="reference",
    kinds={"duckdb", "python"},
    description="One row per day from 2010 to six years ahead: working day or not, the holiday's name, a "
    "running working-day number and the next working day (Dutch holidays from the holidays "
    "package plus 5 May every year).",
)
def calendar(warehouse: Warehouse) -> MaterializeResult:
    last = dt.date(dt.date.today().year + YEARS_AHEAD, 12, 31)
    frame = pd.DataFrame(calendar_rows(FIRST, last))
    with warehouse.connect() as con:
        con.execute("create schema if not exists ref")
        con.register("_calendar", frame)
        try:
            con.execute(
                "create or replace table ref.calendar as "
                "select calendar_date::date as calendar_date, is_working_day, holiday_name, "
                "working_day_number::integer as working_day_number, next_working_day::date as next_working_day "
                "from _calendar"
            )
        finally:
            con.unregister("_calendar")
    return MaterializeResult(
        metadata={
            "days": len(frame),
            "first": str(FIRST),
            "last": str(last),
            "holidays": int(frame["holiday_name"].notna().sum()),
        }
    )
