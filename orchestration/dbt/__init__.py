"""dbt models as Dagster assets: staging, intermediate and mart models of dbt_project/."""

from dagster import Definitions

from .assets import dbt_resource, grip_dbt_assets

defs = Definitions(assets=[grip_dbt_assets], resources={"dbt": dbt_resource})
