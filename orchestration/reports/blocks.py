"""Sections more than one report product shows, each computed once: the year-end outlook per
main group against the begroting, clients and shares against the programme, quality of care
(why care ended), the Wmo request-to-decision process, flows per product, and distinct totals.

A total of distinct clients is the distinct count over the rows, never their sum: a client in
two product groups is one client (issue 25 found the Wmo budget-holder total 127 too high).
"""

from __future__ import annotations

import pandas as pd

from orchestration.lib import dutch
from orchestration.programming.early_warning import clients_against, project
from orchestration.programming.inputs import BOOKED, CARE, CARE_IN_KIND, provider_names, read_client_realisation
from orchestration.programming.thresholds import load_monitoring

from .document import Section

PROCESS_QUESTIONS = (  # (question, unit, label): the Wmo process from report to decision (003 §2.2.1)
    ("W13", "processes", "gestart"),
    ("W15", "processes", "productie (afgeronde beoordelingen)"),
    ("W17", "processes", "werkvoorraad (eind van de periode)"),
    ("W16", "calendar_days", "doorlooptijd melding tot besluit (kalenderdagen, gem.)"),
    ("W16", "working_days", "doorlooptijd melding tot besluit (werkdagen, gem.)"),
    ("W21", "within_term", "meldingen binnen de termijn van 6 weken"),
    ("W21", "outside_term", "meldingen buiten de termijn"),
    ("W22", "within_term", "aanvragen binnen de termijn van 2 weken"),
    ("W22", "outside_term", "aanvragen buiten de termijn"),
)
FLOW_QUESTIONS = {"wmo": ("W03", "W04"), "jeugd": ("J02", "J03")}


def table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def source_delivered(con, source: str) -> bool:
    """Whether every feed of ``source`` has delivered (intermediate.int_feed_deliveries, which
    question_answers reads too): before that, its part of a figure is unknown, not zero."""
    return bool(
        con.execute(
            "select coalesce(bool_and(is_delivered), false) from intermediate.int_feed_deliveries where source = ?",
            [source],
        ).fetchone()[0]
    )


def distinct_clients(con, law: str | None, first, last, in_kind: bool = False) -> int:
    """Distinct clients in care or with a pgb (``in_kind``: in care in kind) in the months first..last
    (first days), of one law or both."""
    return con.execute(
        f"""select count(distinct client_key) from ({CARE_IN_KIND if in_kind else CARE})
            where (?::varchar is null or law = ?) and month_start between ?::date and ?::date""",
        [law, law, pd.Timestamp(first).date(), pd.Timestamp(last).date()],
    ).fetchone()[0]


def with_total(frame: pd.DataFrame, label_col: str, sums: list[str], distinct: dict[str, int] | None = None):
    """``frame`` with a total row: ``sums`` added up, ``distinct`` columns given as counted."""
    total = {label_col: "Totaal", **{c: frame[c].sum(min_count=1) for c in sums}, **(distinct or {})}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def _forecast_rest(con, law: str, year: int, month: int) -> dict[str, tuple[float, float, float]]:
    """Per main group the trend forecast (mean, lower, upper) of the months after ``month``, by the
    trend method the adopted programme chose for the group."""
    if month >= 12 or not all(table_exists(con, "programming", t) for t in ("baseline_forecast", "scenario_products")):
        return {}
    rows = con.execute(
        """
        with methods as (
            select distinct main_group, trend_method as method
            from programming.scenario_products join programming.scenarios using (scenario)
            where adopted and law = ? and year = ? and not is_base_year
        )
        select main_group, sum(mean), sum(lower), sum(upper)
        from programming.baseline_forecast join methods using (main_group, method)
        where law = ? and measure = 'booked_cents' and year(month) = ? and month(month) > ?
        group by all
    """,
        [law, year, law, year, month],
    ).fetchall()
    return {main: (mean, lower, upper) for main, mean, lower, upper in rows}


