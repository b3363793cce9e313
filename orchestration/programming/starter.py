"""A starter scenario written from the municipality's own catalogue (``grip scenario init``).

The shipped scenarios name the demo catalogue's groups; a municipality with its own product
groups needs a file that names *its* groups before a policy adviser can edit a movement into it.
The starter lists every main group with its product groups at their share of clients in the
last complete year, so as written it changes nothing (like ``geen_wijziging``): an adviser
edits the shares, years and changes, and the scenarios asset validates the result.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import yaml

SHARES = """
    with care as (
        select year(months.month_start) as year, products.main_group, products.product_group,
               count(distinct months.client_key) as clients
        from marts.fct_care_months as months
        join marts.dim_product as products using (municipality_code, product_code)
        where products.is_in_register
        group by all
    ),
    last_year as (select max(year) - 1 as year from care)
    select products.main_group, products.product_group, coalesce(care.clients, 0) as clients
    from (select distinct main_group, product_group from marts.dim_product where is_in_register) as products
    left join care
        on care.main_group = products.main_group and care.product_group = products.product_group
        and care.year = (select year from last_year)
    order by 1, 2
"""


def _shares(clients: dict[str, int]) -> dict[str, float] | None:
    """Shares rounded to three decimals that still add up to exactly 1 (the largest takes the rest)."""
    total = sum(clients.values())
    if not total:
        return None
    shares = {g: round(n / total, 3) for g, n in clients.items()}
    largest = max(shares, key=shares.get)
    shares[largest] = round(1 - sum(v for g, v in shares.items() if g != largest), 3)
    return shares


def starter_scenario(con: duckdb.DuckDBPyConnection, name: str, adopted: bool, municipality: str) -> str:
    """The YAML text of a starter scenario for the catalogue in the warehouse ``con`` reads."""
    rows = con.execute(SHARES).fetchall()
    if not rows:
        raise ValueError(
            "the warehouse has no product register yet (marts.dim_product is empty): run the nightly first"
        )
    groups: dict[str, dict[str, int]] = {}
    for main, group, clients in rows:
        groups.setdefault(main, {})[group] = int(clients)
    plans = {}
    for main, clients in groups.items():
        shares = _shares(clients) if len(clients) > 1 else None
        plans[main] = {"target_shares": shares} if shares else {}
    body = {
        "name": name,
        "title": f"Startscenario {municipality}",
        "description": "Geschreven door grip scenario init uit de eigen productcatalogus; de doelaandelen zijn de "
        "aandelen van het laatste volledige jaar, dus zoals geschreven verandert er niets. Pas aandelen, "
        "years_to_target, duration_change en intensity_change aan.",
        "adopted": adopted,
        "horizon_years": 4,
        "trend": "auto",
        "indexation": 0.025,
        "provider_split": "historical",
        "groups": plans,
    }
    head = (
        f"# Starter scenario for municipality {municipality}, written {dt.date.today():%d-%m-%Y} by "
        "`grip scenario init` from its own catalogue.\n"
        "# Fields: docs/programming.md. Shares per main group add up to 1; a product group left out goes to 0.\n"
    )
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)
