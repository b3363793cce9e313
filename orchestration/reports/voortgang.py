"""Voortgangsrapportage (003 Bijlage 5): quarterly, per law, for directors and the alderman."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.programming.inputs import BOOKED, CARE

from . import blocks
from .aanbieders import quarter_label
from .answers import provisional_note, quarter_flows
from .budgethouder import financing_section, key_figures, outlook
from .document import Chart, Report, Section

LAW_NAME = {"wmo": "Wmo", "jeugd": "Jeugd"}
CONCENTRATION = 0.80  # "clients causing 80% of the cost"


def flows(con, law: str, quarter_start, quarters: int = 8) -> pd.DataFrame:
    """Clients in care, inflow and outflow of the last quarters, by question_answers' definitions."""
    first = pd.Timestamp(quarter_start) - pd.DateOffset(months=3 * (quarters - 1))
    frame = pd.DataFrame({"quarter_start": pd.date_range(first, quarter_start, freq="QS").date})
    counted = quarter_flows(con, first, quarter_start, law=law).drop(columns="member")
    counted["quarter_start"] = pd.to_datetime(counted["quarter_start"]).dt.date
    frame = frame.merge(counted, on="quarter_start", how="left").fillna(0)
    frame.insert(0, "quarter", frame["quarter_start"].map(quarter_label))
    return frame


