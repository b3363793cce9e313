"""Money for the portal: the budget position on the start page and the drill-down from law to main
group to product group to provider.

Everything here is computed by the functions the report products use (booked money, care in kind and pgb,
``programming.early_warning.project`` for the run rate, ``blocks.year_end`` for the outlook per main
group), so the portal and the budget-holder report never disagree about the same month.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from orchestration.lib import dutch
from orchestration.programming import inputs
from orchestration.programming.early_warning import project
from orchestration.programming.inputs import BOOKED, CARE, provider_names
from orchestration.reports import blocks
from orchestration.reports.document import Chart, Section

LAW_NAMES = {"wmo": "Wmo", "jeugd": "Jeugd"}
# (query parameter, column of the booked lines, column of the care months, Dutch name of the level)
LEVELS = (
    ("wet", "law", "law", "wet"),
    ("hoofdgroep", "product_main_group", "main_group", "hoofdgroep"),
    ("productgroep", "product_group", "product_group", "productgroep"),
    ("aanbieder", "provider_agb", "provider_agb", "aanbieder"),
)


def latest_month(con) -> tuple[int, int] | None:
    """(year, month) of programming.inputs.latest_month: the month the reports are at."""
    latest = inputs.latest_month(con)
    return None if latest is None else (latest.year, latest.month)


def years(con) -> list[int]:
    return [
        r[0]
        for r in con.execute(
            "select distinct year(period_month) from marts.fct_declaration_lines where is_booked order by 1 desc"
        ).fetchall()
    ]


def month_of(con, year: int) -> int:
    """The months of ``year`` that count: all twelve of a past year, up to the latest booked one of this year."""
    latest = latest_month(con)
    return latest[1] if latest and latest[0] == year else 12


def signal(cents) -> str:
    if cents is None or pd.isna(cents):
        return "geen begroting"
    return "boven begroting" if cents > 0 else "binnen begroting"


def position(con, law: str, year: int, month: int) -> tuple[dict, Section]:
    """One law's budget position: the totals for the card and the table per main group, with the
    over/underspend signal per group (by run rate, as the budget-holder report headlines it)."""
    frame = blocks.year_end(con, law, year, month)
    section = blocks.year_end_section(frame)
    table = section.table.copy()
    table.insert(1, "signal", table["over_budget_cents"].map(signal))
    section.table = table
    section.kinds = {
        "main_group": "text",
        "signal": "text",
        **{k: v for k, v in section.kinds.items() if k != "main_group"},
    }
    section.labels = {**section.labels, "signal": "signaal"}
    section.key = f"positie_{law}"
    section.title = f"{LAW_NAMES.get(law, law)}: begroting en verwachting jaareinde per hoofdgroep"
    total = table.iloc[-1]
    card = {
        "law": LAW_NAMES.get(law, law),
        "budget": dutch.euros(total["budget_cents"]) if pd.notna(total["budget_cents"]) else "-",
        "booked": dutch.euros(total["ytd_cents"]) if pd.notna(total["ytd_cents"]) else "-",
        "projected": dutch.euros(total["projected_cents"]) if pd.notna(total["projected_cents"]) else "-",
        "over": blocks.over_under(total["over_budget_cents"]),
        "state": "over" if pd.notna(total["over_budget_cents"]) and total["over_budget_cents"] > 0 else "onder",
        "over_cents": total["over_budget_cents"],
    }
    return card, section


def _budget(con, level: int, year: int, filters: dict[str, str]) -> tuple[pd.Series, str]:
    """The amount each row is measured against: the begroting for laws and main groups (fct_budget),
    the adopted programme for product groups, the programme's ceiling for providers."""
    law, main, group = filters.get("wet"), filters.get("hoofdgroep"), filters.get("productgroep")
    if level <= 1:
        key = "law" if level == 0 else "main_group"
        frame = con.execute(
            f"select {key} as key, sum(budget_cents) as budget from marts.fct_budget "
            "where budget_year = ? and (?::varchar is null or law = ?) group by all",
            [year, law, law],
        ).df()
        return frame.set_index("key")["budget"], "begroting"
    table = "scenario_products" if level == 2 else "scenario_providers"
    if not blocks.table_exists(con, "programming", table):
        return pd.Series(dtype=float), "programma"
    key, amount = ("product_group", "budget_cents") if level == 2 else ("provider_agb", "ceiling_cents")
    base_year = "and not is_base_year" if level == 2 else ""
    frame = con.execute(
        f"""select {key} as key, sum({amount}) as budget
            from programming.{table} join programming.scenarios using (scenario)
            where adopted and year = ? and law = ? and main_group = ?
              and (?::varchar is null or product_group = ?) {base_year}
            group by all""",
        [year, law, main, group, group],
    ).df()
    return frame.set_index("key")["budget"], "programma" if level == 2 else "plafond (programma)"