def year_end(con, law: str, year: int, month: int) -> pd.DataFrame:
    """Per main group: begroting, programme, booked in months 1..month, the year-end projection by
    run rate and by trend (with the 80% interval) and the expected over- (+) or underspend (-)
    against the begroting by both. Whole cents: sums of fractional forecast cents differ in the
    last bits with the order rows arrive in."""
    monthly = con.execute(
        f"""select product_main_group as main_group, month(period_month) as month, sum(amount_cents) as cost
            from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ? group by all""",
        [law, year, month],
    ).df()
    budget = con.execute(
        "select main_group, sum(budget_cents) as budget_cents from marts.fct_budget "
        "where law = ? and budget_year = ? group by all",
        [law, year],
    ).df()
    programme = (
        con.execute(
            """select main_group, sum(budget_cents) as programme_cents
               from programming.scenario_products join programming.scenarios using (scenario)
               where adopted and law = ? and year = ? and not is_base_year group by all""",
            [law, year],
        ).df()
        if table_exists(con, "programming", "scenario_products")
        else pd.DataFrame(columns=["main_group", "programme_cents"])
    )
    rest = _forecast_rest(con, law, year, month)
    groups = sorted(set(budget["main_group"]) | set(programme["main_group"]) | set(monthly["main_group"]))
    rows = []
    for group in groups:
        amounts = monthly[monthly["main_group"] == group].set_index("month")["cost"]
        p = project([float(amounts.get(m, 0.0)) for m in range(1, month + 1)], None)
        mean, lower, upper = rest.get(group, (None, None, None))
        if month == 12:
            mean = lower = upper = 0.0
        rows.append(
            {
                "main_group": group,
                "ytd_cents": p["ytd_cents"],
                "projected_cents": p["projected_cents"],
                "trend_cents": None if mean is None else p["ytd_cents"] + mean,
                "trend_lower_cents": None if lower is None else p["ytd_cents"] + lower,
                "trend_upper_cents": None if upper is None else p["ytd_cents"] + upper,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "main_group",
            "ytd_cents",
            "projected_cents",
            "trend_cents",
            "trend_lower_cents",
            "trend_upper_cents",
        ],
    )
    frame = frame.merge(budget, on="main_group", how="left").merge(programme, on="main_group", how="left")
    money = [c for c in frame.columns if c.endswith("_cents")]
    frame[money] = frame[money].astype(float).round()
    frame["over_budget_cents"] = frame["projected_cents"] - frame["budget_cents"]
    frame["over_budget_trend_cents"] = frame["trend_cents"] - frame["budget_cents"]
    return frame


def over_under(cents: float | None) -> str:
    """'€ 820.000 boven de begroting' or '€ 12.000 onder de begroting'."""
    if cents is None or pd.isna(cents):
        return "onbekend (geen begroting of prognose)"
    side = "boven" if cents > 0 else "onder"
    return f"{dutch.euros(abs(cents))} {side} de begroting"


def year_end_section(frame: pd.DataFrame) -> Section:
    total = with_total(frame, "main_group", [c for c in frame.columns if c.endswith("_cents")])
    return Section(
        "Begroting, programma en verwachting jaareinde per hoofdgroep",
        total,
        {
            "main_group": "text",
            "budget_cents": "money",
            "programme_cents": "money",
            "ytd_cents": "money",
            "projected_cents": "money",
            "over_budget_cents": "money",
            "trend_cents": "money",
            "trend_lower_cents": "money",
            "trend_upper_cents": "money",
            "over_budget_trend_cents": "money",
        },
        {
            "main_group": "hoofdgroep",
            "budget_cents": "begroting",
            "programme_cents": "programma",
            "ytd_cents": "geboekt",
            "projected_cents": "prognose (run rate)",
            "over_budget_cents": "over (+) / onder (-) begroting",
            "trend_cents": "prognose (trend)",
            "trend_lower_cents": "trend: ondergrens 80%",
            "trend_upper_cents": "trend: bovengrens 80%",
            "over_budget_trend_cents": "over / onder volgens trend",
        },
        total_row=True,
        key="hoofdgroepen_begroting",
        text="Over (+) of onder (-) de begroting: de prognose voor jaareinde min de begroting van de hoofdgroep. "
        "Run rate: geboekt plus het gemiddelde van de laatste drie maanden voor elke resterende maand. Trend: de "
        "basisprognose met de methode die het vastgestelde programma voor de hoofdgroep koos, met 80%-interval.",
    )


def clients_against_programme(con, law: str, year: int, month: int) -> pd.DataFrame:
    """Clients and shares per product group in months 1..month against the adopted programme, as
    programming.realisation_clients computes them for the latest month (the same functions, so a
    past month's report shows what was known then). Empty without an adopted programme."""
    if not table_exists(con, "programming", "scenario_products"):
        return pd.DataFrame()
    programme = con.execute(
        """select law, main_group, product_group, clients, share
           from programming.scenario_products join programming.scenarios using (scenario)
           where adopted and law = ? and year = ? and not is_base_year""",
        [law, year],
    ).df()
    if programme.empty:
        return programme
    realised = read_client_realisation(con, year, month)
    ew = load_monitoring().early_warning
    return clients_against(realised[realised["law"] == law], programme, ew.margin, ew.share_points)


