"""Clients in care, inflow and outflow per quarter, as question_answers gives them (W01/J01,
W03/J02, W04/J03), so that every report counts them by one definition: distinct clients, inflow
as entering care under the law (not a switch between providers), a provider's figures those of
its clients. The progress report and the provider overview read them here; before, each counted
on its own (client-months of flows, trajectory starts) and the three disagreed."""

from __future__ import annotations

import pandas as pd

QUESTIONS = {"clients": ("W01", "J01"), "inflow": ("W03", "J02"), "outflow": ("W04", "J03")}


def quarter_flows(con, first, last, cross_section: str = "none", law: str | None = None) -> pd.DataFrame:
    """quarter_start, member, clients, inflow, outflow for the quarters first..last (first days),
    summed over the laws unless ``law`` is given; a member without a figure reads 0."""
    measures = ",\n".join(
        f"coalesce(sum(value) filter (where question_id in {ids}), 0)::bigint as {name}"
        for name, ids in QUESTIONS.items()
    )
    return con.execute(
        f"""
        select period_start as quarter_start, member,
               {measures}
        from marts.question_answers
        where period_type = 'quarter' and cross_section = ? and period_start between ?::date and ?::date
          and (?::varchar is null or law = ?)
        group by all
        order by 1, 2
    """,
        [cross_section, pd.Timestamp(first).date(), pd.Timestamp(last).date(), law, law],
    ).df()


def provisional_note(con, first, last) -> str:
    """A Dutch sentence when the booked amounts of the months first..last are not final yet:
    question_answers marks a month of W08/J07 incomplete until its invoicing term has passed, so
    a report that shows those months says so instead of presenting a dip that late invoices fill."""
    open_months, through = con.execute(
        """
        select count(distinct period_start) filter (where not is_complete), max(data_through)
        from marts.question_answers
        where question_id in ('W08', 'J07') and period_type = 'month' and period_start between ?::date and ?::date
    """,
        [pd.Timestamp(first).date(), pd.Timestamp(last).date()],
    ).fetchone()
    if not open_months:
        return ""
    return (
        f"Voorlopig: voor {open_months} van de getoonde maanden loopt de factuurtermijn nog (gegevens t/m "
        f"{pd.Timestamp(through):%d-%m-%Y}); late facturen kunnen de geboekte bedragen nog verhogen."
    )
