"""Wijkrapportage: per quarter, where the clients live (001 asks for a view "naar producten,
instellingen en wijken"; programming sets yardsticks per wijk that this report monitors).

Per wijk: clients per 1,000 inhabitants by law and main group, the first line against
specialist care, the trend over eight quarters, and clients against the wijk yardsticks of the
adopted programme. Inhabitants come from the CBS "Kerncijfers wijken en buurten" seed
(``dim_wijk``); Jeugd is counted per 1,000 inhabitants under 25, the nearest CBS age group.
Clients whose address gives no wijk are shown as 'onbekend', without a rate.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.programming.early_warning import clients_against
from orchestration.programming.inputs import CARE, read_client_realisation
from orchestration.programming.thresholds import load_monitoring

from . import blocks
from .aanbieders import quarter_label
from .blocks import table_exists
from .document import Chart, Report, Section

PER = 1000
WIJK_LABEL = {"wijk_name": "wijk", "wijk_code": "code"}


def _wijken(con) -> pd.DataFrame:
    """The wijken of the municipalities in the data (the seed holds the whole region's)."""
    return con.execute(
        """select wijk_code, wijk_name, inhabitants, inhabitants_under_25 from marts.dim_wijk
           where municipality_code in (select distinct municipality_code from marts.fct_care_months)
           order by wijk_code"""
    ).df()


def _rate(clients: pd.Series, base: pd.Series) -> pd.Series:
    return (clients * PER / base.where(base > 0)).astype(float)  # shown with one decimal, kept exact


def clients_per_wijk(con, quarter_start) -> pd.DataFrame:
    """Per wijk (and 'onbekend'): distinct clients in care in the quarter per law and over both,
    with the rates per 1,000 (Wmo and both laws per inhabitant, Jeugd per inhabitant under 25)."""
    qs = pd.Timestamp(quarter_start).date()
    counted = con.execute(
        f"""
        select coalesce(wijk_code, 'onbekend') as wijk_code,
               count(distinct client_key) filter (where law = 'wmo') as wmo,
               count(distinct client_key) filter (where law = 'jeugd') as jeugd,
               count(distinct client_key) as clients
        from ({CARE}) where month_start >= ?::date and month_start < ?::date + interval 3 month
        group by all
    """,
        [qs, qs],
    ).df()
    frame = _wijken(con).merge(counted, on="wijk_code", how="outer")
    frame["wijk_name"] = frame["wijk_name"].fillna(frame["wijk_code"])
    frame[["wmo", "jeugd", "clients"]] = frame[["wmo", "jeugd", "clients"]].fillna(0).astype(int)
    frame["wmo_rate"] = _rate(frame["wmo"], frame["inhabitants"])
    frame["jeugd_rate"] = _rate(frame["jeugd"], frame["inhabitants_under_25"])
    frame["rate"] = _rate(frame["clients"], frame["inhabitants"])
    return frame.sort_values(["wijk_code"], key=lambda c: c.eq("onbekend").astype(str) + c).reset_index(drop=True)


def main_groups_per_wijk(con, quarter_start) -> pd.DataFrame:
    """Per wijk, law and main group: distinct clients in the quarter and the rate per 1,000."""
    qs = pd.Timestamp(quarter_start).date()
    frame = con.execute(
        f"""
        select coalesce(c.wijk_code, 'onbekend') as wijk_code, c.law, c.main_group,
               count(distinct c.client_key) as clients
        from ({CARE}) c where c.month_start >= ?::date and c.month_start < ?::date + interval 3 month
        group by all
    """,
        [qs, qs],
    ).df()
    frame = frame.merge(_wijken(con), on="wijk_code", how="left")
    frame["wijk_name"] = frame["wijk_name"].fillna(frame["wijk_code"])
    base = frame["inhabitants"].where(frame["law"] == "wmo", frame["inhabitants_under_25"])
    frame["rate"] = _rate(frame["clients"], base)
    frame["law"] = frame["law"].map({"wmo": "Wmo", "jeugd": "Jeugd"})
    return frame.sort_values(["wijk_code", "law", "main_group"]).reset_index(drop=True)


def first_line(con, quarter_start) -> pd.DataFrame:
    """Per wijk and law: clients with ambulatory support helped by the first line only, by specialist
    care only, or both (fct_wijk_support_mix), against the programme's first-line share for the wijk."""
    qs = pd.Timestamp(quarter_start)
    frame = con.execute(
        """select wijk_code, law, clients_first_line_only, clients_specialist_only, clients_both, clients_total,
                  clients_first_line_only / clients_total as share_first_line
           from marts.fct_wijk_support_mix where period_type = 'quarter' and period_start = ?::date""",
        [qs.date()],
    ).df()
    frame = frame.merge(blocks.first_line_targets(con, qs.year), on=["law", "wijk_code"], how="left")
    frame = frame.merge(_wijken(con)[["wijk_code", "wijk_name"]], on="wijk_code", how="left")
    frame["wijk_name"] = frame["wijk_name"].fillna(frame["wijk_code"])
    frame["law"] = frame["law"].map({"wmo": "Wmo (sociaal wijkteam)", "jeugd": "Jeugd (CJG)"})
    return frame.sort_values(["law", "wijk_code"]).reset_index(drop=True)


def trend(con, quarter_start, quarters: int = 8) -> pd.DataFrame:
    """Clients (both laws, distinct) per 1,000 inhabitants per wijk over the last quarters: one row
    per quarter, one column per wijk code."""
    last = pd.Timestamp(quarter_start)
    first = last - pd.DateOffset(months=3 * (quarters - 1))
    counted = con.execute(
        f"""
        select date_trunc('quarter', month_start)::date as quarter_start, wijk_code, count(distinct client_key) as n
        from ({CARE})
        where month_start >= ?::date and month_start < ?::date + interval 3 month and wijk_code is not null
        group by all
    """,
        [first.date(), last.date()],
    ).df()
    wijken = _wijken(con).set_index("wijk_code")
    out = pd.DataFrame({"quarter_start": pd.date_range(first, last, freq="QS").date})
    out.insert(0, "quarter", out["quarter_start"].map(quarter_label))
    for code in wijken.index:
        n = counted[counted["wijk_code"] == code].set_index("quarter_start")["n"]
        clients = out["quarter_start"].map(n).fillna(0)
        out[code] = _rate(clients, pd.Series(wijken.at[code, "inhabitants"], index=out.index))
    return out


def against_yardsticks(con, quarter_start) -> pd.DataFrame:
    """Clients per wijk and main group this year (through the quarter) against the wijk yardsticks of
    the adopted programme, with the same projection and warnings as the product groups'."""
    qs = pd.Timestamp(quarter_start)
    if not table_exists(con, "programming", "scenario_wijken"):
        return pd.DataFrame()
    programme = con.execute(
        """select law, main_group, wijk_code, clients_yardstick as clients, wijk_share as share
           from programming.scenario_wijken join programming.scenarios using (scenario)
           where adopted and year = ?""",
        [qs.year],
    ).df()
    if programme.empty:
        return programme
    ew = load_monitoring().early_warning
    realised = read_client_realisation(con, qs.year, qs.month + 2, by="wijk_code")
    frame = clients_against(realised, programme, ew.margin, ew.share_points, by="wijk_code")
    frame = frame.merge(_wijken(con)[["wijk_code", "wijk_name"]], on="wijk_code", how="left")
    frame["wijk_name"] = frame["wijk_name"].fillna(frame["wijk_code"])
    frame["law"] = frame["law"].map({"wmo": "Wmo", "jeugd": "Jeugd"})
    return frame.sort_values(["law", "main_group", "wijk_code"]).reset_index(drop=True)


def clients_section(per_wijk: pd.DataFrame) -> Section:
    """Clients per 1,000 inhabitants per wijk (:func:`clients_per_wijk`): the report's first section, and
    the portal's list of wijken."""
    return Section(
        "Cliënten per 1.000 inwoners per wijk",
        per_wijk,
        {
            "wijk_name": "text",
            "wijk_code": "text",
            "inhabitants": "int",
            "wmo": "count",
            "wmo_rate": "num",
            "jeugd": "count",
            "jeugd_rate": "num",
            "clients": "count",
            "rate": "num",
        },
        WIJK_LABEL
        | {
            "inhabitants": "inwoners",
            "wmo": "Wmo-cliënten",
            "wmo_rate": "Wmo per 1.000 inwoners",
            "jeugd": "Jeugd-cliënten",
            "jeugd_rate": "Jeugd per 1.000 inwoners <25",
            "clients": "cliënten (beide wetten)",
            "rate": "per 1.000 inwoners",
        },
        derived={"wmo_rate": "wmo", "jeugd_rate": "jeugd", "rate": "clients"},
        chart=Chart("bar", "wijk_name", ["wmo_rate", "jeugd_rate"], "Cliënten per 1.000 inwoners"),
        key="wijken",
        text="Cliënten in zorg in het kwartaal (uniek geteld), naar de wijk van hun adres. Inwoners: CBS "
        "Kerncijfers wijken en buurten (seed ref_cbs_kerncijfers_wijken); Jeugd per 1.000 inwoners jonger dan "
        "25, de dichtstbijzijnde leeftijdsgroep van het CBS. 'onbekend': adres zonder wijk, zonder cijfer per "
        "1.000.",
    )


def build(con: duckdb.DuckDBPyConnection, quarter_start) -> Report:
    qs = pd.Timestamp(quarter_start)
    label = quarter_label(qs)
    per_wijk = clients_per_wijk(con, qs)
    sections = [
        clients_section(per_wijk),
        Section(
            "Per wet en hoofdgroep",
            main_groups_per_wijk(con, qs),
            {"wijk_name": "text", "law": "text", "main_group": "text", "clients": "count", "rate": "num"},
            WIJK_LABEL | {"law": "wet", "main_group": "hoofdgroep", "clients": "cliënten", "rate": "per 1.000"},
            derived={"rate": "clients"},
            key="hoofdgroepen",
        ),
        Section(
            "Eerste lijn en specialistische zorg",
            first_line(con, qs),
            {
                "wijk_name": "text",
                "law": "text",
                "clients_first_line_only": "count",
                "clients_both": "count",
                "clients_specialist_only": "count",
                "share_first_line": "pct",
                "share_target": "pct",
            },
            WIJK_LABEL
            | {
                "law": "wet (eerste lijn)",
                "clients_first_line_only": "alleen eerste lijn",
                "clients_both": "beide",
                "clients_specialist_only": "alleen specialistisch",
                "share_first_line": "aandeel alleen eerste lijn",
                "share_target": "ijkpunt programma",
            },
            derived={"share_first_line": "clients_first_line_only"},
            key="eerste_lijn",
            text="Cliënten met ambulante ondersteuning in het kwartaal: geholpen door de eerste lijn (sociaal "
            "wijkteam, CJG) alleen, door specialistische zorg (Wmo begeleiding, Jeugdhulp ambulant) alleen, of door "
            "beide (via de koppeling van personen). Het ijkpunt is het aandeel dat het vastgestelde programma voor "
            "de wijk in dit jaar beoogt.",
        ),
    ]
    history = trend(con, qs)
    wijk_columns = [c for c in history.columns if c not in ("quarter", "quarter_start")]
    names = dict(zip(per_wijk["wijk_code"], per_wijk["wijk_name"], strict=True))
    sections.append(
        Section(
            "Ontwikkeling: cliënten per 1.000 inwoners over acht kwartalen",
            history,
            {"quarter": "text", **{c: "num" for c in wijk_columns}},
            {"quarter": "kwartaal", **{c: names.get(c, c) for c in wijk_columns}},
            chart=Chart("line", "quarter", wijk_columns, "Cliënten per 1.000 inwoners"),
            key="trend",
            text="Beide wetten, uniek geteld, per 1.000 inwoners van de wijk.",
        )
    )
    yardsticks = against_yardsticks(con, qs)
    if len(yardsticks):
        sections.append(
            blocks.clients_programme_section(
                yardsticks,
                f"Cliënten tegen de wijkijkpunten van het programma ({qs.year} t/m {label})",
                {"law": "wet", "main_group": "hoofdgroep", "wijk_name": "wijk"},
                key="ijkpunten",
                against="het ijkpunt",
                text="Verwacht dit jaar: cliënten tot nu toe maal de verhouding jaar / dezelfde maanden van vorig "
                "jaar in die wijk en hoofdgroep. Aandeel: van de cliënten van de hoofdgroep in alle wijken. Signaal "
                "bij meer dan de marge boven het ijkpunt of een aandeel dat meer dan de ingestelde punten afwijkt "
                "(programming/monitoring.yaml).",
            )
        )
    return Report(
        f"Wijkrapportage {label}",
        "Per wijk: cliënten per 1.000 inwoners, eerste lijn tegen specialistische zorg, ontwikkeling en de "
        "ijkpunten van het programma.",
        sections,
    )
