"""What programming and the reports read from the marts, as plain DataFrames.

Clients come from ``fct_support_months`` (in care, or holding a running pgb grant, on at least one
day of the month), money from ``fct_booked_money`` (accepted invoice lines and the SVB's booked pgb
payments) by month of care; both carry the product group through ``dim_product`` (by municipality
and code: in a region a code may mean something else in each member). The baseline, the scenarios and
the early warning therefore cover care in kind and pgb together: a begroting pays for both, and a
programme that left the pgb out would warn too late wherever budget holders choose a pgb. Within them
the pgb is one "provider", ``PGB_PROVIDER``: the SVB pays many carers (formal and informal) whom the
municipality does not contract, so the pgb part of a product group gets one ceiling of its own.

What is about contracted providers or about units of care reads care in kind only (``CARE_IN_KIND``,
``BOOKED_IN_KIND``): the provider overview, the risk profile, and the cost decomposition into volume,
duration, intensity and price (a pgb payment has no units). Counting a client once per product group is
deliberate: a programme buys places per product, so a client in two groups fills two.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from orchestration.lib.dutch import FINANCING

# The pgb as a member of the provider dimension, as marts.question_answers has it in the provider cross-section.
PGB_PROVIDER = "pgb"

CARE_IN_KIND = """
    select months.*, products.product_group
    from marts.fct_care_months as months
    join marts.dim_product as products using (municipality_code, product_code)
"""
CARE = f"""
    select months.* replace (coalesce(months.provider_agb, '{PGB_PROVIDER}') as provider_agb), products.product_group
    from marts.fct_support_months as months
    join marts.dim_product as products using (municipality_code, product_code)
"""
BOOKED_IN_KIND = """
    select lines.*, products.main_group as product_main_group, products.product_group, products.product_name
    from marts.fct_declaration_lines as lines
    join marts.dim_product as products using (municipality_code, product_code)
    where lines.is_booked
"""
BOOKED = f"""
    select money.financing, money.booking_id, money.municipality_code, money.law,
           money.care_month as period_month,
           case when money.financing = 'pgb' then '{PGB_PROVIDER}' else money.provider_agb end as provider_agb,
           money.product_code, money.client_key, money.amount_cents,
           products.main_group as product_main_group, products.product_group, products.product_name
    from marts.fct_booked_money as money
    join marts.dim_product as products using (municipality_code, product_code)
"""


def provider_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Provider names by AGB code, the pgb included."""
    names = dict(con.execute("select provider_agb, provider_name from marts.dim_provider").fetchall())
    return names | {PGB_PROVIDER: FINANCING["pgb"]}


# The iStandaard categories of ambulatory support (Wmo 02 begeleiding, Jeugd 45 ambulante jeugdhulp): the main
# groups holding them are where the first line (sociaal wijkteam, CJG) should take over (003 §2.4.3). By
# category, not by name, so that it holds for any municipality's own main groups.
AMBULANT_CATEGORIES = ["wmo:02", "jeugd:45"]


@dataclass(frozen=True)
class Inputs:
    reporting_year: int  # year of latest_month()
    latest_month: pd.Timestamp
    history: pd.DataFrame  # law, main_group, month, clients, booked_cents
    product_groups: pd.DataFrame  # year, law, main_group, product_group, clients, booked_cents
    providers: pd.DataFrame  # year, provider_agb, law, main_group, product_group, clients, booked_cents
    wijken: pd.DataFrame  # year, law, main_group, wijk_code, clients
    first_line: pd.DataFrame  # year, law, wijk_code, share_first_line_only
    realisation: pd.DataFrame  # month, provider_agb, law, main_group, product_group, booked_cents
    provider_names: dict[str, str]
    ambulant: set[tuple[str, str]]  # (law, main group) holding ambulatory support: the first line's counterpart
    catalogue: dict[str, set[str]]  # main group -> product groups in the product register, with or without history

    def product_groups_by_main(self) -> dict[str, set[str]]:
        """What a scenario may name: the groups with history and those the register has without any yet."""
        known = {m: set(g["product_group"]) for m, g in self.product_groups.groupby("main_group")}
        for main, groups in self.catalogue.items():
            known[main] = known.get(main, set()) | groups
        return known


