"""The report's workbook: one sheet per table, as a reader would lay it out by hand.

Euro amounts carry a euro format with thousands separators, shares a percentage format,
counts a thousands separator; the header is frozen and filtered, the widths fit the longest
value. A suppressed cell (external version) is left empty with a comment, never an ``x`` in a
number column: a sum over the column then stays a sum, and the reader sees why a cell is blank.
Formats are written as Excel format codes, so Excel shows them in the reader's own locale.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .suppression import SUPPRESSED

# Excel number format codes per column kind (document.KINDS); money is written in euros
FORMATS = {
    "money": '"€" #,##0.00;-"€" #,##0.00',
    "pct": "0.0%",
    "count": "#,##0",
    "int": "#,##0",
    "num": "#,##0.0",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
MAX_WIDTH = 60


def neutralise(value):
    """Text that Excel would read as a formula gets a leading apostrophe (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def sheet_name(title: str, used: set[str]) -> str:
    """A readable, unique sheet name from a section title: Excel allows 31 characters and no []:*?/\\."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'") or "tabel"
    name, n = base[:31], 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _cell_value(value, kind: str):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "money":
        return round(float(value) / 100, 2)  # eurocents in the marts, euros in the workbook
    if kind in ("pct", "num"):
        return float(value)
    if kind in ("count", "int"):
        return int(value)
    return neutralise(value if isinstance(value, str) else str(value))


def _fit_widths(sheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, width + 2)


def write_table(book: Workbook, name: str, section, threshold: int | None) -> None:
    """One section as a sheet: header, rows with number formats, a bold total row, comments on suppressed cells."""
    sheet = book.create_sheet(name)
    cols = list(section.kinds)
    headers = [section.labels.get(c, c) for c in cols]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(len(h), 30) for h in headers]
    note = f"onderdrukt: minder dan {threshold}" if threshold else "onderdrukt"
    last = len(section.table) - 1
    for r, row in enumerate(section.table[cols].itertuples(index=False), start=2):
        for c, (col, value) in enumerate(zip(cols, row, strict=True), start=1):
            kind = section.kinds[col]
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str) and value == SUPPRESSED and kind != "text":
                cell.comment = Comment(note, "grip")
            else:
                cell.value = _cell_value(value, kind)
            if kind in FORMATS:
                cell.number_format = FORMATS[kind]
            shown = len(f"{cell.value:,.2f}") if isinstance(cell.value, float) else len(str(cell.value or ""))
            widths[c - 1] = max(widths[c - 1], shown + (2 if kind == "money" else 0))
        if section.total_row and r - 2 == last:
            for cell in sheet[r]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if len(section.table):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(section.table) + 1}"
    _fit_widths(sheet, widths)


def write_prose(book: Workbook, name: str, section) -> None:
    """Commentary: its title, then one paragraph per row, wrapped."""
    sheet = book.create_sheet(name)
    sheet.append([section.title])
    sheet["A1"].font = Font(bold=True)
    for paragraph in section.prose.strip().split("\n\n"):
        sheet.append([neutralise(paragraph)])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 100


def write_workbook(path: Path | IO[bytes], about: list[str], sections: list, threshold: int | None) -> None:
    """The first sheet says what the workbook is ('Over dit bestand'); then a sheet per section."""
    book = Workbook()
    front = book.active
    front.title = "Over dit bestand"
    for line in about:
        front.append([neutralise(line)])
    if threshold:
        front.append([f"Extern: aantallen onder {threshold} zijn onderdrukt; zulke cellen zijn leeg, met een notitie."])
    front["A1"].font = Font(bold=True, size=14)
    front.column_dimensions["A"].width = 100
    used = {front.title.lower()}
    for section in sections:
        name = sheet_name(section.title, used)
        if section.prose:
            write_prose(book, name, section)
        else:
            write_table(book, name, section, threshold)
    book.save(path)
