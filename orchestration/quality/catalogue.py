"""The data-element catalogue (seeds/dq_data_elements.csv) and the suites generated from it.

The catalogue is the single place where a data steward states what an element is, where it
lives, whether it is required, which values are plausible and which rows are excluded and
why (003 §2.2.2). ``python -m orchestration.quality.catalogue`` turns it into one Great
Expectations suite per table in ``expectations/``; a test keeps the two in step.

Rule vocabulary (``rules``, separated by ``|``):

``gebeurd``      a date that has happened by the end of the delivery period (no 31-12-2999,
                 no year typed ten years ahead)
``gepland``      a planned date: 2000-01-01 up to 2099-12-31
``datum``        any date from 1900 up to the end of the delivery period
``jaarmaand``    a year-month yyyy-mm from the 1900s or 2000s
``tekst``        text that is not only dashes or blanks
``code:seed.col`` a code from a code list in ``seeds/``
``in:a/b``       one of the listed values (``True`` for a flag such as the elfproef)
``not_in:a/b``   none of the listed values
``bereik:lo:hi`` a number within bounds
``regex:...``    matching a pattern
``uniek[:col,..]`` a key: unique within a delivery period (together with the listed columns)
``uniek_overal[:col,..]`` a key unique across all deliveries (a payment delivered twice is a duplicate)
A broken key blocks the marts; the other rules count as implausible values and warn.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from orchestration.lib.config import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
ELEMENTS_SEED = SEEDS / "dq_data_elements.csv"
QUESTION_ELEMENTS_SEED = SEEDS / "dq_question_elements.csv"
PERIOD_END = {"$PARAMETER": "period_end"}


@dataclass(frozen=True)
class Element:
    element_id: str
    name_nl: str
    source: str
    table_name: str
    column_name: str
    required: bool
    rules: tuple[str, ...]
    exclusion: str
    exclusion_reason: str
    recorded: bool

    @property
    def measurable(self) -> bool:
        return bool(self.table_name and self.column_name)


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def load_elements(path: Path = ELEMENTS_SEED) -> tuple[Element, ...]:
    return tuple(
        Element(
            r["element_id"],
            r["name_nl"],
            r["source"],
            r["table_name"],
            r["column_name"],
            r["required"] == "J",
            tuple(x for x in r["rules"].split("|") if x),
            r["exclusion"],
            r["exclusion_reason"],
            r["recorded"] == "J",
        )
        for r in _read(path)
    )


@lru_cache(maxsize=1)
def load_question_elements(path: Path = QUESTION_ELEMENTS_SEED) -> tuple[tuple[str, str, str], ...]:
    """(question_id, element_id, role): role 'kern' is needed to answer at all, 'doorsnede' for a cross-section."""
    return tuple((r["question_id"], r["element_id"], r["role"]) for r in _read(path))


def _codes(ref: str) -> list[str]:
    seed, column = ref.split(".")
    return sorted({r[column] for r in _read(SEEDS / f"{seed}.csv")})


def _values(text: str) -> list:
    return [True if v == "True" else v for v in text.split("/")]


def rule_expectation(column: str, rule: str) -> tuple[str, dict]:
    """One catalogue rule as a GX expectation type and its arguments."""
    name, _, arg = rule.partition(":")
    if name == "gebeurd":
        return "expect_column_values_to_be_between", {"min_value": "2000-01-01", "max_value": PERIOD_END}
    if name == "datum":
        return "expect_column_values_to_be_between", {"min_value": "1900-01-01", "max_value": PERIOD_END}
    if name == "gepland":
        return "expect_column_values_to_be_between", {"min_value": "2000-01-01", "max_value": "2099-12-31"}
    if name == "jaarmaand":
        return "expect_column_values_to_match_regex", {"regex": r"^(19|20)\d\d-(0[1-9]|1[0-2])$"}
    if name == "tekst":
        return "expect_column_values_to_not_match_regex", {"regex": r"^[\s\-]*$"}
    if name == "code":
        return "expect_column_values_to_be_in_set", {"value_set": _codes(arg)}
    if name == "in":
        return "expect_column_values_to_be_in_set", {"value_set": _values(arg)}
    if name == "not_in":
        return "expect_column_values_to_not_be_in_set", {"value_set": _values(arg)}
    if name == "bereik":
        lo, hi = (int(x) for x in arg.split(":"))
        return "expect_column_values_to_be_between", {"min_value": lo, "max_value": hi}
    if name == "regex":
        return "expect_column_values_to_match_regex", {"regex": arg}
    if name == "uniek":
        return "expect_compound_columns_to_be_unique", {
            "column_list": [column, *filter(None, arg.split(",")), "_period"]
        }
    if name == "uniek_overal":
        if arg:
            return "expect_compound_columns_to_be_unique", {"column_list": [column, *arg.split(",")]}
        return "expect_column_values_to_be_unique", {}
    raise ValueError(f"{ELEMENTS_SEED.name}: unknown rule {rule!r} for column {column!r}")


def _spec(type_: str, kwargs: dict, element: Element, measure: str) -> dict:
    if "column_list" not in kwargs:
        kwargs = {"column": element.column_name, **kwargs}
    return {"type": type_, "kwargs": kwargs, "meta": {"element_id": element.element_id, "measure": measure}}


def build_suite(table: str, elements: list[Element]) -> dict:
    """The suite of one table. ``meta.measure`` says what an unexpected value counts as: missing (in
    scope), missing_all (before exclusions), implausible, or key (blocking). A plausibility rule also
    reports the empty values of its column, so a separate not-null expectation is added only where no
    rule gives that count: GX spends about 10 ms per expectation and batch, whatever the rows."""
    expectations = []
    for el in elements:
        rules = [rule_expectation(el.column_name, r) + (r,) for r in el.rules]
        plausibility = [r for r in rules if not r[2].startswith("uniek")]
        if el.exclusion:
            scoped = {"row_condition": f"not ({el.exclusion})", "condition_parser": "pandas"}
            expectations.append(_spec("expect_column_values_to_not_be_null", scoped, el, "missing"))
            if not plausibility:
                expectations.append(_spec("expect_column_values_to_not_be_null", {}, el, "missing_all"))
        elif not plausibility:
            expectations.append(_spec("expect_column_values_to_not_be_null", {}, el, "missing"))
        for type_, kwargs, rule in rules:
            expectations.append(_spec(type_, kwargs, el, "key" if rule.startswith("uniek") else "implausible"))
    return {
        "name": table,
        "table": table,
        "description": f"Generated from seeds/{ELEMENTS_SEED.name}: fill rate, plausibility, exclusions and keys "
        f"of the data elements in {table}. Do not edit; run `python -m orchestration.quality.catalogue`.",
        "expectations": expectations,
    }


def suites(elements: tuple[Element, ...] | None = None) -> dict[str, dict]:
    by_table: dict[str, list[Element]] = {}
    for el in elements or load_elements():
        if el.measurable:
            by_table.setdefault(el.table_name, []).append(el)
    return {table: build_suite(table, els) for table, els in sorted(by_table.items())}


def suite_path(table: str, folder: Path = EXPECTATIONS_DIR) -> Path:
    return folder / f"{table}.json"


def suite_text(suite: dict) -> str:
    """One expectation per line: readable in a diff when a steward changes the catalogue."""
    head = {k: v for k, v in suite.items() if k != "expectations"}
    lines = ",\n".join("  " + json.dumps(e, ensure_ascii=False) for e in suite["expectations"])
    return json.dumps(head, indent=1, ensure_ascii=False)[:-2] + f',\n "expectations": [\n{lines}\n ]\n}}\n'


def load_suite(table: str, folder: Path = EXPECTATIONS_DIR) -> dict:
    return json.loads(suite_path(table, folder).read_text(encoding="utf-8"))


def suite_hash(suite: dict) -> str:
    return hashlib.md5(suite_text(suite).encode()).hexdigest()[:12]


def write_suites(folder: Path = EXPECTATIONS_DIR) -> list[Path]:
    folder.mkdir(exist_ok=True)
    written = []
    for table, suite in suites().items():
        path = suite_path(table, folder)
        path.write_text(suite_text(suite), encoding="utf-8")
        written.append(path)
    for stale in set(folder.glob("*.json")) - set(written):
        stale.unlink()
    return written


if __name__ == "__main__":
    for p in write_suites():
        print(p.relative_to(REPO_ROOT))
