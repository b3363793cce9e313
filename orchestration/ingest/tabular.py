"""Read one tabular delivery against its contract: typed rows, linkage rows, rejected rows.

Pure function, no warehouse: the caller loads the result in one transaction. A file
whose header breaks the contract raises :class:`DeliveryRejected` (the whole file is
quarantined); a row that breaks it is rejected with its line number and the rule.
Missing values are not a contract breach: the data-quality layer measures fill rates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

from orchestration.lib.bsn import elfproef
from orchestration.lib.pseudonym import pseudonymise
from orchestration.lib.wijken import postcode_status, wijk_of

from .contracts import Column, Contract


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
    day, month, year = text.split("-")
    if len(year) != 4:
        raise ValueError(f"{text!r} is not dd-mm-jjjj")
    return dt.date(int(year), int(month), int(day))


def parse_amount(text: str) -> int | None:
    """Euros with a decimal comma ('1234,56', '-12,5') to whole cents."""
    if not text:
        return None
    if "." in text:
        raise ValueError(f"{text!r}: thousands separators or a decimal point are not allowed")
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(",")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
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
            return int(value)
        value = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
    text = str(value).strip()
    if col.type == "text":
        return text or None
    if col.type == "int":
        return int(text) if text else None
    if col.type == "date":
        return parse_date(text)
    if col.type == "amount":
        return parse_amount(text)
    if col.type == "flag":
        if text not in ("", "J", "N"):
            raise ValueError(f"{text!r} is not J or N")
        return None if not text else text == "J"
    raise AssertionError(col.type)


def output_columns(contract: Contract) -> list[tuple[str, str]]:
    """Columns of the raw table: personal data replaced by pseudonymous or coarsened columns."""
    sql = {"text": "varchar", "int": "integer", "date": "date", "amount": "bigint", "flag": "boolean"}
    out: list[tuple[str, str]] = []
    for c in contract.columns:
        if c.role == "bsn":
            out += [("client_key", "varchar"), ("bsn_valid", "boolean")]
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
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DeliveryRejected(f"encoding: not Windows-1252 ({exc})") from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    return read_rows(contract, next(reader, None), enumerate(reader, start=2), key)


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
            width = len(contract.columns)
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
    expected = [c.name for c in contract.columns]
    if header is None:
        raise DeliveryRejected("header: the file is empty")
    if [h.strip().lower() for h in header] != expected:
        missing = [c for c in expected if c not in header]
        extra = [h for h in header if h not in expected]
        raise DeliveryRejected(f"header: expected columns {expected}; missing {missing}, unexpected {extra}")
    out = Parsed()
    for line, fields in numbered_rows:
        if not fields:
            continue
        if len(fields) != len(expected):
            out.rejected.append(Rejected(line, "field_count", f"{len(fields)} fields, the contract has {len(expected)}"))
            continue
        row: dict = {}
        person: dict = {}
        try:
            for col, value in zip(contract.columns, fields):
                v = _convert(col, value)
                role = col.role or ""
                if role == "bsn":
                    row["client_key"] = pseudonymise(v, key, "bsn")
                    row["bsn_valid"] = elfproef(v) if v else None
                    person["client_key"] = row["client_key"]
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
