"""What the synthetic municipality buys: product groups, products and their calibration.

Client numbers and average costs for 2019 are those of Haarlem (003 Bijlage 6) where
the report gives them, and plausible figures for a city of 167,000 elsewhere. They are
per municipality at scale 1 and scale with population.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductGroup:
    key: str
    law: str  # "wmo" or "jeugd"
    hoofdgroep: str  # main group used for budget and programming
    category: str  # iStandaard productcategorie
    name: str
    n_products: int
    clients_2019: float  # distinct clients in care during 2019, scale 1, Haarlem
    avg_cost_2019: float  # euros per client in 2019
    mean_months: float  # mean duration of a trajectory
    unit: str  # iStandaard eenheid
    frequency: str  # iStandaard frequentie
    volume: tuple[int, ...]  # allocated volumes drawn from (per frequency)
    growth: float  # yearly growth of inflow
    open_ended: bool = False  # allocated without an end date (wheelchairs and the like)
    bijlage6: bool = False  # calibration checked against 003 Bijlage 6


GROUPS: tuple[ProductGroup, ...] = (
    # Wmo
    ProductGroup(
        "wmo_hh",
        "wmo",
        "Huishoudelijke ondersteuning",
        "01",
        "Hulp bij het huishouden",
        6,
        2400,
        3100,
        40,
        "04",
        "2",
        (2, 3, 3, 4),
        0.03,
    ),
    ProductGroup(
        "wmo_amb_zwaar",
        "wmo",
        "Ambulante ondersteuning",
        "02",
        "Begeleiding zwaar",
        10,
        223,
        5729,
        14,
        "04",
        "2",
        (3, 4, 5),
        0.01,
        bijlage6=True,
    ),
    ProductGroup(
        "wmo_amb_middel",
        "wmo",
        "Ambulante ondersteuning",
        "02",
        "Begeleiding middelzwaar",
        12,
        743,
        3614,
        12,
        "04",
        "2",
        (2, 3),
        0.03,
        bijlage6=True,
    ),
    ProductGroup(
        "wmo_amb_licht",
        "wmo",
        "Ambulante ondersteuning",
        "02",
        "Begeleiding licht",
        10,
        228,
        2509,
        9,
        "04",
        "2",
        (1, 2),
        0.05,
        bijlage6=True,
    ),
    ProductGroup(
        "wmo_dagbesteding", "wmo", "Dagbesteding", "07", "Dagbesteding", 12, 600, 7200, 24, "16", "2", (2, 3, 4), 0.02
    ),
    ProductGroup(
        "wmo_kortverblijf",
        "wmo",
        "Kortdurend verblijf",
        "04",
        "Kortdurend verblijf",
        3,
        60,
        4000,
        3,
        "14",
        "4",
        (4, 6, 8),
        0.0,
    ),
    ProductGroup(
        "wmo_vervoer", "wmo", "Vervoer", "08", "Vervoerdiensten", 4, 1500, 650, 36, "82", "4", (6, 8, 10), 0.02
    ),
    ProductGroup(
        "wmo_rolstoel",
        "wmo",
        "Hulpmiddelen en woonvoorzieningen",
        "11",
        "Rolstoelen",
        10,
        900,
        1150,
        48,
        "82",
        "4",
        (1,),
        0.02,
        open_ended=True,
    ),
    ProductGroup(
        "wmo_woonvoorz",
        "wmo",
        "Hulpmiddelen en woonvoorzieningen",
        "13",
        "Woonvoorzieningen",
        8,
        200,
        5200,
        1,
        "83",
        "6",
        (2500, 4000, 6000, 9000),
        0.0,
    ),
    ProductGroup(
        "wmo_hulpmiddel",
        "wmo",
        "Hulpmiddelen en woonvoorzieningen",
        "14",
        "Overige hulpmiddelen",
        10,
        400,
        800,
        36,
        "82",
        "4",
        (1,),
        0.02,
        open_ended=True,
    ),
    ProductGroup(
        "wmo_bw", "wmo", "Beschermd wonen en opvang", "15", "Beschermd wonen", 6, 250, 45000, 30, "14", "2", (7,), 0.01
    ),
    ProductGroup(
        "wmo_opvang", "wmo", "Beschermd wonen en opvang", "16", "Opvang", 4, 150, 14000, 6, "14", "2", (7,), 0.0
    ),
    # Jeugd: residential care (Bijlage 6) ...
    ProductGroup(
        "jgd_behandelgroep",
        "jeugd",
        "Jeugdhulp met verblijf",
        "43",
        "Residentiele behandeling",
        8,
        42,
        47857,
        12,
        "14",
        "2",
        (7,),
        -0.02,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_jeugdzorgplus",
        "jeugd",
        "Jeugdhulp met verblijf",
        "43",
        "JeugdzorgPlus",
        3,
        19,
        46842,
        6,
        "14",
        "2",
        (7,),
        -0.02,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_verblijf_c",
        "jeugd",
        "Jeugdhulp met verblijf",
        "44",
        "Verblijf C",
        5,
        36,
        30833,
        12,
        "14",
        "2",
        (7,),
        -0.01,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_gezinshuis",
        "jeugd",
        "Jeugdhulp met verblijf",
        "44",
        "Gezinshuis",
        4,
        25,
        49600,
        24,
        "14",
        "2",
        (7,),
        0.03,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_fasehuis",
        "jeugd",
        "Jeugdhulp met verblijf",
        "44",
        "Fasehuis",
        4,
        36,
        36389,
        12,
        "14",
        "2",
        (7,),
        0.0,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_pleegzorg",
        "jeugd",
        "Jeugdhulp met verblijf",
        "44",
        "Pleegzorg",
        4,
        125,
        11120,
        30,
        "14",
        "2",
        (7,),
        0.02,
        bijlage6=True,
    ),
    ProductGroup(
        "jgd_pleegzorg_deeltijd",
        "jeugd",
        "Jeugdhulp met verblijf",
        "44",
        "Deeltijd pleegzorg",
        2,
        31,
        2258,
        12,
        "14",
        "2",
        (1, 2),
        0.02,
        bijlage6=True,
    ),
    # ... and the rest of Jeugd
    ProductGroup(
        "jgd_ambulant",
        "jeugd",
        "Ambulante jeugdhulp",
        "45",
        "Jeugdhulp ambulant",
        20,
        1600,
        3500,
        8,
        "04",
        "4",
        (4, 6, 8, 12),
        0.04,
    ),
    ProductGroup(
        "jgd_dagbehandeling",
        "jeugd",
        "Dagbehandeling",
        "41",
        "Dagbehandeling",
        6,
        150,
        15000,
        10,
        "16",
        "2",
        (2, 3, 5),
        0.01,
    ),
    ProductGroup("jgd_crisis", "jeugd", "Crisis", "46", "Jeugdhulp crisis", 4, 80, 3000, 1, "14", "2", (7,), 0.0),
    ProductGroup(
        "jgd_jb",
        "jeugd",
        "Jeugdbescherming en jeugdreclassering",
        "48",
        "Jeugdbescherming",
        4,
        200,
        8000,
        18,
        "82",
        "4",
        (1,),
        0.0,
    ),
    ProductGroup(
        "jgd_jr",
        "jeugd",
        "Jeugdbescherming en jeugdreclassering",
        "47",
        "Jeugdreclassering",
        3,
        60,
        5000,
        9,
        "82",
        "4",
        (1,),
        -0.03,
    ),
    ProductGroup("jgd_ggz", "jeugd", "Jeugd-GGZ", "54", "Jeugd-ggz", 23, 900, 4500, 8, "04", "4", (3, 4, 6), 0.05),
)

GROUP_BY_KEY = {g.key: g for g in GROUPS}

# Base tariffs in euros per unit (before calibration and yearly indexation).
BASE_TARIFF = {"04": 62.0, "14": 150.0, "16": 48.0, "82": 60.0, "83": 1.0, "01": 1.0}
INDEXATION = 0.025  # yearly tariff indexation
CALIBRATION_YEAR = 2019

# Referrer (TypeVerwijzer) mix for Jeugd requests (315); Wmo goes through the municipality.
JEUGD_REFERRERS = {"01": 0.34, "02": 0.38, "03": 0.04, "04": 0.14, "05": 0.06, "08": 0.04}

# Stop reasons (RedenBeeindiging) per law, with weights; codes differ per law (31!).
STOP_REASONS = {
    "wmo": {"19": 0.55, "02": 0.12, "21": 0.06, "22": 0.04, "23": 0.07, "31": 0.05, "38": 0.06, "39": 0.05},
    "jeugd": {"31": 0.62, "32": 0.08, "33": 0.05, "34": 0.09, "35": 0.04, "38": 0.07, "39": 0.05},
}
# Provider switches use 38 in both laws; "zwaar naar licht" changes use 37.
SWITCH_REASON = "38"
CHANGE_REASON = "37"
CONTINUING_REASONS = (SWITCH_REASON, CHANGE_REASON)  # the care goes on: a follow-up allocation starts

PROVIDER_COUNTS = {"wmo": 60, "jeugd": 170}  # 2019 provider field of Haarlem
SHARED_PROVIDERS = 18  # providers contracted for both laws


def population_factor(inhabitants: int) -> float:
    """Client numbers scale with population relative to Haarlem."""
    return inhabitants / 167_000
