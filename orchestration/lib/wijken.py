"""Postcode to wijk: the municipality's wijken and their four-digit postcode ranges (seeds/ref_wijken.csv)."""

from __future__ import annotations

import csv
from functools import lru_cache

from .config import REPO_ROOT

WIJKEN_SEED = REPO_ROOT / "seeds" / "ref_wijken.csv"


@lru_cache(maxsize=1)
def pc4_to_wijk() -> dict[int, str]:
    table: dict[int, str] = {}
    with open(WIJKEN_SEED, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for pc4 in range(int(row["pc4_from"]), int(row["pc4_to"]) + 1):
                table[pc4] = row["wijk_code"]
    return table


def postcode_status(postcode: str | None) -> str | None:
    """How usable a postcode is, so data quality can be judged after the postcode itself is dropped:
    'gemeente' (a wijk of the municipality), 'elders' (valid, outside it), 'ongeldig', or None when empty."""
    if not postcode or not postcode.strip():
        return None
    text = postcode.strip().upper().replace(" ", "")
    if len(text) != 6 or not text[:4].isdigit() or not text[4:].isalpha() or text[0] == "0":
        return "ongeldig"
    return "gemeente" if wijk_of(postcode) else "elders"


def wijk_of(postcode: str | None) -> str | None:
    """The wijk of a Dutch postcode such as '2011 AB'; None when it is missing or outside the municipality."""
    if not postcode:
        return None
    digits = postcode.strip()[:4]
    if len(digits) != 4 or not digits.isdigit():
        return None
    return pc4_to_wijk().get(int(digits))
