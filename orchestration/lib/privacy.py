"""The privacy scan: nothing an analyst or a reader can open may hold a BSN, a client's name
or a full postcode.

It searches text, where such values live in the feeds: text columns of every published
table, text columns of the Parquet exports, the visible text and string cells of every
report (HTML and Excel). Amounts are numbers, not text, so a nine-digit amount in cents
that happens to pass the elfproef is not a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import lxml.html
import openpyxl

from .bsn import elfproef

NINE_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])")
# Columns that hold other nine-digit identifiers by standard: the iStandaard ToewijzingNummer.
# Reviewed one by one; a new column is scanned until someone adds it here with its reason.
NOT_A_BSN = {"allocation_id", "to_allocation_id", "from_allocation_id", "toewijzing_nummer", "toewijzingnummer"}
# DuckDB picks the candidates (nine digits in a row, a postcode shape, or two words) so Python
# only checks a small share of all values; the exact rules are applied in find_in_text.
CANDIDATES = ("(regexp_matches(value, '[0-9]{9}') or regexp_matches(value, '[1-9][0-9]{3} ?[A-Z]{2}') "
              "or value like '% %')")
POSTCODE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{3} ?[A-Z]{2}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Finding:
    where: str  # file, and table.column or cell
    rule: str  # bsn | name | postcode
    sample: str


WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def _name_hits(text: str, names: set[str]) -> set[str]:
    """Names are two to four words: look up every run of two to four words of the text in the set."""
    hits = set()
    for line in text.lower().splitlines():
        words = WORD.findall(line)
        for n in (2, 3, 4):
            for i in range(len(words) - n + 1):
                candidate = " ".join(words[i:i + n])
                if candidate in names:
                    hits.add(candidate)
    return hits


def find_in_text(text: str, names: set[str], where: str, column: str | None = None) -> list[Finding]:
    bsns = [] if column in NOT_A_BSN else NINE_DIGITS.findall(text)
    found = [Finding(where, "bsn", m) for m in bsns if elfproef(m)]
    found += [Finding(where, "postcode", m) for m in POSTCODE.findall(text)]
    found += [Finding(where, "name", m) for m in _name_hits(text, names)] if names else []
    return found


def person_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Full names ('voornaam achternaam') from the linkage area: surnames alone also name providers."""
    rows = con.execute("""
        select distinct lower(trim(concat_ws(' ', voornaam, nullif(tussenvoegsel, ''), achternaam)))
        from restricted.linkage_persons where voornaam is not null and achternaam is not null
    """).fetchall()
    return {r[0] for r in rows if r[0] and len(r[0]) > 5}


def _scan_relation(con, relation: str, columns: list[str], where: str, names: set[str]) -> tuple[list[Finding], int]:
    """All text columns of one table, view or file in one pass: a view is computed once, not once per column."""
    if not columns:
        return [], 0
    cols = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f"""select name, list(distinct value) from (unpivot (select {cols} from {relation})
                           on {cols} into name name value value) where {CANDIDATES}
                           group by name""").fetchall()
    findings = []
    for column, values in rows:
        findings += find_in_text("\n".join(values), names, f"{where}.{column}", column)
    return findings, sum(len(v) for _, v in rows)


def scan_database(path: Path, names: set[str]) -> tuple[list[Finding], int]:
    """Every text column of every table and view; returns findings and the number of candidate values checked."""
    findings, values = [], 0
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("""select table_schema, table_name, list(column_name order by ordinal_position)
                                 from information_schema.columns where data_type = 'VARCHAR' group by all""").fetchall()
        for schema, table, cols in columns:
            more, n = _scan_relation(con, f'"{schema}"."{table}"', cols, f"{path.name}: {schema}.{table}", names)
            findings, values = findings + more, values + n
    return findings, values


def scan_parquet(folder: Path, names: set[str]) -> tuple[list[Finding], int]:
    findings, values = [], 0
    with duckdb.connect() as con:
        for file in sorted(folder.glob("**/*.parquet")):
            cols = [name for name, kind, *_ in con.execute(f"describe select * from '{file}'").fetchall() if kind == "VARCHAR"]
            more, n = _scan_relation(con, f"'{file}'", cols, str(file), names)
            findings, values = findings + more, values + n
    return findings, values


def scan_reports(folder: Path, names: set[str]) -> tuple[list[Finding], int]:
    findings, files = [], 0
    for file in sorted(folder.glob("**/*.html")):
        files += 1
        # One line per text node: text_content() glues table cells together, and the cells
        # 2.058 | 160 | 188 would read as the (elfproef-valid) number 058160188.
        text = "\n".join(lxml.html.parse(str(file)).getroot().itertext())
        findings += find_in_text(text, names, str(file))
    for file in sorted(folder.glob("**/*.xlsx")):
        files += 1
        book = openpyxl.load_workbook(file, read_only=True)
        cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
                 if isinstance(v, str)]
        book.close()
        findings += find_in_text("\n".join(cells), names, str(file))
    for file in sorted(folder.glob("**/*.csv")):
        files += 1
        findings += find_in_text(file.read_text(encoding="utf-8"), names, str(file))
    return findings, files
