"""Read one tabular delivery against its contract: typed rows, linkage rows, rejected rows.

Pure function, no warehouse: the caller loads the result in one transaction. A file
whose header breaks the contract raises :class:`DeliveryRejected` (the whole file is
quarantined); a row that breaks it is rejected with its line number and the rule.
Missing values are not a contract breach: the data-quality layer measures fill rates.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook

from orchestration.lib.bsn import elfproef
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.wijken import postcode_status, wijk_of

from .contracts import Column, Contract

DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})", re.ASCII)
DIGITS = re.compile(r"\d+", re.ASCII)
WHOLE = re.compile(r"-?\d+", re.ASCII)
INT_RANGE = 2**31 - 1  # raw int columns are DuckDB integer
CENTS_RANGE = 10**15 - 1  # ten trillion euros: beyond any municipal budget, well inside bigint


class DeliveryRejected(Exception):
    """The whole file breaks the contract; the message names the rule."""


@dataclass
class Rejected:
    line: int
    rule: str
    message: str


@dataclass
class Parsed:
    rows: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)  # restricted linkage rows
    rejected: list[Rejected] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    """dd-mm-jjjj as the Dutch systems export it; ValueError for anything else."""
    if not text:
        return None
    match = DATE.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not dd-mm-jjjj")
    day, month, year = map(int, match.groups())
    return dt.date(year, month, day)


def parse_amount(text: str) -> int | None:
    """Euros with a decimal comma ('1234,56', '-12,5') to whole cents."""
    if not text:
        return None
    if "." in text:
        raise ValueError(f"{text!r}: thousands separators or a decimal point are not allowed")
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.removeprefix("-").partition(",")
    if not DIGITS.fullmatch(whole) or (frac and not DIGITS.fullmatch(frac)) or len(frac) > 2:
        raise ValueError(f"{text!r} is not an amount like 1234,56")
    return sign * (int(whole) * 100 + int((frac + "00")[:2]))


def _convert(col: Column, value):
    """A cell as text (CSV) or as openpyxl gives it (numbers, datetimes) to the column's type."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if col.type != "date":
            raise ValueError(f"a date where {col.type} was expected")
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if col.type == "int" and float(value).is_integer():
            return _bounded(int(value), INT_RANGE, "a whole number")
        value = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    text = str(value).strip()
    if col.type == "text":
        return text or None
    if col.type == "int":
        if text and not WHOLE.fullmatch(text):
            raise ValueError(f"{text!r} is not a whole number")
        return _bounded(int(text), INT_RANGE, "a whole number") if text else None
    if col.type == "date":
        return parse_date(text)
    if col.type == "amount":
        return _bounded(parse_amount(text), CENTS_RANGE, "an amount in cents")
    if col.type == "flag":
        if text not in ("", "J", "N"):
            raise ValueError(f"{text!r} is not J or N")
        return None if not text else text == "J"
    raise AssertionError(col.type)


def _bounded(value: int | None, limit: int, what: str) -> int | None:
    """A number the warehouse cannot hold is a broken row, not a crash of the whole load."""
    if value is not None and abs(value) > limit:
        raise ValueError(f"{value} is beyond the range of {what} (±{limit:,})")
    return value


def output_columns(contract: Contract) -> list[tuple[str, str]]:
    """Columns of the raw table: personal data replaced by pseudonymous or coarsened columns."""
    sql = {"text": "varchar", "int": "integer", "date": "date", "amount": "bigint", "flag": "boolean"}
    out: list[tuple[str, str]] = []
    for c in contract.columns:
        if c.role == "bsn":
            out += [("client_key", "varchar"), ("bsn_valid", "boolean")]
        elif c.role and c.role.startswith("bsn:"):  # another person's BSN in the same row: <who>_key
            out += [(f"{c.role[4:]}_key", "varchar"), (f"{c.role[4:]}_bsn_valid", "boolean")]
        elif c.role and c.role.startswith("id:"):
            out.append((f"{c.name}_key", "varchar"))
        elif c.role == "birth_date":
            out.append(("birth_year_month", "varchar"))
        elif c.role == "postcode":
            out += [("wijk_code", "varchar"), ("postcode_status", "varchar")]
        elif c.role in ("name", "address"):
            continue
        else:
            out.append((c.name + ("_cents" if c.type == "amount" else ""), sql[c.type]))
    return out