def drill(con, year: int, filters: dict[str, str]) -> tuple[Section, list[tuple[str, str]]]:
    """The rows one level below what ``filters`` chose (wet, hoofdgroep, productgroep): per row the
    budget it is measured against, booked so far, the run-rate projection for the year, the expected
    over- or underspend, its share of the booked money and its clients in care (distinct; the total
    counts each client once). Also the trail back up, as (label, query string) pairs."""
    level = next((i for i, (param, *_) in enumerate(LEVELS) if not filters.get(param)), len(LEVELS) - 1)
    filters = {param: filters[param] for param, *_ in LEVELS[:level]}  # a lower level without its parent is ignored
    month = month_of(con, year)
    where_booked = " and ".join(f"{col} = ?" for param, col, _, _ in LEVELS[:level])
    where_care = " and ".join(f"{col} = ?" for param, _, col, _ in LEVELS[:level])
    values = [filters[param] for param, *_ in LEVELS[:level]]
    _, booked_col, care_col, level_name = LEVELS[level]
    monthly = con.execute(
        f"""select {booked_col} as key, month(period_month) as month, sum(amount_cents) as cost
            from ({BOOKED}) where year(period_month) = ? and month(period_month) <= ? and {where_booked or "true"}
            group by all""",
        [year, month, *values],
    ).df()
    care_where = f"year(month_start) = ? and month(month_start) <= ? and {where_care or 'true'}"
    clients = con.execute(
        f"select {care_col} as key, count(distinct client_key) as n from ({CARE}) where {care_where} group by all",
        [year, month, *values],
    ).df()
    total_clients = con.execute(
        f"select count(distinct client_key) from ({CARE}) where {care_where}", [year, month, *values]
    ).fetchone()[0]
    budget, budget_label = _budget(con, level, year, filters)
    keys = sorted(set(monthly["key"].dropna()) | set(budget.index.dropna()) | set(clients["key"].dropna()))
    rows = []
    for key in keys:
        amounts = monthly[monthly["key"] == key].set_index("month")["cost"]
        p = project([float(amounts.get(m, 0.0)) for m in range(1, month + 1)], None)
        rows.append({"key": key, "ytd_cents": round(p["ytd_cents"]), "projected_cents": round(p["projected_cents"])})
    frame = pd.DataFrame(rows, columns=["key", "ytd_cents", "projected_cents"])
    frame["budget_cents"] = frame["key"].map(budget).astype(float)
    frame["clients"] = frame["key"].map(clients.set_index("key")["n"]).fillna(0).astype(int)
    frame["label"] = frame["key"].map(_names(con, level)).fillna(frame["key"])
    frame = frame.sort_values("ytd_cents", ascending=False, kind="stable").reset_index(drop=True)
    total_ytd = frame["ytd_cents"].sum()
    frame = blocks.with_total(
        frame, "label", ["ytd_cents", "projected_cents", "budget_cents"], {"clients": total_clients}
    )
    frame["over_cents"] = frame["projected_cents"] - frame["budget_cents"]
    frame["share"] = frame["ytd_cents"] / total_ytd if total_ytd else None
    frame["signal"] = frame["over_cents"].map(signal)
    links = {}
    if level < len(LEVELS) - 1:
        param = LEVELS[level][0]
        frame["href"] = [
            "?" + urlencode({"jaar": year, **filters, param: k}) if isinstance(k, str) else "" for k in frame["key"]
        ]
        links = {"label": "{href}"}
    chosen = ", ".join(filters[p] if p != "wet" else LAW_NAMES.get(filters[p], filters[p]) for p in filters)
    section = Section(
        f"Per {level_name}" + (f" binnen {chosen}" if chosen else "") + f", {year} t/m {dutch.MONTHS[month - 1]}",
        frame,
        {
            "label": "text",
            "budget_cents": "money",
            "ytd_cents": "money",
            "projected_cents": "money",
            "over_cents": "money",
            "signal": "text",
            "share": "pct",
            "clients": "count",
        },
        {
            "label": level_name,
            "budget_cents": budget_label,
            "ytd_cents": f"geboekt t/m {dutch.MONTHS[month - 1]}",
            "projected_cents": "prognose jaareinde (run rate)",
            "over_cents": f"over (+) / onder (-) {budget_label}",
            "signal": "signaal",
            "share": "aandeel geboekt",
            "clients": "cliënten in zorg",
        },
        chart=Chart(
            "bar", "label", ["budget_cents", "projected_cents"], f"{budget_label.capitalize()} en prognose", True
        ),
        total_row=True,
        derived={},
        key="geld",
        links=links,
        text="Geboekt: gedeclareerd en goedgekeurd (iWmo/iJw 323), naar de maand van levering. Prognose: geboekt "
        "plus het gemiddelde van de laatste drie maanden voor elke resterende maand. Cliënten: uniek geteld; het "
        "totaal telt iemand met zorg in twee rijen één keer.",
    )
    trail = [("Alle wetten", "?" + urlencode({"jaar": year}))]
    for i, (param, *_) in enumerate(LEVELS[:level]):
        value = filters[param]
        trail.append(
            (
                LAW_NAMES.get(value, value) if param == "wet" else _names(con, i).get(value, value),
                "?" + urlencode({"jaar": year, **{p: filters[p] for p, *_ in LEVELS[: i + 1]}}),
            )
        )
    return section, trail


def _names(con, level: int) -> dict[str, str]:
    if level == 0:
        return dict(LAW_NAMES)
    if level == 3:
        return provider_names(con)
    return {}