def clients_programme_section(
    frame: pd.DataFrame,
    title: str,
    leading: dict[str, str],
    key: str = "programma_clienten",
    text: str = "",
    against: str = "het programma",
) -> Section:
    """Clients so far, expected this year and the programme's, with shares and the signals; ``leading``:
    the columns that say what a row is (column -> label), such as main and product group, or wijk."""
    table = frame.assign(
        signal=[
            "; ".join(s for s, on in ((f"meer cliënten dan {against}", c), ("aandeel wijkt af", a)) if on)
            for c, a in zip(frame["warning_clients"], frame["warning_share"], strict=True)
        ]
    )
    return Section(
        title,
        table,
        {
            **{c: "text" for c in leading},
            "clients_ytd": "count",
            "clients_projected": "num",
            "clients_programme": "num",
            "share_ytd": "pct",
            "share_programme": "pct",
            "signal": "text",
        },
        {
            **leading,
            "clients_ytd": "cliënten tot nu toe",
            "clients_projected": "verwacht dit jaar",
            "clients_programme": "programma" if against == "het programma" else "ijkpunt",
            "share_ytd": "aandeel in de hoofdgroep",
            "share_programme": "aandeel volgens programma",
            "signal": "vroegsignalering",
        },
        derived={"clients_projected": "clients_ytd", "share_ytd": "clients_ytd"},
        key=key,
        text=text
        or "Verwacht dit jaar: cliënten tot nu toe maal de verhouding jaar / dezelfde maanden van vorig jaar. "
        "Aandeel: cliënten van de productgroep gedeeld door de som over de productgroepen van de hoofdgroep, "
        "zoals het programma het rekent. Signaal bij meer dan de marge boven het programma of een aandeel dat "
        "meer dan de ingestelde punten afwijkt (programming/monitoring.yaml).",
    )


def stop_reasons(con, law: str, first, last) -> pd.DataFrame:
    """Per product group: trajectories ended in first..last (dates), with a stop reason (307),
    ended according to plan, the share according to plan, and the most frequent other reason."""
    return con.execute(
        """
        with ended as (
            select product_group, has_stop_message, coalesce(ended_according_to_plan, false) as to_plan,
                   stop_reason_name
            from marts.fct_care_trajectories
            where law = ? and end_date between ?::date and ?::date
        ),
        other as (
            select product_group, stop_reason_name as other_reason
            from ended where has_stop_message and not to_plan and stop_reason_name is not null
            group by product_group, stop_reason_name
            qualify row_number() over (partition by product_group order by count(*) desc, stop_reason_name) = 1
        )
        select product_group, count(*) as ended, count(*) filter (where has_stop_message) as with_reason,
               count(*) filter (where to_plan) as according_to_plan,
               count(*) filter (where to_plan) / nullif(count(*) filter (where has_stop_message), 0)
                   as share_according_to_plan,
               any_value(other_reason) as other_reason
        from ended left join other using (product_group)
        group by all
        order by product_group
    """,
        [law, pd.Timestamp(first).date(), pd.Timestamp(last).date()],
    ).df()


def stop_reasons_section(frame: pd.DataFrame, period: str) -> Section:
    total = with_total(frame, "product_group", ["ended", "with_reason", "according_to_plan"])
    total.loc[total.index[-1], "share_according_to_plan"] = (
        frame["according_to_plan"].sum() / frame["with_reason"].sum() if frame["with_reason"].sum() else None
    )
    return Section(
        f"Kwaliteit van zorg: waarom zorg eindigde ({period})",
        total,
        {
            "product_group": "text",
            "ended": "count",
            "with_reason": "count",
            "according_to_plan": "count",
            "share_according_to_plan": "pct",
            "other_reason": "text",
        },
        {
            "product_group": "productgroep",
            "ended": "beëindigd",
            "with_reason": "met reden (307)",
            "according_to_plan": "volgens plan",
            "share_according_to_plan": "aandeel volgens plan",
            "other_reason": "meest voorkomende andere reden",
        },
        total_row=True,
        derived={"share_according_to_plan": "according_to_plan"},
        key="redenen_einde",
        text="Volgens plan: de reden beëindiging (307) zegt dat de zorg volgens plan is afgerond; het aandeel is "
        "van de beëindigingen met een reden. Zonder 307 is de reden onbekend.",
    )


