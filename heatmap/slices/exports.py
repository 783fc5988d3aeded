"""A slice as a file: XLSX with its conditions written on the first sheet, or CSV — the very rows of the page
(Pivot.table), neutralised like every export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import timezone

from cur.spreadsheets import csv_text, xlsx_report
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
    return xlsx_report(about_title="Условия", about=conditions(pivot, user=user, at=at or timezone.now()),
                       table_title="Разрез", rows=pivot.table(), widths={0: 48})


def csv_text_of(pivot: Pivot) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for values in pivot.table():
        writer.writerow([csv_text(f"{v}".replace(".", ",") if isinstance(v, float) else v) for v in values])
    return "\ufeff" + buffer.getvalue()