def build(con: duckdb.DuckDBPyConnection, law: str, quarter_start) -> Report:
    qs = pd.Timestamp(quarter_start)
    label, year, last_month = quarter_label(qs), qs.year, qs.month + 2
    sections = [
        Section(
            "Cliëntstromen over acht kwartalen",
            flows(con, law, qs),
            {"quarter": "text", "clients": "count", "inflow": "count", "outflow": "count"},
            {"quarter": "kwartaal", "clients": "cliënten in zorg", "inflow": "instroom", "outflow": "uitstroom"},
            chart=Chart("line", "quarter", ["clients", "inflow", "outflow"], "Cliënten, instroom en uitstroom"),
            key="stromen",
        )
    ]

    origin = con.execute(
        """
        select coalesce(referrer_name, 'onbekend') as referrer, count(*) as trajectories
        from marts.fct_care_trajectories where law = ? and start_date >= ? and start_date < ?::date + interval 3 month
        group by all order by trajectories desc
    """,
        [law, qs.date(), qs.date()],
    ).df()
    origin = pd.concat(
        [origin, pd.DataFrame([{"referrer": "Totaal", "trajectories": origin["trajectories"].sum()}])],
        ignore_index=True,
    )
    sections.append(
        Section(
            "Herkomst van nieuwe cliënten (verwijzer)",
            origin,
            {"referrer": "text", "trajectories": "count"},
            {"referrer": "verwijzer", "trajectories": "gestarte trajecten"},
            total_row=True,
            chart=Chart("bar", "referrer", ["trajectories"], "Gestarte trajecten per verwijzer"),
            key="herkomst",
        )
    )

    products = con.execute(
        f"""
        select main_group, count(distinct client_key) as clients
        from ({CARE}) where law = ? and month_start >= ? and month_start < ?::date + interval 3 month
        group by all order by clients desc
    """,
        [law, qs.date(), qs.date()],
    ).df()
    products["share"] = products["clients"] / products["clients"].sum()
    sections.append(
        Section(
            "Verdeling over hoofdgroepen",
            products,
            {"main_group": "text", "clients": "count", "share": "pct"},
            {"main_group": "hoofdgroep", "clients": "cliënten", "share": "aandeel"},
            derived={"share": "clients"},
            chart=Chart("bar", "main_group", ["clients"], "Cliënten per hoofdgroep"),
            key="hoofdgroepen",
            text="Aandeel: van de som over de hoofdgroepen (een cliënt in twee hoofdgroepen telt in beide).",
        )
    )
    within = con.execute(
        f"""
        select main_group, product_group, count(distinct client_key) as clients
        from ({CARE}) where law = ? and month_start >= ? and month_start < ?::date + interval 3 month
        group by all order by main_group, clients desc, product_group
    """,
        [law, qs.date(), qs.date()],
    ).df()
    within["share"] = within["clients"] / within.groupby("main_group")["clients"].transform("sum")
    sections.append(
        Section(
            "Productgroepen binnen de hoofdgroepen",
            within,
            {"main_group": "text", "product_group": "text", "clients": "count", "share": "pct"},
            {
                "main_group": "hoofdgroep",
                "product_group": "productgroep",
                "clients": "cliënten",
                "share": "aandeel in de hoofdgroep",
            },
            derived={"share": "clients"},
            key="productgroepen",
        )
    )
    sections.append(blocks.first_line_section(blocks.first_line_per_wijk(con, law, qs), law))

    cost = con.execute(
        f"""
        select client_key, string_agg(distinct product_group, ', ' order by product_group) as product_groups,
               sum(amount_cents) as cost
        from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ?
        group by all order by cost desc, client_key
    """,
        [law, year, last_month],
    ).df()
    share = cost["cost"].cumsum() / cost["cost"].sum() if len(cost) else pd.Series(dtype=float)
    causing = int((share < CONCENTRATION).sum() + 1) if len(cost) else 0
    sections.append(
        Section(
            f"Uitschieters: de 20 duurste cliënten in {year} t/m {label}",
            cost.head(20),
            {"client_key": "text", "product_groups": "text", "cost": "money"},
            {"client_key": "cliënt (pseudoniem)", "product_groups": "productgroepen", "cost": "kosten"},
            internal_only=True,
            key="top20",
            text=f"{causing} van de {len(cost)} cliënten veroorzaken 80% van de kosten "
            f"({100 * causing / max(len(cost), 1):.1f}% van de cliënten).".replace(".", ",", 1),
        )
    )
    concentration = pd.DataFrame(
        [
            {"figure": "Cliënten met kosten", "clients": len(cost)},
            {"figure": "Cliënten die samen 80% van de kosten veroorzaken", "clients": causing},
        ]
    )
    sections.append(
        Section(
            "Concentratie van de kosten",
            concentration,
            {"figure": "text", "clients": "count"},
            {"figure": "", "clients": "cliënten"},
            key="concentratie",
        )
    )

    money = blocks.money_per_product_group(con, law, year, last_month)
    clients = blocks.clients_against_programme(con, law, year, last_month)
    against = money.merge(
        clients[["main_group", "product_group", "clients_ytd", "clients_projected", "clients_programme"]]
        if len(clients)
        else pd.DataFrame(
            columns=["main_group", "product_group", "clients_ytd", "clients_projected", "clients_programme"]
        ),
        on=["main_group", "product_group"],
        how="outer",
    ).sort_values(["main_group", "product_group"])
    sections.append(
        Section(
            f"Realisatie per productgroep tegen het programma ({year} t/m {label})",
            against,
            {
                "main_group": "text",
                "product_group": "text",
                "clients_ytd": "count",
                "clients_projected": "num",
                "clients_programme": "num",
                "booked": "money",
                "projected": "money",
                "budget": "money",
            },
            {
                "main_group": "hoofdgroep",
                "product_group": "productgroep",
                "clients_ytd": "cliënten tot nu toe",
                "clients_projected": "cliënten verwacht",
                "clients_programme": "cliënten programma",
                "booked": "geboekt",
                "projected": "prognose (run rate)",
                "budget": "programma",
            },
            derived={"clients_projected": "clients_ytd"},
            key="programma",
            text="In cliënten en in euro's, zorg in natura en pgb samen, zoals de budgethoudersrapportage ze rekent "
            "(cliënten verwacht: tot nu toe maal de verhouding jaar / dezelfde maanden van vorig jaar).",
        )
    )
    sections.append(financing_section(con, law, year, last_month))
    bijlage6 = blocks.providers_per_product_group(con, law, year, last_month)
    sections.append(
        Section(
            f"Per productgroep en aanbieder ({year} t/m {label})",
            bijlage6,
            {
                "product_group": "text",
                "provider_name": "text",
                "booked": "money",
                "clients": "count",
                "share": "pct",
                "per_client": "money",
            },
            {
                "product_group": "productgroep",
                "provider_name": "aanbieder",
                "booked": "geboekt",
                "clients": "cliënten",
                "share": "aandeel in de productgroep",
                "per_client": "gemiddeld per cliënt",
            },
            derived={"per_client": "clients"},
            key="bijlage6",
            text="Zoals Bijlage 6 van 003: geboekt, cliënten in zorg, het aandeel van de aanbieder in het geboekte "
            "bedrag van de productgroep en het gemiddelde per cliënt.",
        )
    )
    ended = blocks.stop_reasons(con, law, qs.date(), (qs + pd.offsets.QuarterEnd(0)).date())
    sections.append(blocks.stop_reasons_section(ended, label))
    experience, about = blocks.client_experience(con, law, year)
    sections.append(
        Section(
            "Kwaliteit van zorg: cliëntervaring",
            experience,
            {"statement": "text", "share": "pct"},
            {"statement": "stelling", "share": "eens"},
            key="clientervaring",
            text=about,
        )
    )

    figures = key_figures(con, law, year, last_month)
    forecast = pd.DataFrame(
        [
            {"figure": k, "value": figures[v]}
            for k, v in (
                ("Begroting", "budget_cents"),
                ("Programma", "programme_cents"),
                ("Gerealiseerd", "ytd_cents"),
                ("Prognose jaareinde (run rate)", "projected_cents"),
                ("Prognose volgens trend", "trend_cents"),
                ("Ondergrens 80%-interval", "trend_lower_cents"),
                ("Bovengrens 80%-interval", "trend_upper_cents"),
                ("Verwacht over (+) / onder (-) de begroting (run rate)", "over_budget_cents"),
                ("Verwacht over (+) / onder (-) de begroting (trend)", "over_budget_trend_cents"),
            )
        ]
    )
    sections.append(
        Section(
            "Financiële prognose",
            forecast,
            {"figure": "text", "value": "money"},
            {"figure": "", "value": "bedrag"},
            key="prognose",
            text=outlook(figures),
        )
    )

    quality = con.execute(
        "select feasibility_label, count(*) as questions from quality.question_feasibility "
        "where law = ? group by all order by 1",
        [law],
    ).df()
    sections.append(
        Section(
            "Datakwaliteit",
            quality,
            {"feasibility_label": "text", "questions": "int"},
            {"feasibility_label": "haalbaarheid", "questions": "informatievragen"},
            key="datakwaliteit",
        )
    )

    risk = con.execute(
        """
        select coalesce(provider_name, provider_agb) as provider, flags, reasons from programming.provider_risk
        where law = ? and flags >= 1 and quarter_end = ?::date + interval 3 month - interval 1 day
        order by flags desc, volume_cents desc, provider_agb
    """,
        [law, qs.date()],
    ).df()
    sections.append(
        Section(
            "Risicoprofiel: aanbieders met ten minste één kenmerk",
            risk,
            {"provider": "text", "flags": "int", "reasons": "text"},
            {"provider": "aanbieder", "flags": "kenmerken", "reasons": "waarom"},
            key="risico",
        )
    )
    return Report(
        f"Voortgangsrapportage {LAW_NAME[law]} {label}",
        " ".join(
            [
                "Voor directie en wethouder: stromen, herkomst, producten, eerste lijn, programma, kwaliteit van "
                "zorg, uitschieters, prognose, datakwaliteit en risico's.",
                provisional_note(con, qs, qs + pd.DateOffset(months=2)),
            ]
        ).strip(),
        sections,
    )