def process_figures(con, month_start, year: int) -> pd.DataFrame:
    """The Wmo process (W13-W22) for the month and for the year so far, from question_answers."""
    rows = con.execute(
        """
        select question_id, unit, period_type, value from marts.question_answers
        where question_id in ('W13', 'W15', 'W16', 'W17', 'W21', 'W22') and cross_section = 'none'
          and ((period_type = 'month' and period_start = ?::date) or (period_type = 'year' and year(period_start) = ?))
    """,
        [pd.Timestamp(month_start).date(), year],
    ).fetchall()
    values = {(q, u, p): v for q, u, p, v in rows}
    return pd.DataFrame(
        [
            {
                "figure": label,
                "month": values.get((q, u, "month")),
                "year": values.get((q, u, "year")) if q != "W17" else None,
                "kind": "num" if q == "W16" else "int",
            }
            for q, u, label in PROCESS_QUESTIONS
        ]
    )


def process_section(frame: pd.DataFrame, month_label: str, year: int) -> Section:
    return Section(
        "Wmo-proces: van melding tot besluit",
        frame.assign(month=frame["month"].astype(float).round(1), year=frame["year"].astype(float).round(1)),
        {"figure": "text", "month": "num", "year": "num"},
        {"figure": "", "month": month_label, "year": f"{year} tot nu toe"},
        key="wmo_proces",
        text="Uit de informatievragen W13-W22 (werkprocessen SUITE4). Termijnen: melding tot einde onderzoek 6 weken, "
        "aanvraag tot besluit 2 weken (Wmo 2015 art. 2.3.2 en 2.3.5). De werkvoorraad is een stand, geen jaartotaal.",
    )


def flows_per_product(con, law: str, month_start, year: int) -> pd.DataFrame:
    """Per product: inflow and outflow in the month and in the year so far (distinct clients, as
    question_answers counts them), with the product's name and group."""
    inflow, outflow = FLOW_QUESTIONS[law]
    return con.execute(
        """
        with a as (
            select member as product_code,
                   sum(value) filter (where question_id = ? and period_type = 'month') as inflow_month,
                   sum(value) filter (where question_id = ? and period_type = 'month') as outflow_month,
                   sum(value) filter (where question_id = ? and period_type = 'year') as inflow_year,
                   sum(value) filter (where question_id = ? and period_type = 'year') as outflow_year
            from marts.question_answers
            where question_id in (?, ?) and cross_section = 'product'
              and ((period_type = 'month' and period_start = ?::date)
                   or (period_type = 'year' and year(period_start) = ?))
            group by all
        )
        select a.product_code, any_value(p.product_name) as product_name, any_value(p.product_group) as product_group,
               coalesce(any_value(inflow_month), 0)::bigint as inflow_month,
               coalesce(any_value(outflow_month), 0)::bigint as outflow_month,
               coalesce(any_value(inflow_year), 0)::bigint as inflow_year,
               coalesce(any_value(outflow_year), 0)::bigint as outflow_year
        from a left join marts.dim_product p on p.product_code = a.product_code and p.law = ?
        group by a.product_code
        order by product_group, a.product_code
    """,
        [inflow, outflow, inflow, outflow, inflow, outflow, pd.Timestamp(month_start).date(), year, law],
    ).df()


def flows_per_product_section(frame: pd.DataFrame, month_label: str, year: int) -> Section:
    return Section(
        "Instroom en uitstroom per product",
        frame,
        {
            "product_code": "text",
            "product_name": "text",
            "product_group": "text",
            "inflow_month": "count",
            "outflow_month": "count",
            "inflow_year": "count",
            "outflow_year": "count",
        },
        {
            "product_code": "product",
            "product_name": "omschrijving",
            "product_group": "productgroep",
            "inflow_month": f"instroom {month_label}",
            "outflow_month": f"uitstroom {month_label}",
            "inflow_year": f"instroom {year}",
            "outflow_year": f"uitstroom {year}",
        },
        key="stromen_product",
        text="Instroom: cliënten die in de wet instromen (in zorg, de maand ervoor niet), bij het product dat ze "
        "die maand kregen; uitstroom omgekeerd (docs/definitions.md). Een wissel van product is geen in- of "
        "uitstroom. Wie met twee producten instroomt telt bij beide, dus de rijen tellen niet op tot de wet.",
    )


