"""Reports: report tables and documents built from the marts, and the published warehouse."""

from dagster import Definitions

from .assets import datakwaliteit, published_warehouse, rpt_budget_by_year, stamkaarten

defs = Definitions(assets=[rpt_budget_by_year, stamkaarten, datakwaliteit, published_warehouse])
