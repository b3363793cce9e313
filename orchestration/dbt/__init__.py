"""dbt models as Dagster assets: staging, intermediate and mart models of dbt_project/."""

from dagster import Definitions

from .assets import grip_dbt_assets, dbt_resource

defs = Definitions(assets=[grip_dbt_assets], resources={"dbt": dbt_resource})
