"""Exports of the queue (CSV and XLSX): the filtered list of the user's scope, one row per appeal, the
same columns in both, streamed so that a region's million rows never sit in memory.

Files leave the system (they are mailed, shared, opened on other computers), so they carry no personal
data for any role: no citizen's columns, and the title masked (appeals/privacy.py) whoever exports.
Every cell goes through `spreadsheet_cell`: a text that begins with = + - @ (or a tab, a line break)
is a formula to Excel or LibreOffice, and is written with a leading apostrophe instead.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.utils import timezone

from appeals.models import Appeal
from appeals.privacy import visible_summary, visible_text

COLUMNS = [
    ("number", "Номер"), ("received_at", "Поступило"), ("kind", "Вид"), ("channel", "Канал"),
    ("status", "Статус"), ("sector", "Тематика"), ("subtopic", "Подтема"), ("municipality", "МО"),
    ("settlement", "Населённый пункт"), ("address", "Адрес"), ("agency", "Исполнитель"),
    ("due_at", "Срок ответа"), ("is_overdue", "Просрочено"), ("satisfaction", "Оценка"), ("title", "Суть"),
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_cell(value: str) -> str:
    """A cell's text that no spreadsheet takes for a formula (OWASP «CSV injection»): «=1+1» → «'=1+1»."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_row(appeal: Appeal) -> list[str]:
    """One appeal as the cells of a row of COLUMNS, neutralised."""
    local = timezone.localtime
    return [spreadsheet_cell(value) for value in (
        appeal.number, local(appeal.received_at).strftime("%d.%m.%Y %H:%M"), appeal.get_kind_display(),
        appeal.get_channel_display(), appeal.get_status_display(), str(appeal.sector or ""),
        str(appeal.subtopic or ""), str(appeal.municipality or ""), str(appeal.settlement or ""),
        visible_text(appeal.address, personal=False),
        str(appeal.agency or ""), local(appeal.due_at).strftime("%d.%m.%Y %H:%M") if appeal.due_at else "",
        "да" if appeal.is_overdue else "", appeal.get_satisfaction_display(),
        visible_summary(appeal, personal=False),
    )]


class _Echo:
    def write(self, value):
        return value


def csv_lines(appeals: Iterable[Appeal]) -> Iterator[str]:
    """The CSV (semicolons, a BOM for Excel) line by line."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly
    yield writer.writerow([title for _, title in COLUMNS])
    for appeal in appeals:
        yield writer.writerow(export_row(appeal))


def xlsx_file(appeals: Iterable[Appeal]):
    """The XLSX in a temporary file, positioned at its start. openpyxl's write-only workbook keeps the
    rows on disk as they are added, so memory stays flat whatever the number of rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обращения")
    sheet.append([title for _, title in COLUMNS])
    for appeal in appeals:
        sheet.append(export_row(appeal))
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file
