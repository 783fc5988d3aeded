"""A slice as a file: XLSX with its conditions written on the first sheet, or CSV — the very rows of the page
(Pivot.table), neutralised like every export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook

from cur.spreadsheets import csv_text, xlsx_cell
from heatmap.slices.selectors import AXES, Pivot, labels_of


def conditions(pivot: Pivot, *, user, at: datetime) -> list[tuple[str, object]]:
    """What the slice is, in words: the period, rows, columns, the measure and every filter."""
    lines: list[tuple[str, object]] = [
        ("Период", f"{pivot.period.label} ({pivot.period.first:%d.%m.%Y} – {pivot.period.last:%d.%m.%Y}), "
                   "дни по времени региона"),
        ("Строки", AXES[pivot.rows_axis]),
        ("Столбцы", AXES[pivot.columns_axis] if pivot.columns_axis else "—"),
        ("Показатель", pivot.measure_label),
    ]
    names = labels_of({axis: [value] for axis, value in pivot.filters.items()})
    for axis, value in pivot.filters.items():
        lines.append((f"Отбор: {AXES[axis].lower()}", names[(axis, value)]))
    lines += [("Сформировано", timezone.localtime(at).replace(tzinfo=None)),
              ("Выгрузил", user.get_full_name() or user.get_username())]
    return lines


def xlsx_bytes(pivot: Pivot, *, user, at: datetime | None = None) -> bytes:
    at = at or timezone.now()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Условия")
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 70
    for label, value in conditions(pivot, user=user, at=at):
        sheet.append([xlsx_cell(sheet, label, bold=True), xlsx_cell(sheet, value)])
    sheet = workbook.create_sheet("Разрез")
    sheet.column_dimensions["A"].width = 48
    head, *body = pivot.table()
    sheet.append([xlsx_cell(sheet, title, bold=True) for title in head])
    for values in body:
        sheet.append([xlsx_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text_of(pivot: Pivot) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for values in pivot.table():
        writer.writerow([csv_text(f"{v}".replace(".", ",") if isinstance(v, float) else v) for v in values])
    return "\ufeff" + buffer.getvalue()
