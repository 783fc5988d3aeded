"""Spreadsheet files that leave the system (every export: the queue, the ratings, the documents next).

A text that begins with = + - @ (or a tab, a line break, or blanks before one of them) is a formula to Excel
or LibreOffice («CSV injection»). Such a cell is written with a leading apostrophe in both formats, so the two
files read the same; in XLSX every text is moreover a string cell, never a formula (openpyxl makes a formula
of any string starting with «=», whatever its origin: a title, an address, a body's name).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
DATE_FORMAT = "DD.MM.YYYY"


def is_formula_like(value: str) -> bool:
    """Whether a spreadsheet would take the text for a formula: = + - @ first, possibly after blanks,
    or a tab / line break first (OWASP «CSV injection»)."""
    return value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START[:4])


def spreadsheet_cell(value: str) -> str:
    """A CSV cell's text that no spreadsheet takes for a formula: «=1+1» → «'=1+1», « @SUM(A1)» → «' @SUM(A1)»."""
    return "'" + value if is_formula_like(value) else value


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return spreadsheet_cell(str(value))


def xlsx_cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    """A typed cell: a date as a date, a number as a number, a text as a string — never a formula."""
    if isinstance(value, str):
        # control characters make openpyxl refuse the whole workbook
        value = spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a string cell, whatever it begins with: openpyxl guesses «f» from a leading «=»
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_report(*, about_title: str, about: list[tuple[str, object]], table_title: str, rows: list[list],
                widths: dict[int, int] | None = None) -> bytes:
    """A workbook for officials: a sheet stating what the table is (label, value lines), then the table
    (its first row the header, bold); `widths` — column index → width of the table's columns."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(about_title)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 70
    for label, value in about:
        sheet.append([xlsx_cell(sheet, label, bold=True), xlsx_cell(sheet, value)])
    sheet = workbook.create_sheet(table_title)
    for index, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    head, *body = rows
    sheet.append([xlsx_cell(sheet, title, bold=True) for title in head])
    for values in body:
        sheet.append([xlsx_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
