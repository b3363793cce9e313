"""Reports: the stamkaarten, the data-quality report, the three report products and the published warehouse."""

from dagster import Definitions

from .assets import datakwaliteit, published_warehouse, rpt_budget_by_year, stamkaarten
from .products import ASSETS, JOBS, SCHEDULES, SENSORS

defs = Definitions(
    assets=[rpt_budget_by_year, stamkaarten, datakwaliteit, published_warehouse, *ASSETS],
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
)
