"""dbt: the staging, intermediate and mart models of dbt_project/ and its seeds, with their tests as checks."""

from dagster import Definitions

from .assets import dbt_models
from .project import dbt_cli

defs = Definitions(assets=[dbt_models], resources={"dbt": dbt_cli()})