def latest_month(con: duckdb.DuckDBPyConnection) -> pd.Timestamp | None:
    """The month programming, the reports and the portal are at: the latest month both money sources reach.

    The SVB pays a month of care in the month after, so in a normal cycle its payments reach one month less
    far than the invoices; counting that unpaid pgb month as nought would bend every run-rate projection
    down (the Jeugd pgb projection by 14% at month ten in the demo). So the figures are at the month before. When the
    SVB is further behind, a delivery is missing (its feed shows stale in ``grip status``) and the figures
    go on with the invoices rather than wait for it.
    """
    invoices, pgb = con.execute(
        """select (select max(period_month) from marts.fct_declaration_lines where is_booked),
                  (select max(care_month) from marts.fct_pgb_payments where is_booked)"""
    ).fetchone()
    if invoices is None:
        return None
    latest = pd.Timestamp(invoices)
    if pgb is not None and pd.Timestamp(pgb) == latest - pd.DateOffset(months=1):
        return pd.Timestamp(pgb)
    return latest


def read_inputs(con: duckdb.DuckDBPyConnection) -> Inputs:
    latest = latest_month(con)
    if latest is None:
        raise ValueError("programming needs booked invoice lines; marts.fct_declaration_lines has none")
    history = con.execute(
        f"""
        with care as ({CARE}), booked as ({BOOKED}),
        clients as (
            select law, main_group, month_start as month, count(distinct client_key) as clients
            from care group by all
        ),
        money as (
            select law, product_main_group as main_group, period_month as month, sum(amount_cents) as booked_cents
            from booked group by all
        )
        select law, main_group, month, coalesce(clients, 0) as clients, coalesce(booked_cents, 0) as booked_cents
        from clients full outer join money using (law, main_group, month)
        where month <= ?
        order by law, main_group, month
    """,
        [latest],
    ).df()
    product_groups = con.execute(f"""
        with care as ({CARE}), booked as ({BOOKED}),
        clients as (
            select year(month_start) as year, law, main_group, product_group, count(distinct client_key) as clients
            from care group by all
        ),
        money as (
            select year(period_month) as year, law, product_main_group as main_group, product_group,
                   sum(amount_cents) as booked_cents
            from booked group by all
        )
        select year, law, main_group, product_group, coalesce(clients, 0) as clients,
               coalesce(booked_cents, 0) as booked_cents
        from clients full outer join money using (year, law, main_group, product_group)
    """).df()
    providers = con.execute(f"""
        with care as ({CARE}), booked as ({BOOKED}),
        clients as (
            select year(month_start) as year, provider_agb, law, main_group, product_group,
                   count(distinct client_key) as clients
            from care group by all
        ),
        money as (
            select year(period_month) as year, provider_agb, law, product_main_group as main_group, product_group,
                   sum(amount_cents) as booked_cents
            from booked group by all
        )
        select year, provider_agb, law, main_group, product_group, coalesce(clients, 0) as clients,
               coalesce(booked_cents, 0) as booked_cents
        from clients full outer join money using (year, provider_agb, law, main_group, product_group)
    """).df()
    wijken = con.execute(f"""
        select year(month_start) as year, law, main_group, coalesce(wijk_code, 'onbekend') as wijk_code,
               count(distinct client_key) as clients
        from ({CARE}) group by all
    """).df()
    first_line = con.execute("""
        select year(period_start) as year, law, wijk_code, share_first_line_only_pct / 100.0 as share_first_line_only
        from marts.fct_wijk_support_mix
        where period_type = 'year' and share_first_line_only_pct is not null
    """).df()
    realisation = con.execute(
        f"""
        select period_month as month, provider_agb, law, product_main_group as main_group, product_group,
               sum(amount_cents) as booked_cents
        from ({BOOKED})
        where year(period_month) = ? and period_month <= ?
        group by all
    """,
        [latest.year, latest],
    ).df()
    names = provider_names(con)
    for frame in (history, realisation):
        frame["month"] = pd.to_datetime(frame["month"])
    ambulant = {
        (law, main)
        for law, main in con.execute(
            "select distinct law, main_group from marts.dim_product "
            "where list_contains(?, law || ':' || product_category)",
            [AMBULANT_CATEGORIES],
        ).fetchall()
    }
    catalogue: dict[str, set[str]] = {}
    for main, group in con.execute("select distinct main_group, product_group from marts.dim_product").fetchall():
        catalogue.setdefault(main, set()).add(group)
    return Inputs(
        latest.year,
        latest,
        history,
        product_groups,
        providers,
        wijken,
        first_line,
        realisation,
        names,
        ambulant,
        catalogue,
    )