def read_delivery(contract: Contract, data: bytes, key: str) -> Parsed:
    """A CSV delivery: ';'-separated, Windows-1252, with the contract's header."""
    text = _decode_cp1252(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        return read_rows(contract, next(reader, None), enumerate(reader, start=2), key)
    except csv.Error as exc:  # e.g. a field over the csv module's limit: the file's structure is gone
        raise DeliveryRejected(f"csv: line {reader.line_num}: {exc}") from exc


BOMS = {codecs.BOM_UTF8: "UTF-8", codecs.BOM_UTF16_LE: "UTF-16", codecs.BOM_UTF16_BE: "UTF-16"}


def _decode_cp1252(data: bytes) -> str:
    """Windows-1252 as the contract says; a UTF-8 or UTF-16 file is refused, not loaded as mojibake."""
    for bom, name in BOMS.items():
        if data.startswith(bom):
            raise DeliveryRejected(f"encoding: the file is {name} (byte-order mark); the contract says Windows-1252")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # cp1252 text with accents is practically never valid UTF-8
            raise DeliveryRejected("encoding: the file is UTF-8; the contract says Windows-1252")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DeliveryRejected(f"encoding: not Windows-1252 ({exc})") from exc


def read_workbook(contracts: list[Contract], data: bytes, key: str) -> dict[str, Parsed]:
    """An xlsx delivery: one sheet per contract (``contract.entity`` names the sheet, case-insensitive)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DeliveryRejected(f"xlsx: not a readable workbook ({type(exc).__name__}: {exc})") from exc
    try:
        sheets = {name.lower(): wb[name] for name in wb.sheetnames}
        out = {}
        for contract in contracts:
            sheet = sheets.get(contract.entity)
            if sheet is None:
                raise DeliveryRejected(f"sheet: no sheet {contract.entity!r}; found {wb.sheetnames}")
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            header = [("" if h is None else str(h)) for h in header] if header else None
            width = len(header) if header else len(contract.columns)
            body = ((i, _pad(list(r), width)) for i, r in enumerate(rows, start=2) if any(v is not None for v in r))
            out[contract.table] = read_rows(contract, header, body, key)
        return out
    finally:
        wb.close()


def _pad(cells: list, width: int) -> list:
    """xlsx leaves trailing empty cells out; they are not a broken row."""
    while len(cells) > width and cells[-1] is None:
        cells.pop()
    return cells + [None] * (width - len(cells))


def read_rows(contract: Contract, header, numbered_rows, key: str | None = None) -> Parsed:
    """Rows against the contract's columns. The header must name them in order; optional columns
    (``Column.optional``) may be left out, and are then empty on every row."""
    if header is None:
        raise DeliveryRejected("header: the file is empty")
    given = [h.strip().lower() for h in header]
    columns = [c for c in contract.columns if c.name in given or not c.optional]
    expected = [c.name for c in columns]
    if given != expected:
        missing = [c for c in expected if c not in given]
        extra = [h for h in given if h not in expected]
        raise DeliveryRejected(f"header: expected columns {expected}; missing {missing}, unexpected {extra}")
    absent = [c for c in contract.columns if c not in columns]
    out = Parsed()
    for line, fields in numbered_rows:
        if not fields:
            continue
        if len(fields) != len(expected):
            out.rejected.append(
                Rejected(line, "field_count", f"{len(fields)} fields, the contract has {len(expected)}")
            )
            continue
        fields = list(fields) + [None] * len(absent)
        row: dict = {}
        person: dict = {}
        try:
            for col, value in zip(columns + absent, fields, strict=True):
                v = _convert(col, value)
                role = col.role or ""
                if role == "bsn":
                    row["client_key"] = pseudonymise(v, key, "bsn")
                    row["bsn_valid"] = elfproef(v) if v else None
                    person["client_key"] = row["client_key"]
                elif role.startswith("bsn:"):  # the same keyed hash as a client's BSN: the same person links
                    row[f"{role[4:]}_key"] = pseudonymise(v, key, "bsn")
                    row[f"{role[4:]}_bsn_valid"] = elfproef(v) if v else None
                elif role.startswith("id:"):
                    row[f"{col.name}_key"] = pseudonymise(v, key, role[3:])
                    if col.name == contract.person_id:
                        person["source_key"] = row[f"{col.name}_key"]
                elif role == "birth_date":
                    row["birth_year_month"] = v.strftime("%Y-%m") if v else None
                    person["birth_date"] = v
                elif role == "postcode":
                    row["wijk_code"] = wijk_of(v)
                    row["postcode_status"] = postcode_status(v)
                    person["postcode"] = v
                elif role in ("name", "address"):
                    person[col.name] = v
                else:
                    row[col.name + ("_cents" if col.type == "amount" else "")] = v
        except (ValueError, IndexError) as exc:
            out.rejected.append(Rejected(line, f"type:{col.name}", str(exc)))
            continue
        row["_row"] = line
        out.rows.append(row)
        if contract.person_id:
            person["_row"] = line
            out.persons.append(person)
    return out