FIRST_LINE_QUESTIONS = {  # law -> (clients, inflow, outflow, referrals) in question_answers, per wijk
    "wmo": ("W28", "W29", "W30", "W32"),
    "jeugd": ("J17", "J19", "J20", None),
}


def first_line_per_wijk(con, law: str, quarter_start) -> pd.DataFrame:
    """Per wijk in the quarter: first-line clients (SWT for Wmo, CJG for Jeugd), inflow and outflow
    from question_answers, referrals to specialist care (W32; the CJG delivers none, so Jeugd shows
    none rather than zero), specialist clients with ambulatory support, and the share helped by the
    first line only against the programme's yardstick for the wijk."""
    qs = pd.Timestamp(quarter_start)
    clients, inflow, outflow, referrals = FIRST_LINE_QUESTIONS[law]
    answers = con.execute(
        """
        select member as wijk_code,
               sum(value) filter (where question_id = ?) as clients,
               sum(value) filter (where question_id = ?) as inflow,
               sum(value) filter (where question_id = ?) as outflow,
               sum(value) filter (where question_id = ?) as referrals
        from marts.question_answers
        where cross_section = 'wijk' and period_type = 'quarter' and period_start = ?::date
          and question_id in (?, ?, ?, ?)
        group by all
    """,
        [clients, inflow, outflow, referrals, qs.date(), clients, inflow, outflow, referrals],
    ).df()
    if referrals is None:  # the CJG export holds no referrals (docs/feeds.md): unknown, not zero
        answers["referrals"] = None
    mix = con.execute(
        """select wijk_code, clients_specialist_only + clients_both as specialist,
                  clients_first_line_only / clients_total as share_first_line
           from marts.fct_wijk_support_mix where law = ? and period_type = 'quarter' and period_start = ?::date""",
        [law, qs.date()],
    ).df()
    targets = first_line_targets(con, qs.year)
    frame = answers.merge(mix, on="wijk_code", how="outer").merge(
        targets[targets["law"] == law].drop(columns="law"), on="wijk_code", how="left"
    )
    names = dict(con.execute("select wijk_code, wijk_name from marts.dim_wijk").fetchall())
    frame.insert(0, "wijk_name", frame["wijk_code"].map(names).fillna(frame["wijk_code"]))
    counts = ["clients", "inflow", "outflow", "specialist"] + (["referrals"] if referrals else [])
    frame[counts] = frame[counts].fillna(0).astype(int)
    return frame.sort_values("wijk_code", key=lambda c: c.eq("onbekend").astype(str) + c).reset_index(drop=True)


def first_line_targets(con, year: int) -> pd.DataFrame:
    """law, wijk_code, share_target: the share of clients with ambulatory support the adopted programme
    wants the first line alone to help in each wijk in ``year`` (empty without a programme)."""
    if not table_exists(con, "programming", "scenario_wijken"):
        return pd.DataFrame({"law": pd.Series(dtype=str), "wijk_code": pd.Series(dtype=str), "share_target": []})
    return con.execute(
        """select law, wijk_code, max(first_line_share_target) as share_target
           from programming.scenario_wijken join programming.scenarios using (scenario)
           where adopted and year = ? group by all""",
        [year],
    ).df()


def first_line_section(frame: pd.DataFrame, law: str) -> Section:
    name = "sociaal wijkteam" if law == "wmo" else "CJG"
    return Section(
        f"Eerste lijn per wijk: {name}",
        frame,
        {
            "wijk_name": "text",
            "clients": "count",
            "inflow": "count",
            "outflow": "count",
            "referrals": "count",
            "specialist": "count",
            "share_first_line": "pct",
            "share_target": "pct",
        },
        {
            "wijk_name": "wijk",
            "clients": f"cliënten {name}",
            "inflow": "instroom",
            "outflow": "uitstroom",
            "referrals": "verwijzingen naar specialistische zorg",
            "specialist": "cliënten ambulant specialistisch",
            "share_first_line": "aandeel alleen eerste lijn",
            "share_target": "ijkpunt programma",
        },
        derived={"share_first_line": "clients"},
        key="eerste_lijn",
        text="Cliënten, in- en uitstroom van de eerste lijn uit de informatievragen (W28-W30, J17-J20); "
        "verwijzingen uit W32 (het CJG levert geen verwijzingen: daar staat '-'). "
        "Aandeel alleen eerste lijn: van de cliënten met ambulante ondersteuning, het deel dat alleen door de "
        "eerste lijn is geholpen; het ijkpunt is wat het vastgestelde programma voor de wijk beoogt.",
    )