def read_provider_quarters(
    con: duckdb.DuckDBPyConnection, exclude_main_groups: list[str], quarters: int
) -> pd.DataFrame:
    """Per provider, law and quarter: the rolling year up to the quarter's end (volume,
    clients, the same a year earlier) and the highest cost per client against the median of
    all providers in the same product group. Main groups in ``exclude_main_groups`` are left out
    (000 §4: Wmo without transport and housing adaptations). Care in kind only: the profile is of
    contracted providers, and the pgb's carers are not."""
    return con.execute(
        f"""
        with booked as ({BOOKED_IN_KIND}), care as ({CARE_IN_KIND}),
        quarter_ends as (
            select distinct last_day(date_trunc('quarter', period_month) + interval 2 month) as quarter_end
            from booked
            where period_month <= (select max(period_month) from booked)
        ),
        recent as (
            select quarter_end from quarter_ends
            where quarter_end <= (select last_day(max(period_month)) from booked)
            order by quarter_end desc limit {int(quarters)}
        ),
        money as (
            select recent.quarter_end, booked.provider_agb, booked.law, booked.product_group,
                   sum(booked.amount_cents) filter (where booked.period_month > recent.quarter_end - interval 12
                       month) as volume_cents,
                   sum(booked.amount_cents) filter (where booked.period_month <= recent.quarter_end - interval 12
                       month) as volume_prior_cents
            from recent join booked
                on booked.period_month > recent.quarter_end - interval 24 month and booked.period_month <=
                    recent.quarter_end
            where booked.product_main_group not in (select unnest(?::varchar[]))
            group by all
        ),
        people as (
            select recent.quarter_end, care.provider_agb, care.law, care.product_group,
                   count(distinct care.client_key) as clients
            from recent join care
                on care.month_start > recent.quarter_end - interval 12 month and care.month_start <= recent.quarter_end
            where care.main_group not in (select unnest(?::varchar[]))
            group by all
        ),
        by_group as (
            select quarter_end, provider_agb, law, product_group, coalesce(volume_cents, 0) as volume_cents,
                   coalesce(volume_prior_cents, 0) as volume_prior_cents, coalesce(clients, 0) as clients,
                   coalesce(volume_cents, 0) / nullif(clients, 0) as cost_per_client_cents
            from money full outer join people using (quarter_end, provider_agb, law, product_group)
        )
        select * from by_group
    """,
        [exclude_main_groups, exclude_main_groups],
    ).df()


def read_client_realisation(
    con: duckdb.DuckDBPyConnection, year: int, month: int, by: str = "product_group"
) -> pd.DataFrame:
    """Per law, main group and product group (or ``by`` = wijk_code): distinct clients in care or
    with a pgb in months 1..``month`` of ``year``, in the same months of the year before, and in the whole year
    before (the ratio that turns clients so far into the year's clients)."""
    if by not in ("product_group", "wijk_code"):
        raise ValueError(f"clients are realised per product_group or wijk_code, not {by}")
    member = "coalesce(wijk_code, 'onbekend')" if by == "wijk_code" else by
    return con.execute(
        f"""
        select law, main_group, {member} as {by},
               count(distinct client_key) filter (where year(month_start) = ? and month(month_start) <= ?)
                   as clients_ytd,
               count(distinct client_key) filter (where year(month_start) = ? - 1 and month(month_start) <= ?)
                   as clients_prior_ytd,
               count(distinct client_key) filter (where year(month_start) = ? - 1) as clients_prior_year
        from ({CARE}) where year(month_start) between ? - 1 and ?
        group by all
        order by all
    """,
        [year, month, year, month, year, year, year],
    ).df()


def read_contract_characteristics(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Active characteristics of the contract-management register (the fifth risk characteristic):
    provider_agb, law (null: both), registered_on. Empty when no register was delivered."""
    return con.execute(
        "select provider_agb, law, registered_on from marts.fct_contract_register where is_active_characteristic"
    ).df()
