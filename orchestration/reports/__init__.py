"""Reports: every night the stamkaarten, the data-quality report and the budget table; per period
the three report products from the published copy, with their jobs, schedules and sensor."""

from dagster import Definitions

from .assets import datakwaliteit, rpt_budget_by_year, stamkaarten
from .products import ASSETS, JOBS, SCHEDULES, SENSORS

defs = Definitions(
    assets=[rpt_budget_by_year, stamkaarten, datakwaliteit, *ASSETS], jobs=JOBS, schedules=SCHEDULES, sensors=SENSORS
)
