"""Budgethoudersrapportage (003 Bijlage 4): monthly, for MO (Wmo) and JOS (Jeugd).

Realisation against budget and programme per product group and product, the year-end
projection with the trend forecast's interval, early warnings, first-line figures,
data quality, what changed since last month, and why cost changed: against the same
months last year and against the programme, split into effects that add up.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.lib import dutch
from orchestration.lib.dutch import MONTHS
from orchestration.programming.early_warning import project
from orchestration.programming.inputs import BOOKED, BOOKED_IN_KIND, CARE, CARE_IN_KIND

from . import blocks
from .answers import provisional_note
from .blocks import over_under, year_end
from .document import Chart, Report, Section
from .explain import EFFECTS, decompose, decompose_per_client

DEPARTMENT = {"wmo": "MO (Wmo)", "jeugd": "JOS (Jeugd)"}
FIRST_LINE = {"wmo": ("swt", "sociaal wijkteam (STAPP)"), "jeugd": ("cjg", "CJG")}
EFFECT_LABELS = {
    "volume": "volume (cliënten)",
    "mix": "mix",
    "duration": "duur",
    "intensity": "intensiteit",
    "price": "prijs (tarief)",
    "cost_per_client": "kosten per cliënt",
    "total": "totaal",
    "cost_before": "vorig jaar",
    "cost_after": "dit jaar",
    "product_group": "productgroep",
}


def _ytd_components(con, law: str, year: int, month: int, in_kind: bool = False) -> pd.DataFrame:
    """Per product group, months 1..month of the year: clients, care months and cost, care in kind and pgb
    together; with ``in_kind`` care in kind only, with its units. The decomposition into volume, duration,
    intensity and price needs units, which a pgb payment does not have: mixing the pgb in would put its
    euros in 'price' (the report says the decomposition is of care in kind)."""
    care, booked, units = (
        (CARE_IN_KIND, BOOKED_IN_KIND, "sum(net_volume)") if in_kind else (CARE, BOOKED, "null::double")
    )
    return con.execute(
        f"""
        with care as (
            -- a care month is a month a client is in care with the group, however many allocations run in it
            -- (docs/definitions.md, as J14 counts it): intensity is units per care month in both
            select main_group, product_group, count(distinct client_key) as clients,
                count(distinct (client_key, month_start)) as care_months
            from ({care}) where law = ? and year(month_start) = ? and month(month_start) <= ?
            group by all
        ),
        money as (
            select product_main_group as main_group, product_group, {units} as units, sum(amount_cents) as cost
            from ({booked}) where law = ? and year(period_month) = ? and month(period_month) <= ?
            group by all
        )
        select main_group, product_group, coalesce(clients, 0) as clients, coalesce(care_months, 0) as care_months,
               coalesce(units, 0) as units, coalesce(cost, 0) as cost
        from care full outer join money using (main_group, product_group)
        order by main_group, product_group
    """,
        [law, year, month, law, year, month],
    ).df()


def _monthly(con, law: str, year: int, month: int) -> pd.DataFrame:
    return con.execute(
        f"""
        select product_main_group as main_group, product_group, month(period_month) as month, sum(amount_cents) as cost
        from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ?
        group by all
    """,
        [law, year, month],
    ).df()


def _programme(con, law: str, year: int) -> pd.DataFrame:
    if not blocks.table_exists(con, "programming", "scenario_products"):
        return pd.DataFrame(columns=["main_group", "product_group", "clients", "budget_cents", "trend_method"])
    return con.execute(
        """
        select main_group, product_group, clients, budget_cents, trend_method
        from programming.scenario_products join programming.scenarios using (scenario)
        where adopted and law = ? and year = ? and not is_base_year
        order by main_group, product_group
    """,
        [law, year],
    ).df()


def key_figures(con, law: str, year: int, month: int) -> dict:
    """The headline: budget, programme, booked so far, projections and the expected over- or
    underspend against the begroting. Also used for 'since last month'."""
    return figures_of(year_end(con, law, year, month))


def figures_of(frame: pd.DataFrame) -> dict:
    """The headline figures as the sums of the per-main-group outlook (blocks.year_end)."""

    def total(col: str) -> float | None:
        return None if frame[col].isna().all() else float(frame[col].sum())

    ytd = total("ytd_cents") or 0.0
    with_trend = frame[frame["trend_cents"].notna()]
    # groups without a trend forecast count with what they booked: the trend adds only what is forecast
    trend, lower, upper = (
        (None, None, None)
        if with_trend.empty
        else tuple(ytd + float((with_trend[c] - with_trend["ytd_cents"]).sum()) for c in TREND_COLUMNS)
    )
    figures = {
        "budget_cents": total("budget_cents"),
        "programme_cents": total("programme_cents"),
        "ytd_cents": ytd,
        "projected_cents": total("projected_cents") or 0.0,
        "trend_cents": trend,
        "trend_lower_cents": lower,
        "trend_upper_cents": upper,
    }
    budget = figures["budget_cents"]
    return figures | {
        "utilisation": figures["projected_cents"] / budget if budget else None,
        "over_budget_cents": figures["projected_cents"] - budget if budget is not None else None,
        "over_budget_trend_cents": trend - budget if None not in (trend, budget) else None,
    }


TREND_COLUMNS = ("trend_cents", "trend_lower_cents", "trend_upper_cents")


def _warnings(con, law: str, year: int, month: int) -> pd.DataFrame:
    if not blocks.table_exists(con, "programming", "realisation_products"):
        return pd.DataFrame(
            columns=[
                "level",
                "subject",
                "ytd_cents",
                "ceiling_cents",
                "projected_cents",
                "projected_overrun_cents",
                "crossing_month",
            ]
        )
    return con.execute(
        """
        select 'productgroep' as level, product_group as subject, ytd_cents, ceiling_cents, projected_cents,
               projected_overrun_cents, crossing_month
        from programming.realisation_products where law = ? and year = ? and month = ? and warning
        union all
        select level, coalesce(provider_name, provider_agb), ytd_cents, ceiling_cents, projected_cents,
               projected_overrun_cents, crossing_month
        from programming.realisation_providers
        where year = ? and month = ? and warning and law = ?
        order by projected_overrun_cents desc, subject
    """,
        [law, year, month, year, month, law],
    ).df()


def warnings_section(con, law: str, year: int, month: int) -> Section:
    """The early warnings of month ``month``: product groups and providers whose year-end projection
    passes their ceiling, with the month the ceiling is reached. The portal's start page shows the same."""
    return Section(
        "Vroegsignalering: plafond voor jaareinde overschreden",
        _warnings(con, law, year, month).assign(
            crossing_month=lambda w: w["crossing_month"].map(
                lambda m: "-" if pd.isna(m) else f"{MONTHS[int(m) - 1]} {year}"
            )
        ),
        {
            "level": "text",
            "subject": "text",
            "ytd_cents": "money",
            "ceiling_cents": "money",
            "projected_cents": "money",
            "projected_overrun_cents": "money",
            "crossing_month": "text",
        },
        {
            "level": "niveau",
            "subject": "wie",
            "ytd_cents": "gerealiseerd",
            "ceiling_cents": "plafond",
            "projected_cents": "prognose",
            "projected_overrun_cents": "overschrijding",
            "crossing_month": "plafond bereikt in",
        },
        key="vroegsignalering",
    )