def client_experience(con, law: str, year: int) -> tuple[pd.DataFrame, str]:
    """The latest survey year up to ``year`` of W34 (Wmo, per statement) or J23 (Jeugd): the share of
    respondents who agree; with a sentence saying which year, or that none was delivered."""
    question = "W34" if law == "wmo" else "J23"
    latest = con.execute(
        """select max(year(period_start)) from marts.question_answers
           where question_id = ? and period_type = 'year' and year(period_start) <= ? and value is not null""",
        [question, year],
    ).fetchone()[0]
    if latest is None:
        status = con.execute(
            "select any_value(status_reason) from marts.question_answers where question_id = ?", [question]
        ).fetchone()[0]
        return pd.DataFrame(columns=["statement", "share"]), (
            f"Geen cliëntervaring beschikbaar ({question}){': ' + status if status else ''}."
        )
    frame = con.execute(
        """select case when cross_section = 'none' then 'alle stellingen' else member end as statement,
                  value / 100.0 as share
           from marts.question_answers
           where question_id = ? and period_type = 'year' and year(period_start) = ?
             and cross_section in ('none', 'statement')
           order by cross_section = 'none' desc, member""",
        [question, latest],
    ).df()
    return frame, f"Onderzoek cliëntervaring {latest} ({question}): aandeel respondenten dat het eens is."


def money_per_product_group(con, law: str, year: int, month: int) -> pd.DataFrame:
    """Per product group: booked in months 1..month, the run-rate projection for the year and the
    programme's maximum budget."""
    monthly = con.execute(
        f"""select product_main_group as main_group, product_group, month(period_month) as month,
                   sum(amount_cents) as cost
            from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ? group by all""",
        [law, year, month],
    ).df()
    rows = []
    for (main, group), g in monthly.groupby(["main_group", "product_group"]):
        amounts = g.set_index("month")["cost"]
        p = project([float(amounts.get(m, 0.0)) for m in range(1, month + 1)], None)
        rows.append(
            {"main_group": main, "product_group": group, "booked": p["ytd_cents"], "projected": p["projected_cents"]}
        )
    frame = pd.DataFrame(rows, columns=["main_group", "product_group", "booked", "projected"])
    if table_exists(con, "programming", "scenario_products"):
        budget = con.execute(
            """select main_group, product_group, budget_cents as budget
               from programming.scenario_products join programming.scenarios using (scenario)
               where adopted and law = ? and year = ? and not is_base_year""",
            [law, year],
        ).df()
        frame = frame.merge(budget, on=["main_group", "product_group"], how="outer")
    else:
        frame["budget"] = None
    frame[["booked", "projected", "budget"]] = frame[["booked", "projected", "budget"]].astype(float).round()
    return frame


def providers_per_product_group(con, law: str, year: int, month: int) -> pd.DataFrame:
    """003 Bijlage 6: per product group and provider, booked in months 1..month, clients in care
    (distinct), the provider's share of the group's booked money and the average per client."""
    frame = con.execute(
        f"""
        with money as (
            select product_group, provider_agb, sum(amount_cents) as booked
            from ({BOOKED}) where law = ? and year(period_month) = ? and month(period_month) <= ? group by all
        ),
        care as (
            select product_group, provider_agb, count(distinct client_key) as clients
            from ({CARE}) where law = ? and year(month_start) = ? and month(month_start) <= ? group by all
        )
        select product_group, provider_agb, coalesce(booked, 0) as booked, coalesce(clients, 0) as clients
        from money full outer join care using (product_group, provider_agb)
        order by product_group, booked desc, provider_agb
    """,
        [law, year, month, law, year, month],
    ).df()
    names = provider_names(con)
    frame.insert(2, "provider_name", frame["provider_agb"].map(names).fillna(frame["provider_agb"]))
    group_total = frame.groupby("product_group")["booked"].transform("sum")
    frame["share"] = (frame["booked"] / group_total.where(group_total != 0)).astype(float)
    frame["per_client"] = (frame["booked"] / frame["clients"].where(frame["clients"] > 0)).astype(float)
    return frame
