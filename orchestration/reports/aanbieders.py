"""Kwartaaloverzicht aanbieders (003 Bijlage 3): per provider at a reference quarter, with
its trend over eight quarters and its position among providers of the same product group.
Care in kind only: the report is about contracted providers, and the pgb's carers are not
(the budget-holder and progress reports show the pgb beside them)."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.lib import dutch
from orchestration.programming.inputs import BOOKED_IN_KIND, CARE_IN_KIND, PGB_PROVIDER

from . import blocks
from .answers import provisional_note, quarter_flows
from .blocks import table_exists
from .document import Chart, Report, Section

LABELS = {
    "provider_name": "aanbieder",
    "provider_agb": "AGB",
    "clients": "cliënten",
    "inflow": "instroom",
    "outflow": "uitstroom",
    "avg_duration_days": "gem. duur beëindigd (dagen)",
    "cost": "kosten",
    "cost_per_client": "kosten per cliënt",
    "benchmark_ratio": "t.o.v. mediaan productgroep",
    "on_time": "tijdig gedeclareerd",
    "risk": "risicoprofiel",
    "flags": "risicokenmerken",
    "ceiling_cents": "plafond programma",
    "booked_ytd_cents": "geboekt dit jaar",
    "ceiling_used": "plafond benut",
    "quarter": "kwartaal",
    "product_group": "productgroep",
    "median_cost_per_client": "mediaan aanbieders",
    "position": "positie",
    "stop_reason_name": "reden beëindiging",
    "trajectories_ended": "beëindigd",
    "figure": "",
    "value": "waarde",
}


def quarter_label(ts) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts.year}-K{(ts.month - 1) // 3 + 1}"


def provider_quarters(con, quarter_start, law: str, quarters: int = 8) -> pd.DataFrame:
    """Per provider and quarter (the reference quarter and the ones before), in one law: clients,
    flows, waiting, duration, cost and on-time invoicing. Inflow and outflow are question_answers'
    (reports/answers.py). On-time invoicing counts only months whose invoicing term has passed
    (question_answers marks them complete): before, the latest quarter read near 100% because its
    late lines had not arrived yet."""
    first = pd.Timestamp(quarter_start) - pd.DateOffset(months=3 * (quarters - 1))
    con.register("provider_flows", quarter_flows(con, first, quarter_start, "provider", law))
    frame = con.execute(
        f"""
        with q as (select unnest(generate_series($first::date, $last::date, interval 3 month))::date as qs),
        care as (
            select q.qs, provider_agb, count(distinct client_key) as clients
            from q join ({CARE_IN_KIND}) c on c.month_start >= q.qs and c.month_start < q.qs + interval 3 month
            where c.law = $law group by all
        ),
        closed as (
            -- months whose invoicing term has passed (W08/J07 complete)
            select distinct period_start as month_start from marts.question_answers
            where question_id in ('W08', 'J07') and period_type = 'month' and is_complete and law = $law
        ),
        flows as (
            select quarter_start as qs, member as provider_agb, inflow, outflow from provider_flows
        ),
        starts as (
            select q.qs, provider_agb, avg(waiting_days) as avg_waiting_days
            from q join marts.fct_care_trajectories t on t.start_date >= q.qs and t.start_date < q.qs + interval 3 month
            where t.law = $law group by all
        ),
        ends as (
            -- as W26: the first and the last day both count
            select q.qs, provider_agb, avg(datediff('day', start_date, end_date) + 1) as avg_duration_days
            from q join marts.fct_care_trajectories t on t.end_date >= q.qs and t.end_date < q.qs + interval 3 month
            where t.law = $law group by all
        ),
        money as (
            select q.qs, provider_agb, sum(amount_cents) as cost,
                   avg(case when submitted_on_time then 1.0 else 0.0 end)
                       filter (where b.period_month in (select month_start from closed)) as on_time
            from q join ({BOOKED_IN_KIND}) b on b.period_month >= q.qs and b.period_month < q.qs + interval 3 month
            where b.law = $law group by all
        )
        select qs as quarter_start, provider_agb, coalesce(clients, 0) as clients, coalesce(inflow, 0) as inflow,
               coalesce(outflow, 0) as outflow, avg_duration_days, avg_waiting_days, coalesce(cost, 0) as cost, on_time
        from care full outer join flows using (qs, provider_agb) full outer join starts using (qs, provider_agb)
             full outer join ends using (qs, provider_agb) full outer join money using (qs, provider_agb)
    """,
        {"first": first.date(), "last": pd.Timestamp(quarter_start).date(), "law": law},
    ).df()
    con.unregister("provider_flows")
    return frame


def benchmark(con, quarter_start, law: str) -> pd.DataFrame:
    """Cost per client per provider and product group in the quarter, against the other providers of the group."""
    frame = con.execute(
        f"""
        with care as (
            select provider_agb, product_group, count(distinct client_key) as clients
            from ({CARE_IN_KIND})
            where month_start >= ? and month_start < ?::date + interval 3 month and law = ? group by all
        ),
        money as (
            select provider_agb, product_group, sum(amount_cents) as cost
            from ({BOOKED_IN_KIND}) where period_month >= ? and period_month < ?::date + interval 3 month and law = ?
            group by all
        )
        select provider_agb, product_group, clients, cost, cost / clients as cost_per_client
        from care join money using (provider_agb, product_group) where clients > 0
        order by provider_agb, product_group
    """,
        [quarter_start, quarter_start, law] * 2,
    ).df()
    group = frame.groupby("product_group")["cost_per_client"]
    frame["median_cost_per_client"] = group.transform("median")
    frame["benchmark_ratio"] = frame["cost_per_client"] / frame["median_cost_per_client"]
    frame["position"] = (
        group.rank(method="min").astype(int).astype(str) + " van " + group.transform("count").astype(str)
    )
    return frame


DEPARTMENT = {"wmo": "MO (Wmo)", "jeugd": "JOS (Jeugd)"}
REPORT_WORKING_DAYS = 5  # iStandaard: a 305 or 307 within five working days of the start or end of care


def provider_facts(con, quarter_start, law: str) -> pd.DataFrame:
    """Per provider in the quarter and law: the programme ceiling of the year and what was booked
    against it through the quarter, the waiting list (Wmo: W07 at the end of the quarter; Jeugd:
    J16's waiting days), and how the provider uses the message traffic: invoice lines rejected,
    starts and ends reported by 305/307, missing or later than five working days."""
    qs = pd.Timestamp(quarter_start)
    has_programme = table_exists(con, "programming", "scenario_providers")
    ceiling = (
        f"""select provider_agb, sum(ceiling_cents) as ceiling_cents
           from programming.scenario_providers join programming.scenarios using (scenario)
           where adopted and law = $law and year = $year and provider_agb <> '{PGB_PROVIDER}' group by all"""
        if has_programme
        else "select null::varchar as provider_agb, null::double as ceiling_cents where false"
    )
    waiting = (
        """select member as provider_agb, value as waiting from marts.question_answers
           where question_id = 'W07' and cross_section = 'provider' and period_type = 'month'
             and period_start = $qs::date + interval 2 month"""
        if law == "wmo"
        else """select member as provider_agb, value as waiting from marts.question_answers
           where question_id = 'J16' and cross_section = 'provider' and period_type = 'quarter'
             and period_start = $qs::date"""
    )
    return con.execute(
        f"""
        with ceilings as ({ceiling}),
        booked as (
            select provider_agb, sum(amount_cents) as booked_ytd_cents from ({BOOKED_IN_KIND})
            where law = $law and year(period_month) = $year and period_month < $qs::date + interval 3 month
            group by all
        ),
        waiting as ({waiting}),
        lines as (
            select provider_agb, count(*) as lines, count(*) filter (where line_status <> 'accepted') as rejected_lines
            from marts.fct_declaration_lines
            where law = $law and submitted_on >= $qs::date and submitted_on < $qs::date + interval 3 month
            group by all
        ),
        days as (select calendar_date, working_day_number from ref.calendar),
        starts as ({_reported("starts", "start_date", "start_reported_on", "has_start_message")}),
        stops as ({_reported("ends", "end_date", "stop_reported_on", "has_stop_message")})
        select * from ceilings full outer join booked using (provider_agb) full outer join waiting using (provider_agb)
            full outer join lines using (provider_agb) full outer join starts using (provider_agb)
            full outer join stops using (provider_agb)
        order by provider_agb
    """,
        {"law": law, "year": qs.year, "qs": qs.date()},
    ).df()


def _reported(name: str, date: str, reported: str, has_message: str) -> str:
    """Per provider: care that started (or ended) in the quarter with and without its message, and the
    messages whose first arrival came more than five working days after the date they report."""
    return f"""
        select t.provider_agb,
               count(*) filter (where t.{has_message}) as {name}_reported,
               count(*) filter (where not t.{has_message}) as {name}_missing,
               count(*) filter (where r.working_day_number - d.working_day_number > {REPORT_WORKING_DAYS})
                   as {name}_late
        from marts.fct_care_trajectories t
        left join days d on d.calendar_date = t.{date}
        left join days r on r.calendar_date = t.{reported}
        where t.law = $law and t.{date} >= $qs::date and t.{date} < $qs::date + interval 3 month
        group by all"""


def risk_flags(con, quarter_start, law: str) -> pd.DataFrame:
    """Every provider with at least one risk characteristic at the quarter's end (000 §4 speaks of a
    '(combinatie van)' characteristics: one flag is worth seeing, the count says how worrying)."""
    if not table_exists(con, "programming", "provider_risk"):
        return pd.DataFrame(columns=["provider_agb", "flags", "elevated", "risk"])
    return con.execute(
        """select provider_agb, flags, elevated, reasons as risk from programming.provider_risk
           where law = ? and flags >= 1 and quarter_end = ?::date + interval 3 month - interval 1 day
           order by flags desc, volume_cents desc, provider_agb""",
        [law, pd.Timestamp(quarter_start).date()],
    ).df()


def build(con: duckdb.DuckDBPyConnection, quarter_start, law: str) -> tuple[Report, dict[str, Report]]:
    """The index report of one law (department) and one report per provider (keyed by AGB code)."""
    qs = pd.Timestamp(quarter_start)
    label = quarter_label(qs)
    department = DEPARTMENT[law]
    names = dict(con.execute("select provider_agb, provider_name from marts.dim_provider").fetchall())
    history = provider_quarters(con, qs, law)
    history["quarter"] = history["quarter_start"].map(quarter_label)
    bench = benchmark(con, qs, law)
    risk = risk_flags(con, qs, law)
    facts = provider_facts(con, qs, law)
    now = history[history["quarter_start"] == qs].copy()
    weighted = (
        bench.assign(w=bench["benchmark_ratio"] * bench["clients"]).groupby("provider_agb")[["w", "clients"]].sum()
    )
    now = (
        now.merge(
            (weighted["w"] / weighted["clients"]).rename("benchmark_ratio"),
            left_on="provider_agb",
            right_index=True,
            how="left",
        )
        .merge(risk, on="provider_agb", how="left")
        .merge(facts, on="provider_agb", how="left")
    )
    now["flags"] = now["flags"].fillna(0).astype(int)
    now["cost_per_client"] = now["cost"] / now["clients"].where(now["clients"] > 0)
    now["ceiling_used"] = now["booked_ytd_cents"] / now["ceiling_cents"].where(now["ceiling_cents"] > 0)
    now.insert(0, "provider_name", now["provider_agb"].map(names).fillna(now["provider_agb"]))
    now = now.sort_values(["cost", "provider_agb"], ascending=[False, True])
    # totals of people are the law's distinct counts (a client at two providers is one client), not sums
    law_flows = quarter_flows(con, qs, qs, "none", law)
    distinct = {
        "provider_agb": "",
        "clients": blocks.distinct_clients(con, law, qs, qs + pd.DateOffset(months=2), in_kind=True),
        **{c: int(law_flows[c].sum()) for c in ("inflow", "outflow")},
    }
    index_table = blocks.with_total(now, "provider_name", ["cost", "ceiling_cents", "booked_ytd_cents"], distinct)
    waiting_label = "wachtlijst eind kwartaal (W07)" if law == "wmo" else "wachttijd in dagen (J16)"
    index = Report(
        f"Kwartaaloverzicht aanbieders {department} {label}",
        " ".join(
            [
                "Per aanbieder: cliënten, in- en uitstroom, duur, kosten, plafond, wachtlijst, benchmark, "
                "berichtenverkeer en risicoprofiel.",
                provisional_note(con, qs, qs + pd.DateOffset(months=2)),
            ]
        ).strip(),
        [
            Section(
                "Aanbieders",
                index_table,
                {
                    "provider_name": "text",
                    "provider_agb": "text",
                    "clients": "count",
                    "inflow": "count",
                    "outflow": "count",
                    "avg_duration_days": "num",
                    "cost": "money",
                    "cost_per_client": "money",
                    "ceiling_cents": "money",
                    "ceiling_used": "pct",
                    "waiting": "num",
                    "benchmark_ratio": "num",
                    "on_time": "pct",
                    "flags": "int",
                },
                LABELS | {"waiting": waiting_label},
                total_row=True,
                derived={"cost_per_client": "clients", "avg_duration_days": "outflow"},
                key="aanbieders",
                links={"provider_name": "aanbieders/{provider_agb}/index.html"},
                text="Totaal cliënten, instroom en uitstroom: uniek geteld in de wet, geen som van de rijen (een "
                "cliënt bij twee aanbieders telt één keer). Benchmark: kosten per cliënt gedeeld door de mediaan "
                "van de aanbieders van dezelfde productgroep, gewogen naar cliënten. Tijdig gedeclareerd: alleen over "
                "maanden waarvan de factuurtermijn voorbij is. Plafond: het plafond van het vastgestelde programma "
                "voor het hele jaar; benut: geboekt dit jaar t/m het kwartaal gedeeld door het plafond. Eén pagina "
                "per aanbieder in de map aanbieders/.",
            ),
            Section(
                "Risicoprofiel: aanbieders met ten minste één kenmerk",
                risk.assign(provider_name=risk["provider_agb"].map(names).fillna(risk["provider_agb"])),
                {"provider_name": "text", "provider_agb": "text", "flags": "int", "risk": "text"},
                LABELS | {"flags": "kenmerken"},
                key="risicoprofiel",
                links={"provider_name": "aanbieders/{provider_agb}/index.html"},
                text="Gesorteerd naar het aantal kenmerken (000 §4): groot contractvolume, veel cliënten, hoge "
                "kostprijs, snelle groei, en wat contractmanagement vastlegt (financiële problemen, verbeterplan). "
                "Verhoogd vanaf het ingestelde aantal (programming/monitoring.yaml).",
            ),
        ],
    )
    pages = {}
    stops = con.execute(
        """select provider_agb, stop_reason_name, trajectories_ended from marts.fct_stop_reasons
           where quarter_start = ? and law = ? order by provider_agb, trajectories_ended desc, stop_reason_name""",
        [qs.date(), law],
    ).df()
    switches = _switches(con, qs, law)
    register = contract_register(con, law)
    for agb in now["provider_agb"]:
        row = now[now["provider_agb"] == agb].iloc[0]
        pages[agb] = Report(
            f"{row['provider_name']} ({agb})",
            f"Kwartaaloverzicht aanbieders {department} {label}",
            _provider_sections(
                row,
                history[history["provider_agb"] == agb].sort_values("quarter_start"),
                bench[bench["provider_agb"] == agb],
                stops[stops["provider_agb"] == agb],
                switches,
                register[register["provider_agb"] == agb],
                waiting_label,
            ),
            nav=[("Alle aanbieders", "../../index.html")],
        )
    return index, pages


def _text(value, kind: str = "text") -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    if kind == "money":
        return dutch.euros(value)
    if kind == "pct":
        return dutch.percent(value)
    if kind == "num":
        return dutch.number(value, 1)
    return value if isinstance(value, str) else dutch.number(value)


def _provider_sections(row, trend, bench, stops, switches, register, waiting_label) -> list[Section]:
    agb = row["provider_agb"]
    facts = pd.DataFrame(
        [
            {"figure": "Plafond programma (jaar)", "value": _text(row["ceiling_cents"], "money")},
            {"figure": "Geboekt dit jaar t/m het kwartaal", "value": _text(row["booked_ytd_cents"], "money")},
            {"figure": "Plafond benut", "value": _text(row["ceiling_used"], "pct")},
            {"figure": waiting_label[0].upper() + waiting_label[1:], "value": _text(row["waiting"], "num")},
            {"figure": "Gemiddelde wachttijd start (dagen)", "value": _text(row["avg_waiting_days"], "num")},
            {"figure": "Tijdig gedeclareerd (afgesloten maanden)", "value": _text(row["on_time"], "pct")},
            {
                "figure": f"Risicoprofiel ({int(row['flags'])} kenmerken)",
                "value": row["risk"] if isinstance(row["risk"], str) and row["risk"] else "geen risicokenmerken",
            },
        ]
    )
    discipline = pd.DataFrame(
        [
            {"figure": "Declaratieregels ingediend", "n": row["lines"]},
            {"figure": "... waarvan afgewezen", "n": row["rejected_lines"]},
            {"figure": "Starts gemeld met een 305", "n": row["starts_reported"]},
            {"figure": "... 305 later dan 5 werkdagen na de start", "n": row["starts_late"]},
            {"figure": "Starts zonder 305", "n": row["starts_missing"]},
            {"figure": "Beëindigingen gemeld met een 307", "n": row["ends_reported"]},
            {"figure": "... 307 later dan 5 werkdagen na het einde", "n": row["ends_late"]},
            {"figure": "Beëindigingen zonder 307", "n": row["ends_missing"]},
        ]
    ).fillna({"n": 0})
    switched = pd.DataFrame(
        [
            {"direction": "van een andere aanbieder", "clients": switches.get((agb, "in"), 0)},
            {"direction": "naar een andere aanbieder", "clients": switches.get((agb, "out"), 0)},
        ]
    )
    return [
        Section(
            "Ontwikkeling over acht kwartalen",
            trend,
            {"quarter": "text", "clients": "count", "inflow": "count", "outflow": "count", "cost": "money"},
            LABELS,
            chart=Chart("line", "quarter", ["clients", "inflow", "outflow"], "Cliënten en stromen"),
            key="trend",
        ),
        Section("Kenmerken", facts, {"figure": "text", "value": "text"}, LABELS, key="kenmerken"),
        Section(
            "Positie in de productgroep",
            bench,
            {
                "product_group": "text",
                "clients": "count",
                "cost": "money",
                "cost_per_client": "money",
                "median_cost_per_client": "money",
                "position": "text",
            },
            LABELS,
            derived={"cost_per_client": "clients"},
            key="benchmark",
            text="Positie: rang naar kosten per cliënt (1 = laagste) onder de aanbieders van de productgroep.",
        ),
        Section(
            "Berichtenverkeer in het kwartaal",
            discipline.assign(n=discipline["n"].astype(int)),
            {"figure": "text", "n": "int"},
            {"figure": "", "n": "aantal"},
            key="berichtenverkeer",
            text="Afgewezen: declaratieregels zonder geldige toewijzing of buiten de toegewezen periode. Een 305 "
            "(start) en 307 (einde) horen binnen 5 werkdagen te komen (iStandaarden); de eerste melding telt.",
        ),
        Section(
            "Redenen beëindiging",
            stops,
            {"stop_reason_name": "text", "trajectories_ended": "count"},
            LABELS,
            key="redenen",
        ),
        Section(
            "Overstappers in het kwartaal",
            switched,
            {"direction": "text", "clients": "count"},
            {"direction": "overgestapt", "clients": "cliënten"},
            key="overstappers",
            text="Binnen 31 dagen na het einde bij een andere aanbieder, in dezelfde productgroep.",
        ),
        Section(
            "Contractmanagement: afspraken en kenmerken",
            register,
            {"kind": "text", "registered_on": "text", "description": "text", "status": "text", "due_on": "text"},
            {
                "kind": "soort",
                "registered_on": "datum",
                "description": "omschrijving",
                "status": "status",
                "due_on": "streefdatum",
            },
            key="contractmanagement",
            internal_only=True,
            text="Uit het register van contractmanagement (docs/feeds.md): wat in de gesprekken met de aanbieder is "
            "afgesproken, met de stand, en kenmerken die alleen contractmanagement kent.",
        ),
    ]


def contract_register(con, law: str) -> pd.DataFrame:
    """The contract-management register's rows for the law (and those for both laws), newest first."""
    columns = ["provider_agb", "kind", "registered_on", "description", "status", "due_on"]
    if not table_exists(con, "marts", "fct_contract_register"):
        return pd.DataFrame(columns=columns)
    return con.execute(
        """select provider_agb, kind_name as kind, strftime(registered_on, '%d-%m-%Y') as registered_on, description,
                  status, strftime(due_on, '%d-%m-%Y') as due_on
           from marts.fct_contract_register where law is null or law = ?
           order by provider_agb, registered_on desc, description""",
        [law],
    ).df()


def _switches(con, qs, law: str) -> dict[tuple[str, str], int]:
    """Clients who started with this provider within 31 days after ending a trajectory of the same
    product group with another provider (in), and the reverse (out), in the quarter."""
    frame = con.execute(
        """
        with t as (select client_key, provider_agb, product_group, start_date, end_date from
            marts.fct_care_trajectories where law = ?)
        select a.provider_agb as from_agb, b.provider_agb as to_agb
        from t a join t b on a.client_key = b.client_key and a.product_group = b.product_group
            and a.provider_agb <> b.provider_agb and b.start_date between a.end_date and a.end_date + interval 31 day
        where b.start_date >= ? and b.start_date < ?::date + interval 3 month
    """,
        [law, qs.date(), qs.date()],
    ).df()
    out = frame.groupby("from_agb").size().rename(lambda a: (a, "out")).to_dict()
    out.update(frame.groupby("to_agb").size().rename(lambda a: (a, "in")).to_dict())
    return out