def build(con: duckdb.DuckDBPyConnection, law: str, year: int, month: int) -> Report:
    period = f"{MONTHS[month - 1]} {year}"
    outlook_per_group = year_end(con, law, year, month)
    now = figures_of(outlook_per_group)
    before = key_figures(con, law, year, month - 1) if month > 1 else None
    ytd = _ytd_components(con, law, year, month)
    programme = _programme(con, law, year)
    monthly = _monthly(con, law, year, month)
    sections = []

    headline = pd.DataFrame(
        [
            {"figure": "Begroting", "value": now["budget_cents"]},
            {"figure": "Programma (ijkpunt)", "value": now["programme_cents"]},
            {"figure": f"Gerealiseerd t/m {MONTHS[month - 1]}", "value": now["ytd_cents"]},
            {"figure": "Prognose jaareinde (run rate)", "value": now["projected_cents"]},
            {"figure": "Prognose volgens trend", "value": now["trend_cents"]},
            {"figure": "Trend: ondergrens 80%-interval", "value": now["trend_lower_cents"]},
            {"figure": "Trend: bovengrens 80%-interval", "value": now["trend_upper_cents"]},
            {"figure": "Verwacht over (+) / onder (-) de begroting (run rate)", "value": now["over_budget_cents"]},
            {"figure": "Verwacht over (+) / onder (-) de begroting (trend)", "value": now["over_budget_trend_cents"]},
        ]
    )
    sections.append(
        Section(
            "Kerncijfers",
            headline,
            {"figure": "text", "value": "money"},
            {"figure": "", "value": "bedrag"},
            key="kerncijfers",
            text="Run rate: wat tot nu toe is geboekt, plus voor elke resterende maand het gemiddelde van de "
            "laatste drie maanden. Trend: een statistische voorspelling uit de reeks van eerdere jaren (met "
            "seizoenspatroon), met een bandbreedte waarbinnen de uitkomst in 8 van de 10 gevallen valt.",
        )
    )
    sections.append(blocks.year_end_section(outlook_per_group))
    sections.append(financing_section(con, law, year, month))

    # realisation per product group against programme
    per_group = ytd.merge(
        programme[["main_group", "product_group", "budget_cents"]], how="outer", on=["main_group", "product_group"]
    )
    per_group["projected_cents"] = [
        project(
            [
                float(monthly[(monthly["product_group"] == pg) & (monthly["month"] == m)]["cost"].sum())
                for m in range(1, month + 1)
            ],
            None,
        )["projected_cents"]
        for pg in per_group["product_group"]
    ]
    per_group["difference_cents"] = per_group["projected_cents"] - per_group["budget_cents"]
    per_group = per_group.fillna({"clients": 0, "cost": 0}).sort_values(["main_group", "product_group"])
    # clients: the distinct count, not the sum of the groups' counts (a client in two groups is one client)
    per_group = blocks.with_total(
        per_group,
        "main_group",
        ["cost", "budget_cents", "projected_cents", "difference_cents"],
        {"product_group": "", "clients": blocks.distinct_clients(con, law, f"{year}-01-01", f"{year}-{month:02d}-01")},
    )
    sections.append(
        Section(
            "Realisatie per productgroep tegen het programma",
            per_group,
            {
                "main_group": "text",
                "product_group": "text",
                "clients": "count",
                "cost": "money",
                "budget_cents": "money",
                "projected_cents": "money",
                "difference_cents": "money",
            },
            {
                "main_group": "hoofdgroep",
                "product_group": "productgroep",
                "clients": "cliënten",
                "cost": "gerealiseerd",
                "budget_cents": "ijkpunt programma",
                "projected_cents": "prognose jaareinde",
                "difference_cents": "verschil",
            },
            chart=Chart(
                "bar",
                "product_group",
                ["budget_cents", "projected_cents"],
                "Programma en prognose per productgroep",
                money=True,
            ),
            total_row=True,
            key="productgroepen",
            text="Totaal cliënten: uniek geteld. Een cliënt in twee productgroepen staat in beide rijen en telt "
            "in het totaal één keer.",
        )
    )
    clients = blocks.clients_against_programme(con, law, year, month)
    if len(clients):
        sections.append(
            blocks.clients_programme_section(
                clients,
                f"Cliënten en aandelen tegen het programma (t/m {MONTHS[month - 1]})",
                {"main_group": "hoofdgroep", "product_group": "productgroep"},
            )
        )

    cumulative = monthly.groupby("month")["cost"].sum().reindex(range(1, month + 1), fill_value=0).cumsum()
    path = pd.DataFrame({"month": [MONTHS[m - 1] for m in cumulative.index], "cumulative": cumulative.to_numpy()})
    for column, key in (("budget", "budget_cents"), ("programme", "programme_cents")):
        path[column] = [None if now[key] is None else now[key] * m / 12 for m in cumulative.index]
    sections.append(
        Section(
            "Cumulatieve realisatie per maand",
            path,
            {"month": "text", "cumulative": "money", "budget": "money", "programme": "money"},
            {
                "month": "maand",
                "cumulative": "gerealiseerd (cumulatief)",
                "budget": "begroting naar rato",
                "programme": "programma naar rato",
            },
            chart=Chart(
                "line", "month", ["cumulative", "budget", "programme"], "Realisatie tegen begroting en programma", True
            ),
            key="cumulatief",
            text="Naar rato: het jaarbedrag gelijk over de maanden verdeeld (een twaalfde per maand).",
        )
    )

    products = con.execute(
        f"""
        select product_code, product_name, product_group, financing, count(distinct client_key) as clients,
               sum(amount_cents) as cost
        from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ?
        group by all order by cost desc, product_code, financing
    """,
        [law, year, month],
    ).df()
    products["financing"] = products["financing"].map(dutch.FINANCING)
    sections.append(
        Section(
            "Realisatie per product",
            products,
            {
                "product_code": "text",
                "product_name": "text",
                "product_group": "text",
                "financing": "text",
                "clients": "count",
                "cost": "money",
            },
            {
                "product_code": "product",
                "product_name": "omschrijving",
                "product_group": "productgroep",
                "financing": "financiering",
                "clients": "cliënten",
                "cost": "gerealiseerd",
            },
            key="producten",
        )
    )

    effects = decompose(
        _ytd_components(con, law, year - 1, month, in_kind=True), _ytd_components(con, law, year, month, in_kind=True)
    )
    effects = pd.concat(
        [effects, pd.DataFrame([{"product_group": "Totaal", **effects.drop(columns="product_group").sum()}])],
        ignore_index=True,
    )
    sections.append(
        Section(
            f"Verklaring: t/m {MONTHS[month - 1]} {year} tegen dezelfde maanden van {year - 1}",
            effects,
            {
                "product_group": "text",
                "cost_before": "money",
                "cost_after": "money",
                **{e: "money" for e in EFFECTS},
                "total": "money",
            },
            EFFECT_LABELS,
            key="verklaring_vorig_jaar",
            text="Zorg in natura (een pgb-betaling heeft geen eenheden, dus geen duur, intensiteit of prijs). "
            "Het verschil in kosten per productgroep, gesplitst in volume (cliënten in de hoofdgroepen), "
            "mix (verdeling over productgroepen), duur (zorgmaanden per cliënt), intensiteit (eenheden per "
            "zorgmaand) en prijs (per eenheid). De effecten tellen exact op tot het verschil (zie 'Hoe lees ik dit').",
            chart=Chart("bar", "product_group", list(EFFECTS), "Effecten per productgroep", money=True),
        )
    )

    if len(programme):
        scale = _year_scale(con, law, year - 1, month)
        actual = ytd.assign(
            clients=ytd["clients"] * scale,
            cost=per_group.set_index("product_group").loc[ytd["product_group"], "projected_cents"].to_numpy(),
        )
        plan = programme.rename(columns={"budget_cents": "cost"})[["product_group", "clients", "cost"]]
        vs_plan = decompose_per_client(plan, actual[["product_group", "clients", "cost"]])
        vs_plan = pd.concat(
            [vs_plan, pd.DataFrame([{"product_group": "Totaal", **vs_plan.drop(columns="product_group").sum()}])],
            ignore_index=True,
        )
        sections.append(
            Section(
                "Verklaring: prognose jaareinde tegen het programma",
                vs_plan,
                {
                    "product_group": "text",
                    "cost_before": "money",
                    "cost_after": "money",
                    "volume": "money",
                    "mix": "money",
                    "cost_per_client": "money",
                    "total": "money",
                },
                {**EFFECT_LABELS, "cost_before": "programma", "cost_after": "prognose"},
                key="verklaring_programma",
                text=f"Cliënten op jaarbasis: cliënten tot nu toe x {scale:.2f} (verhouding jaar / zelfde maanden in "
                f"{year - 1}).".replace(".", ",", 1),
            )
        )

    sections.append(warnings_section(con, law, year, month))

    source, name = FIRST_LINE[law]
    first_line = con.execute(
        """
        select coalesce(team, 'onbekend') as team,
               count(*) filter (where start_date <= ? and (end_date is null or end_date >= ?)) as active,
               count(*) filter (where year(start_date) = ? and start_date <= ?) as started_ytd
        from marts.fct_first_line_trajectories where source = ?
        group by all order by team
    """,
        [_month_end(year, month), _month_end(year, month), year, _month_end(year, month), source],
    ).df()
    first_line = pd.concat(
        [
            first_line,
            pd.DataFrame(
                [
                    {
                        "team": "Totaal",
                        "active": first_line["active"].sum(),
                        "started_ytd": first_line["started_ytd"].sum(),
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    sections.append(
        Section(
            f"Eerste lijn: {name}",
            first_line,
            {"team": "text", "active": "count", "started_ytd": "count"},
            {"active": f"lopend eind {MONTHS[month - 1]}", "started_ytd": "gestart dit jaar"},
            total_row=True,
            key="eerste_lijn",
        )
    )
    month_start = pd.Timestamp(year, month, 1)
    sections.append(
        blocks.stop_reasons_section(
            blocks.stop_reasons(con, law, f"{year}-01-01", _month_end(year, month)), f"{year} t/m {MONTHS[month - 1]}"
        )
    )
    if law == "wmo":
        sections.append(blocks.process_section(blocks.process_figures(con, month_start, year), MONTHS[month - 1], year))
    sections.append(
        blocks.flows_per_product_section(blocks.flows_per_product(con, law, month_start, year), MONTHS[month - 1], year)
    )

    quality = con.execute(
        """
        select feasibility_label, count(*) as questions from quality.question_feasibility where law = ? group by all
            order by 1
    """,
        [law],
    ).df()
    sections.append(
        Section(
            "Datakwaliteit: haalbaarheid van de informatievragen",
            quality,
            {"feasibility_label": "text", "questions": "int"},
            {"feasibility_label": "haalbaarheid", "questions": "vragen"},
            key="datakwaliteit",
            text="Of de cijfers te vertrouwen zijn (datakwaliteit); de kwaliteit van de zorg staat hierboven.",
        )
    )

    if before is not None:
        changes = pd.DataFrame(
            [
                {
                    "figure": label,
                    "previous": before[k],
                    "current": now[k],
                    "change": (now[k] - before[k]) if None not in (now[k], before[k]) else None,
                }
                for label, k in (
                    ("Gerealiseerd", "ytd_cents"),
                    ("Prognose jaareinde", "projected_cents"),
                    ("Prognose volgens trend", "trend_cents"),
                    ("Verwacht over (+) / onder (-) de begroting", "over_budget_cents"),
                )
            ]
        )
        sections.insert(
            1,
            Section(
                f"Wat is er veranderd sinds {MONTHS[month - 2]}",
                changes,
                {"figure": "text", "previous": "money", "current": "money", "change": "money"},
                {"figure": "", "previous": MONTHS[month - 2], "current": MONTHS[month - 1], "change": "verschil"},
                key="veranderd",
            ),
        )
    note = provisional_note(con, pd.Timestamp(year, 1, 1), pd.Timestamp(year, month, 1))
    return Report(
        f"Budgethoudersrapportage {DEPARTMENT[law]}",
        " ".join([f"Stand eind {period}.", outlook(now), note]).strip(),
        sections,
    )


def outlook(figures: dict) -> str:
    """The headline a budget holder reads first: where the year will end against the begroting."""
    text = f"Verwachting jaareinde: {over_under(figures['over_budget_cents'])} (run rate)"
    if figures["over_budget_trend_cents"] is not None:
        low, high = (figures[k] - figures["budget_cents"] for k in ("trend_lower_cents", "trend_upper_cents"))
        text += (
            f"; volgens de trend {over_under(figures['over_budget_trend_cents'])}, 80%-interval "
            f"{_signed(low)} tot {_signed(high)}"
        )
    return text + "."


def _signed(cents: float) -> str:
    return ("+" if cents > 0 else "-" if cents < 0 else "") + dutch.euros(abs(cents))


def financing(con, law: str, year: int, month: int) -> pd.DataFrame:
    """Per main group, months 1..month: the begroting, booked care in kind, pgb paid by the SVB (both by
    month of care), both together and the share of the begroting they use."""
    return con.execute(
        f"""
        with budget as (
            select main_group, sum(budget_cents) as budget_cents from marts.fct_budget
            where law = ? and budget_year = ? group by all
        ),
        money as (
            select product_main_group as main_group,
                   sum(amount_cents) filter (where financing = 'zin') as in_kind_cents,
                   sum(amount_cents) filter (where financing = 'pgb') as pgb_cents
            from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ? group by all
        )
        select main_group, budget_cents, coalesce(in_kind_cents, 0) as in_kind_cents,
               coalesce(pgb_cents, 0) as pgb_cents, coalesce(in_kind_cents, 0) + coalesce(pgb_cents, 0) as total_cents,
               (coalesce(in_kind_cents, 0) + coalesce(pgb_cents, 0)) / nullif(budget_cents, 0) as share
        from budget full outer join money using (main_group)
        order by main_group
        """,
        [law, year, law, year, month],
    ).df()


def financing_section(con, law: str, year: int, month: int) -> Section:
    """Care in kind and pgb side by side against the begroting, saying plainly what the forecasts leave out."""
    frame = financing(con, law, year, month)
    money = ["budget_cents", "in_kind_cents", "pgb_cents", "total_cents"]
    sums = frame[money].sum(min_count=1)
    frame = blocks.with_total(frame, "main_group", money, {"share": sums["total_cents"] / sums["budget_cents"]})
    delivered = blocks.source_delivered(con, "svb")
    return Section(
        f"Zorg in natura en pgb tegen de begroting (t/m {MONTHS[month - 1]})",
        frame,
        {
            "main_group": "text",
            "budget_cents": "money",
            "in_kind_cents": "money",
            "pgb_cents": "money",
            "total_cents": "money",
            "share": "pct",
        },
        {
            "main_group": "hoofdgroep",
            "budget_cents": "begroting (jaar)",
            "in_kind_cents": "zorg in natura",
            "pgb_cents": "pgb",
            "total_cents": "samen",
            "share": "deel van de begroting",
        },
        total_row=True,
        key="financiering",
        text=(
            "De begroting dekt zorg in natura (facturen van gecontracteerde aanbieders) en persoonsgebonden "
            "budgetten (pgb: betalingen van de SVB), beide naar de maand waarin de zorg is geleverd. "
            "De andere bedragen in dit rapport tellen beide, ook de prognoses, de trend, het programma en de "
            "vroegsignalering (daar is het pgb één 'aanbieder' met een eigen plafond); alleen de verklaring van "
            "kostenverschillen in de budgethoudersrapportage gaat over zorg in natura, want een pgb-betaling "
            "heeft geen eenheden."
            if delivered
            else "De SVB levert (nog) geen pgb-gegevens: de bedragen in dit rapport gaan over zorg in natura "
            "alleen. Het pgb-deel van de begroting is niet zichtbaar tot de SVB levert."
        ),
    )


def _month_end(year: int, month: int):
    return (pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)).date()


def _year_scale(con, law: str, year: int, month: int) -> float:
    """Clients in a whole year divided by clients in its first ``month`` months (last year's ratio)."""
    full, part = con.execute(
        f"""
        select count(distinct client_key || product_group), count(distinct client_key || product_group) filter (where
            month(month_start) <= ?)
        from ({CARE}) where law = ? and year(month_start) = ?
    """,
        [month, law, year],
    ).fetchone()
    return full / part if part else 1.0
