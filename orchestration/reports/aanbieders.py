"""Kwartaaloverzicht aanbieders (003 Bijlage 3): per provider at a reference quarter, with
its trend over eight quarters and its position among providers of the same product group."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.lib import dutch
from orchestration.programming.inputs import BOOKED, CARE

from .answers import provisional_note, quarter_flows
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


def provider_quarters(con, quarter_start, quarters: int = 8) -> pd.DataFrame:
    """Per provider and quarter (the reference quarter and the ones before): clients, flows, cost.
    Inflow and outflow are question_answers' (reports/answers.py), summed over the laws: entering Wmo
    and Jeugd care are two inflows."""
    first = pd.Timestamp(quarter_start) - pd.DateOffset(months=3 * (quarters - 1))
    con.register("provider_flows", quarter_flows(con, first, quarter_start, "provider"))
    frame = con.execute(
        f"""
        with q as (select unnest(generate_series(?::date, ?::date, interval 3 month))::date as qs),
        care as (
            -- distinct clients over both laws: a client in Wmo and Jeugd care at one provider counts once
            select q.qs, provider_agb, count(distinct client_key) as clients
            from q join ({CARE}) c on c.month_start >= q.qs and c.month_start < q.qs + interval 3 month group by all
        ),
        flows as (
            select quarter_start as qs, member as provider_agb, inflow, outflow from provider_flows
        ),
        starts as (
            select q.qs, provider_agb, avg(waiting_days) as avg_waiting_days
            from q join marts.fct_care_trajectories t on t.start_date >= q.qs and t.start_date < q.qs + interval 3 month
            group by all
        ),
        ends as (
            -- as W26: the first and the last day both count
            select q.qs, provider_agb, avg(datediff('day', start_date, end_date) + 1) as avg_duration_days
            from q join marts.fct_care_trajectories t on t.end_date >= q.qs and t.end_date < q.qs + interval 3 month
            group by all
        ),
        money as (
            select q.qs, provider_agb, sum(amount_cents) as cost,
                   avg(case when submitted_on_time then 1.0 else 0.0 end) as on_time
            from q join ({BOOKED}) b on b.period_month >= q.qs and b.period_month < q.qs + interval 3 month group by all
        )
        select qs as quarter_start, provider_agb, coalesce(clients, 0) as clients, coalesce(inflow, 0) as inflow,
               coalesce(outflow, 0) as outflow, avg_duration_days, avg_waiting_days, coalesce(cost, 0) as cost, on_time
        from care full outer join flows using (qs, provider_agb) full outer join starts using (qs, provider_agb)
             full outer join ends using (qs, provider_agb) full outer join money using (qs, provider_agb)
    """,
        [first.date(), pd.Timestamp(quarter_start).date()],
    ).df()
    con.unregister("provider_flows")
    return frame


def benchmark(con, quarter_start) -> pd.DataFrame:
    """Cost per client per provider and product group in the quarter, against the other providers of the group."""
    frame = con.execute(
        f"""
        with care as (
            select provider_agb, product_group, count(distinct client_key) as clients
            from ({CARE}) where month_start >= ? and month_start < ?::date + interval 3 month group by all
        ),
        money as (
            select provider_agb, product_group, sum(amount_cents) as cost
            from ({BOOKED}) where period_month >= ? and period_month < ?::date + interval 3 month group by all
        )
        select provider_agb, product_group, clients, cost, cost / clients as cost_per_client
        from care join money using (provider_agb, product_group) where clients > 0
        order by provider_agb, product_group
    """,
        [quarter_start] * 4,
    ).df()
    group = frame.groupby("product_group")["cost_per_client"]
    frame["median_cost_per_client"] = group.transform("median")
    frame["benchmark_ratio"] = frame["cost_per_client"] / frame["median_cost_per_client"]
    frame["position"] = (
        group.rank(method="min").astype(int).astype(str) + " van " + group.transform("count").astype(str)
    )
    return frame


def build(con: duckdb.DuckDBPyConnection, quarter_start) -> tuple[Report, dict[str, Report]]:
    """The index report and one report per provider (keyed by AGB code)."""
    qs = pd.Timestamp(quarter_start)
    label = quarter_label(qs)
    names = dict(con.execute("select provider_agb, provider_name from marts.dim_provider").fetchall())
    history = provider_quarters(con, qs)
    history["quarter"] = history["quarter_start"].map(quarter_label)
    bench = benchmark(con, qs)
    risk = con.execute(
        """select provider_agb, string_agg(law || ': ' || reasons, ' | ' order by law) as risk
                          from programming.provider_risk where quarter_end = ?::date + interval 3 month - interval 1 day
                          and elevated group by 1""",
        [qs.date()],
    ).df()
    now = history[history["quarter_start"] == qs].copy()
    weighted = (
        bench.assign(w=bench["benchmark_ratio"] * bench["clients"]).groupby("provider_agb")[["w", "clients"]].sum()
    )
    now = now.merge(
        (weighted["w"] / weighted["clients"]).rename("benchmark_ratio"),
        left_on="provider_agb",
        right_index=True,
        how="left",
    ).merge(risk, on="provider_agb", how="left")
    now["cost_per_client"] = now["cost"] / now["clients"].where(now["clients"] > 0)
    now.insert(0, "provider_name", now["provider_agb"].map(names).fillna(now["provider_agb"]))
    now = now.sort_values(["cost", "provider_agb"], ascending=[False, True])
    total = {
        "provider_name": "Totaal",
        "provider_agb": "",
        **{c: now[c].sum() for c in ("clients", "inflow", "outflow", "cost")},
    }
    index_table = pd.concat([now, pd.DataFrame([total])], ignore_index=True)
    index = Report(
        f"Kwartaaloverzicht aanbieders {label}",
        " ".join(
            [
                "Per aanbieder: cliënten, in- en uitstroom, duur, kosten, benchmark en risicoprofiel.",
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
                    "benchmark_ratio": "num",
                    "on_time": "pct",
                    "risk": "text",
                },
                LABELS,
                total_row=True,
                derived={"cost_per_client": "clients", "avg_duration_days": "outflow"},
                key="aanbieders",
                links={"provider_name": "aanbieders/{provider_agb}/index.html"},
                text="Benchmark: kosten per cliënt gedeeld door de mediaan van de aanbieders van dezelfde "
                "productgroep, "
                "gewogen naar cliënten. Eén pagina per aanbieder in de map aanbieders/.",
            )
        ],
    )
    pages = {}
    stops = con.execute(
        """select provider_agb, stop_reason_name, trajectories_ended from marts.fct_stop_reasons
                           where quarter_start = ? order by provider_agb, trajectories_ended desc, stop_reason_name""",
        [qs.date()],
    ).df()
    switches = _switches(con, qs)
    for agb in now["provider_agb"]:
        trend = history[history["provider_agb"] == agb].sort_values("quarter_start")
        row = now[now["provider_agb"] == agb].iloc[0]
        facts = pd.DataFrame(
            [
                {"figure": "Gemiddelde wachttijd start (dagen)", "value": row["avg_waiting_days"]},
                {
                    "figure": "Tijdig gedeclareerd",
                    "value": None if pd.isna(row["on_time"]) else dutch.percent(row["on_time"]),
                },
                {
                    "figure": "Risicoprofiel",
                    "value": row["risk"] if isinstance(row["risk"], str) else "geen verhoogd risico",
                },
            ]
        )
        facts["value"] = facts["value"].map(
            lambda v: (
                "-"
                if v is None or (not isinstance(v, str) and pd.isna(v))
                else (v if isinstance(v, str) else f"{v:.0f}")
            )
        )
        switched = pd.DataFrame(
            [
                {"direction": "van een andere aanbieder", "clients": switches.get((agb, "in"), 0)},
                {"direction": "naar een andere aanbieder", "clients": switches.get((agb, "out"), 0)},
            ]
        )
        pages[agb] = Report(
            f"{row['provider_name']} ({agb})",
            f"Kwartaaloverzicht aanbieders {label}",
            [
                Section(
                    "Ontwikkeling over acht kwartalen",
                    trend,
                    {"quarter": "text", "clients": "count", "inflow": "count", "outflow": "count", "cost": "money"},
                    LABELS,
                    chart=Chart("line", "quarter", ["clients", "inflow", "outflow"], "Cliënten en stromen"),
                    key="trend",
                ),
                Section(
                    "Positie in de productgroep",
                    bench[bench["provider_agb"] == agb],
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
                    "Redenen beëindiging",
                    stops[stops["provider_agb"] == agb],
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
                Section("Overige kenmerken", facts, {"figure": "text", "value": "text"}, LABELS, key="kenmerken"),
            ],
            nav=[("Alle aanbieders", "../../index.html")],
        )
    return index, pages


def _switches(con, qs) -> dict[tuple[str, str], int]:
    """Clients who started with this provider within 31 days after ending a trajectory of the same
    product group with another provider (in), and the reverse (out), in the quarter."""
    frame = con.execute(
        """
        with t as (select client_key, provider_agb, product_group, start_date, end_date from
            marts.fct_care_trajectories)
        select a.provider_agb as from_agb, b.provider_agb as to_agb
        from t a join t b on a.client_key = b.client_key and a.product_group = b.product_group
            and a.provider_agb <> b.provider_agb and b.start_date between a.end_date and a.end_date + interval 31 day
        where b.start_date >= ? and b.start_date < ?::date + interval 3 month
    """,
        [qs.date(), qs.date()],
    ).df()
    out = frame.groupby("from_agb").size().rename(lambda a: (a, "out")).to_dict()
    out.update(frame.groupby("to_agb").size().rename(lambda a: (a, "in")).to_dict())
    return out
