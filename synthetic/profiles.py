"""What the contract leaves to the municipality: its code, wijken, product codes, group names and sources.

grip must work on any landing zone that keeps docs/feeds.md, not only on the demo's. The
generator therefore writes the same simulated care under more than one *profile*: the demo
(Haarlem's codes and the demo catalogue) and a second municipality that differs in everything
the contract leaves open: another CBS code and wijken, another product-code scheme, other names
for product groups and main groups (two demo main groups merged into one), no STAPP, CJG,
ZorgfocuZ, SVB (pgb) or work processes, and a product register that arrives later than the messages.
Nothing in grip may be tuned to either; the integration tests run both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalogue import GROUPS, ProductGroup

ALL_SOURCES = frozenset(
    {"werkprocessen", "wachtlijst", "betalingen", "stapp", "cjg", "zorgfocuz", "contractmanagement", "svb"}
)


def _demo_code(category: str, letter: str, number: int) -> str:
    return f"{category}{letter}{number:02d}"


@dataclass(frozen=True)
class Profile:
    name: str
    municipalities: tuple[str, ...]
    product_group_names: dict[str, str] = field(default_factory=dict)  # group key -> name; default the demo's
    main_group_names: dict[str, str] = field(default_factory=dict)  # group key -> main group; default the demo's
    product_code: Callable[[str, str, int], str] = _demo_code  # (category, letter, number) -> code
    sources: frozenset[str] = ALL_SOURCES  # optional feeds written besides messages and the four registers
    late: tuple[str, ...] = ()  # landing folders written to late/ instead: delivered after the first nightly
    # a region: municipality -> the profile whose group names it uses for the same product codes. The
    # registers then carry a gemeentecode column (docs/feeds.md): one code, a different meaning per member.
    members: dict[str, str] = field(default_factory=dict)

    @property
    def is_region(self) -> bool:
        return bool(self.members)

    def groups_of(self, municipality: str) -> dict[str, ProductGroup]:
        """The product groups under the names a member of a region gives them (its own profile's)."""
        member = self.members.get(municipality)
        return PROFILES[member].groups() if member else self.groups()

    def groups(self) -> dict[str, ProductGroup]:
        """The demo's product groups under this municipality's names."""
        return {
            g.key: dataclasses.replace(
                g,
                name=self.product_group_names.get(g.key, g.name),
                hoofdgroep=self.main_group_names.get(g.key, g.hoofdgroep),
            )
            for g in GROUPS
        }


def _velsen_code(category: str, letter: str, number: int) -> str:
    """Another scheme: a letter for the municipality, the number, then the category (5 characters)."""
    return f"V{number:02d}{category}" if letter == "A" else f"{letter}{number:02d}{category}"


PROFILES = {
    "demo": Profile("demo", ("0392",)),
    "velsen": Profile(
        "velsen",
        ("0453",),
        product_group_names={
            "wmo_hh": "Schoon en leefbaar huis",
            "wmo_amb_zwaar": "Individuele begeleiding hoog",
            "wmo_amb_middel": "Individuele begeleiding midden",
            "wmo_amb_licht": "Individuele begeleiding laag",
            "wmo_dagbesteding": "Dagactiviteiten",
            "wmo_kortverblijf": "Logeeropvang",
            "wmo_vervoer": "Regiotaxi",
            "wmo_rolstoel": "Rolstoelvoorzieningen",
            "wmo_woonvoorz": "Woningaanpassingen",
            "wmo_hulpmiddel": "Vervoer- en overige hulpmiddelen",
            "wmo_bw": "Beschermd wonen intramuraal",
            "wmo_opvang": "Maatschappelijke opvang",
            "jgd_behandelgroep": "Behandelgroep",
            "jgd_jeugdzorgplus": "Gesloten jeugdhulp",
            "jgd_verblijf_c": "Verblijf zwaar",
            "jgd_gezinshuis": "Gezinshuizen",
            "jgd_fasehuis": "Kamertraining",
            "jgd_pleegzorg": "Pleegzorg voltijd",
            "jgd_pleegzorg_deeltijd": "Pleegzorg weekend",
            "jgd_ambulant": "Jeugdhulp thuis",
            "jgd_dagbehandeling": "Dagbehandeling jeugd",
            "jgd_crisis": "Spoedhulp",
            "jgd_jb": "Maatregel jeugdbescherming",
            "jgd_jr": "Maatregel jeugdreclassering",
            "jgd_ggz": "Jeugd-GGZ behandeling",
        },
        main_group_names={
            "wmo_hh": "Thuis wonen",
            "wmo_amb_zwaar": "Begeleiding en dagactiviteiten",
            "wmo_amb_middel": "Begeleiding en dagactiviteiten",
            "wmo_amb_licht": "Begeleiding en dagactiviteiten",
            "wmo_dagbesteding": "Begeleiding en dagactiviteiten",  # merged: the demo keeps it apart
            "wmo_kortverblijf": "Thuis wonen",
            "wmo_vervoer": "Mobiliteit",
            "wmo_rolstoel": "Mobiliteit",
            "wmo_woonvoorz": "Thuis wonen",
            "wmo_hulpmiddel": "Mobiliteit",
            "wmo_bw": "Wonen met ondersteuning",
            "wmo_opvang": "Wonen met ondersteuning",
            "jgd_behandelgroep": "Jeugd verblijf",
            "jgd_jeugdzorgplus": "Jeugd verblijf",
            "jgd_verblijf_c": "Jeugd verblijf",
            "jgd_gezinshuis": "Jeugd verblijf",
            "jgd_fasehuis": "Jeugd verblijf",
            "jgd_pleegzorg": "Jeugd verblijf",
            "jgd_pleegzorg_deeltijd": "Jeugd verblijf",
            "jgd_ambulant": "Jeugd ambulant",
            "jgd_dagbehandeling": "Jeugd ambulant",
            "jgd_crisis": "Jeugd ambulant",
            "jgd_jb": "Jeugd gedwongen kader",
            "jgd_jr": "Jeugd gedwongen kader",
            "jgd_ggz": "Jeugd ambulant",
        },
        product_code=_velsen_code,
        sources=frozenset({"wachtlijst", "betalingen"}),
        late=("suite4/producten",),
    ),
    # two municipalities in one warehouse: 0453 uses the demo's product codes under Velsen's product-group
    # and main-group names, so the same code means something else in each; SUITE4 is their shared source
    "regio": Profile(
        "regio",
        ("0392", "0453"),
        members={"0392": "demo", "0453": "velsen"},
        sources=frozenset({"werkprocessen", "wachtlijst", "betalingen"}),
    ),
}
