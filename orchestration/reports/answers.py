"""Clients in care, inflow and outflow per quarter, as question_answers gives them (W01/J01,
W03/J02, W04/J03), so that every report counts them by one definition: distinct clients, inflow
as entering care under the law (not a switch between providers), a provider's figures those of
its clients. The progress report and the provider overview read them here; before, each counted
on its own (client-months of flows, trajectory starts) and the three disagreed."""

from __future__ import annotations

import datetime as dt

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


def data_through(con) -> dt.date | None:
    """The last day the deliveries cover, as question_answers records it: the date each report's
    colophon gives, so a reader knows how recent the figures are."""
    value = con.execute("select max(data_through) from marts.question_answers").fetchone()[0]
    return None if value is None else pd.Timestamp(value).date()


# The information questions each report section shows, by the section's key: the page links them to
# their stamkaarten. A section of one law's report lists only that law's questions (W.. or J..).
SECTION_QUESTIONS = {
    "kerncijfers": ("W08", "W09", "W10", "W11", "J07", "J08"),
    "hoofdgroepen_begroting": ("W08", "W10", "W11", "J07", "J08"),
    "productgroepen": ("W08", "W09", "J07", "J08"),
    "programma_clienten": ("W01", "J01"),
    "cumulatief": ("W08", "J07"),
    "producten": ("W06", "W08", "J06", "J07"),
    "verklaring_vorig_jaar": ("W08", "W27", "J07", "J14", "J15"),
    "verklaring_programma": ("W08", "J07"),
    "eerste_lijn": ("W28", "W29", "W30", "W31", "W32", "J17", "J19", "J20", "J21"),
    "redenen_einde": ("W04", "J03"),
    "wmo_proces": ("W13", "W14", "W15", "W16", "W17", "W18", "W19", "W20", "W21", "W22"),
    "stromen_product": ("W03", "W04", "J02", "J03"),
    "stromen": ("W01", "W03", "W04", "J01", "J02", "J03"),
    "herkomst": ("W01", "J01"),
    "hoofdgroepen": ("W01", "W08", "J01", "J07"),
    "top20": ("J12",),
    "concentratie": ("J13",),
    "programma": ("W08", "J07"),
    "bijlage6": ("W08", "W27", "J07", "J15"),
    "clientervaring": ("W34", "J23"),
    "aanbieders": ("W01", "W03", "W04", "W08", "W24", "W26", "J01", "J02", "J03", "J04", "J07"),
    "wachtlijst": ("W07", "J16"),
    "wijken": ("W01", "J01"),
    "trend": ("W01", "J01"),
}


def section_questions(key: str, law: str | None) -> tuple[str, ...]:
    """The questions of section ``key`` in the report of ``law`` (None: both laws)."""
    prefix = {"wmo": "W", "jeugd": "J"}.get(law or "", "")
    return tuple(q for q in SECTION_QUESTIONS.get(key, ()) if q.startswith(prefix))
