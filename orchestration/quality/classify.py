"""The data-quality method of 003 §2.2.2 as plain functions: element categories a-e, question feasibility, dips."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib import dutch

THRESHOLD = 0.95
DIP_POINTS = 0.05  # a fill rate falling this much from one delivery period to the next warns

CATEGORIES = {
    "a": "Vulgraad ≥ 95% met plausibele waarden",
    "b": "Vulgraad < 95%, verklaarbaar met exclusiecriteria",
    "c": "In afwachting van (externe) brondata",
    "d": "Niet vastgelegd",
    "e": "Onvoldoende: vulgraad of plausibiliteit onder de norm",
}

# Bijlage 2 of 003, in order of severity
FEASIBILITY = {
    "te_beantwoorden": "Te beantwoorden met voldoende kwaliteit",
    "procesaanpassing_nodig": "Te beantwoorden na aanpassing van het proces",
    "nog_niet_te_beantwoorden": "Nog niet te beantwoorden",
    "niet_te_beantwoorden": "Niet te beantwoorden",
}


@dataclass(frozen=True)
class Measures:
    """Counts for one element in one delivery period."""

    rows: int  # rows in the batch
    in_scope: int  # rows left after the exclusion criteria
    missing: int  # empty values among the rows in scope
    missing_all: int  # empty values among all rows
    implausible: int  # filled values that break a plausibility rule

    @property
    def fill_rate(self) -> float | None:
        """Share of all rows holding a plausible value."""
        return _share(self.rows - self.missing_all - self.implausible, self.rows)

    @property
    def fill_rate_in_scope(self) -> float | None:
        """The same once the exclusion criteria are applied; implausible values all count against it."""
        return _share(self.in_scope - self.missing - self.implausible, self.in_scope)

    @property
    def plausible_share(self) -> float | None:
        """Share of the filled values that are plausible."""
        filled = self.rows - self.missing_all
        return _share(filled - self.implausible, filled)

    def score(self, required: bool, has_exclusion: bool) -> float | None:
        """The share the category is judged on, and dips are measured in: plausible filled values among
        the rows in scope for a required element, among the filled values for an optional one."""
        if not required:
            return self.plausible_share
        return self.fill_rate_in_scope if has_exclusion else self.fill_rate


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else max(part, 0) / whole


def classify(m: Measures | None, required: bool, has_exclusion: bool, recorded: bool) -> str:
    """Category a-e of one element in one period; ``m`` is None when no source delivered the element."""
    if m is None or m.rows == 0:
        return "c" if recorded else "d"
    if not required:
        share = m.plausible_share
        return "a" if share is None or share >= THRESHOLD else "e"
    if m.fill_rate >= THRESHOLD:
        return "a"
    scoped = m.score(required, has_exclusion)
    if has_exclusion and (scoped is None or scoped >= THRESHOLD):
        return "b"
    return "e"


def feasibility(elements: list[tuple[str, str, str]]) -> tuple[str, str]:
    """Roll a question's elements (element name, role, category) up to a Bijlage 2 category and the reason.

    A core element (role 'kern') that is not recorded makes the question unanswerable; one awaiting
    its source makes it not yet answerable; a failing core element, or a cross-section element
    ('doorsnede') that is not recorded, needs a change in the registration process. A pgb element
    (role 'pgb') failing counts as a core element does; awaiting its source (the SVB not delivered) it
    leaves the question answerable for care in kind, and the reason says that pgb is missing.
    """

    def names(role: str | None, cats: str) -> list[str]:
        return [n for n, r, c in elements if c in cats and (role is None or r == role)]

    if not elements:
        return "niet_te_beantwoorden", "Geen data-elementen in de catalogus."
    if core := names("kern", "d"):
        return "niet_te_beantwoorden", "Niet vastgelegd: " + ", ".join(core) + "."
    if core := names("kern", "c"):
        return "nog_niet_te_beantwoorden", "In afwachting van brondata: " + ", ".join(core) + "."
    failing, unrecorded = names("kern", "e") + names("pgb", "e"), names("doorsnede", "d")
    if failing or unrecorded:
        parts = (["Onvoldoende kwaliteit: " + ", ".join(failing)] if failing else []) + (
            ["doorsnede niet vastgelegd: " + ", ".join(unrecorded)] if unrecorded else []
        )
        return "procesaanpassing_nodig", "; ".join(parts) + "."
    notes = []
    if without_pgb := names("pgb", "cd"):
        notes.append("zonder pgb, in afwachting van brondata: " + ", ".join(without_pgb))
    if excl := names(None, "b"):
        notes.append("met exclusiecriteria: " + ", ".join(excl))
    if weak := names("doorsnede", "ce"):
        notes.append("doorsnede beperkt: " + ", ".join(weak))
    return "te_beantwoorden", ("Alle kernelementen voldoen" + (" (" + "; ".join(notes) + ")" if notes else "") + ".")


def dip(previous: tuple[str, float | None] | None, latest: tuple[str, float | None]) -> str | None:
    """Why the latest period of an element deserves a warning against the previous one, or None.
    Each side is (category, score)."""
    cat, rate = latest
    if cat == "e":
        return "categorie e (onvoldoende)"
    if previous is None:
        return None
    prev_cat, prev_rate = previous
    if prev_cat < cat and cat in "be":
        return f"categorie van {prev_cat} naar {cat}"
    if rate is not None and prev_rate is not None and prev_rate - rate >= DIP_POINTS:
        return f"vulgraad gedaald van {dutch.percent(prev_rate)} naar {dutch.percent(rate)}"
    return None
