"""Synthetic residents: fake BSNs, Dutch names, birth dates, addresses in real-looking wijken."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from faker import Faker

# Synthetic BSNs are drawn from 990.000.000 upwards: a block documented as fake in
# docs/feeds.md. They pass the elfproef so that the pipeline treats them as real ones.
# The block holds about 470,000 persons at the generator's spacing (scale 1 uses about 50,000);
# a larger population continues from 900.000.000, and past 989.999.999 the generator stops.
BSN_FLOOR = 990_000_000
BSN_OVERFLOW = (900_000_000, 989_999_999)
PREFIXES = ("van der", "van den", "van de", "van", "de", "den", "der", "te", "ter", "in 't", "'t")

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


def passes_elfproef(number: int) -> bool:
    digits = f"{number:09d}"
    return (sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])) % 11 == 0


@dataclass
class Wijk:
    municipality: str
    municipality_name: str
    code: str
    name: str
    inhabitants: int
    pc4: list[int]


def load_wijken(municipalities: list[str]) -> dict[str, list[Wijk]]:
    out: dict[str, list[Wijk]] = {m: [] for m in municipalities}
    with open(SEEDS_DIR / "ref_wijken.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["municipality_code"] in out:
                out[row["municipality_code"]].append(
                    Wijk(
                        row["municipality_code"],
                        row["municipality_name"],
                        row["wijk_code"],
                        row["wijk_name"],
                        int(row["inhabitants"]),
                        list(range(int(row["pc4_from"]), int(row["pc4_to"]) + 1)),
                    )
                )
    missing = [m for m, w in out.items() if not w]
    if missing:
        raise ValueError(f"no wijken in seeds/ref_wijken.csv for municipality code(s) {missing}")
    return out


@dataclass
class Person:
    idx: int
    bsn: str
    first_name: str
    prefix: str
    last_name: str
    birth: dt.date
    gender: str  # iStandaard: 1 man, 2 vrouw
    municipality: str
    wijk: str
    postcode: str
    house_number: int
    death: dt.date | None = None
    history: dict = field(default_factory=dict)  # category -> last end date, for recidivism


class PersonFactory:
    """Creates persons on demand, deterministically for a seed."""

    def __init__(self, seed: int, wijken: dict[str, list[Wijk]]):
        self.rng = np.random.default_rng([seed, 7])
        self.faker = Faker("nl_NL")
        self.faker.seed_instance(seed)
        self.wijken = wijken
        self.persons: list[Person] = []
        self._next_bsn = BSN_FLOOR + int(self.rng.integers(0, 1000))
        self._overflow = False

    def _bsn(self) -> str:
        n = self._next_bsn
        while n > 999_999_999 or not passes_elfproef(n):
            if n > 999_999_999:  # ten digits fail the elfproef: before this, scale 10 had 44% invalid BSNs
                n, self._overflow = BSN_OVERFLOW[0], True
            else:
                n += 1
        if self._overflow and n > BSN_OVERFLOW[1]:
            raise RuntimeError("synthetic BSNs exhausted: the population is larger than the fake BSN blocks hold")
        self._next_bsn = n + 1 + int(self.rng.integers(0, 40))
        return f"{n:09d}"

    def _split_last_name(self, name: str) -> tuple[str, str]:
        for p in PREFIXES:
            if name.lower().startswith(p + " "):
                return name[: len(p)].lower(), name[len(p) + 1 :]
        return "", name

    def new(self, municipality: str, birth: dt.date) -> Person:
        wijken = self.wijken[municipality]
        weights = np.array([w.inhabitants for w in wijken], dtype=float)
        wijk = wijken[int(self.rng.choice(len(wijken), p=weights / weights.sum()))]
        pc4 = wijk.pc4[int(self.rng.integers(0, len(wijk.pc4)))]
        letters = "".join(chr(65 + int(i)) for i in self.rng.integers(0, 26, 2))
        gender = "1" if self.rng.random() < 0.49 else "2"
        first = self.faker.first_name_male() if gender == "1" else self.faker.first_name_female()
        prefix, last = self._split_last_name(self.faker.last_name())
        person = Person(
            idx=len(self.persons),
            bsn=self._bsn(),
            first_name=first,
            prefix=prefix,
            last_name=last,
            birth=birth,
            gender=gender,
            municipality=municipality,
            wijk=wijk.code,
            postcode=f"{pc4}{letters}",
            house_number=int(self.rng.integers(1, 250)),
        )
        self.persons.append(person)
        return person
