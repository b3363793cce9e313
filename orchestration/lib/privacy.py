"""The privacy scan: nothing an analyst or a reader can open may hold a BSN, a client's name
or a full postcode.

It searches text, where such values live in the feeds: text columns of every published
table, text columns of the Parquet exports, the visible text and string cells of every
report (HTML and Excel). Amounts are numbers, not text, so a nine-digit amount in cents
that happens to pass the elfproef is not a false alarm.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import lxml.html
import openpyxl

from .bsn import elfproef

# The shapes searched for, standing alone (no letter or digit either side): nine digits for a
# BSN, four digits and two capitals for a postcode. One definition serves both engines:
# DuckDB (RE2, no look-around) picks the candidates, Python applies the exact rules to them.
BSN_SHAPE, POSTCODE_SHAPE, ALNUM = "[0-9]{9}", "[1-9][0-9]{3} ?[A-Z]{2}", "0-9A-Za-z"
# Nor part of a decimal number: 250158000.0 in a CSV is an amount (found at scale 10).
NINE_DIGITS = re.compile(rf"(?<![{ALNUM}])(?<![0-9]\.){BSN_SHAPE}(?![{ALNUM}])(?!\.[0-9])")
POSTCODE = re.compile(rf"(?<![{ALNUM}]){POSTCODE_SHAPE}(?![{ALNUM}])")
# Columns that hold other nine-digit identifiers by standard: the iStandaard ToewijzingNummer.
# Reviewed one by one; a new column is scanned until someone adds it here with its reason.
NOT_A_BSN = {"allocation_id", "to_allocation_id", "from_allocation_id", "toewijzing_nummer", "toewijzingnummer"}


def candidate_filter(column: str) -> str:
    """SQL condition on one text column, true for every value the exact rules could flag and few
    others. A payment number B000000002, a twelve-digit message id or a pseudonymous key (one
    token) is no candidate. A name needs two words: in ASCII text a letter, a gap without
    letters or digits, a letter; text with other characters is passed on whole. One regex per
    column: DuckDB runs it in one pass over the values.
    """
    shapes = POSTCODE_SHAPE if column in NOT_A_BSN else f"{BSN_SHAPE}|{POSTCODE_SHAPE}"
    pattern = f"(^|[^{ALNUM}])({shapes})([^{ALNUM}]|$)|[A-Za-z][^{ALNUM}]+[A-Za-z]|[^[:ascii:]]"
    return f"regexp_matches({quote(column)}, '{pattern}')"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class Finding:
    where: str  # file, and table.column or cell
    rule: str  # bsn | name | postcode
    sample: str


# Tokens are runs of letters and digits (joined by - or ', as in Anne-Marie or 't); a word is a
# token without digits, so a key like a9f1e0 or a code like 2011AB is not two words.
TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
DIGIT = re.compile(r"\d")


def _name_hits(text: str, names: set[str]) -> set[str]:
    """Names are two to four words: look up every run of two to four consecutive words in the set."""
    hits = set()
    for line in text.lower().splitlines():
        words: list[str | None] = [None if DIGIT.search(t) else t for t in TOKEN.findall(line)]
        for n in (2, 3, 4):
            for i in range(len(words) - n + 1):
                run = [w for w in words[i : i + n] if w is not None]
                if len(run) == n and " ".join(run) in names:
                    hits.add(" ".join(run))
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
    picks = ", ".join(f"list(distinct {quote(c)}) filter (where {candidate_filter(c)})" for c in columns)
    row = con.execute(f"select {picks} from {relation}").fetchone()
    findings: list[Finding] = []
    values = 0
    for column, found in zip(columns, row, strict=True):
        if found:
            findings += find_in_text("\n".join(found), names, f"{where}.{column}", column)
            values += len(found)
    return findings, values


def scan_database(
    path: Path, names: set[str], config: dict | None = None, only: set[str] | None = None
) -> tuple[list[Finding], int]:
    """Every text column of every table and view, or of those in ``only`` ('"schema"."table"'); returns findings
    and the number of candidate values checked. ``config``: the DuckDB settings (memory limit, threads, spill)."""
    findings: list[Finding] = []
    values = 0
    with duckdb.connect(str(path), read_only=True, config=config or {}) as con:
        columns = con.execute("""select table_schema, table_name, list(column_name order by ordinal_position)
                                 from information_schema.columns where data_type = 'VARCHAR' group by all""").fetchall()
        for schema, table, cols in columns:
            if only is not None and f"{quote(schema)}.{quote(table)}" not in only:
                continue
            more, n = _scan_relation(
                con, f"{quote(schema)}.{quote(table)}", cols, f"{path.name}: {schema}.{table}", names
            )
            findings, values = findings + more, values + n
    return findings, values


def scan_parquet(
    folder: Path, names: set[str], config: dict | None = None, only: set[Path] | None = None
) -> tuple[list[Finding], int]:
    """Every text column of every Parquet file under ``folder``, or of the files in ``only``."""
    findings: list[Finding] = []
    values = 0
    with duckdb.connect(config=config or {}) as con:
        for file in sorted(f for f in folder.glob("**/*.parquet") if only is None or f in only):
            cols = [
                name
                for name, kind, *_ in con.execute(f"describe select * from '{file}'").fetchall()
                if kind == "VARCHAR"
            ]
            more, n = _scan_relation(con, f"'{file}'", cols, str(file), names)
            findings, values = findings + more, values + n
    return findings, values


REPORT_FILES = ("*.html", "*.xlsx", "*.csv")  # what readers open; the scripts beside the pages hold only dates


def report_digests(folder: Path) -> dict[str, str]:
    """Every report file the scan reads, by path below ``folder``: the sha256 of its bytes. A publish records
    them once the scan found the files clean, so the next publish reads only files that changed: a quiet night
    changes a handful of the 951 report files at scale 1, and reading all of them took 4.5 s."""
    return {
        file.relative_to(folder).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for pattern in REPORT_FILES
        for file in sorted(folder.glob(f"**/{pattern}"))
    }


def scan_reports(folder: Path, names: set[str], only: set[str] | None = None) -> tuple[list[Finding], int]:
    """The visible text of every report file under ``folder``, or of those in ``only`` (paths below ``folder``,
    as in ``report_digests``); returns findings and the number of files read."""
    findings, files = [], 0
    for pattern in REPORT_FILES:
        for file in sorted(folder.glob(f"**/{pattern}")):
            if only is not None and file.relative_to(folder).as_posix() not in only:
                continue
            files += 1
            findings += find_in_text(_visible_text(file), names, str(file))
    return findings, files


def _visible_text(file: Path) -> str:
    if file.suffix == ".html":
        # One line per text node: text_content() glues table cells together, and the cells
        # 2.058 | 160 | 188 would read as the (elfproef-valid) number 058160188.
        return "\n".join(lxml.html.parse(str(file)).getroot().itertext())
    if file.suffix == ".xlsx":
        book = openpyxl.load_workbook(file, read_only=True)
        cells = [
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if isinstance(v, str)
        ]
        book.close()
        return "\n".join(cells)
    return file.read_text(encoding="utf-8")
