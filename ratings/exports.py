"""The rating as a file for the governor's meeting: XLSX with a sheet «Методика и период» before the table, or
CSV — the same rows and figures as the page (ratings/selectors.py), neutralised like every export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import timezone

from cur.spreadsheets import csv_text, xlsx_report
from ratings.models import PART_LABELS, PARTS
from ratings.scoring import ZONES
from ratings.selectors import Rating, Row

COLUMNS = [
    ("group", "Группа"), ("place", "Место"), ("change", "Изменение места"), ("name", "Наименование"),
    ("score", "Балл"), ("zone", "Зона"),
    *[(part, f"{PART_LABELS[part]}, баллов") for part in PARTS],
    ("received", "Поступило"), ("on_time", "В срок"), ("late", "С нарушением срока"), ("answered", "Дано ответов"),
    ("quality_bad", "Ответы возвращены или с замечаниями"), ("complete_bad", "Не по существу или без ответа"),
    ("rated", "Оценок граждан"), ("satisfied", "Удовлетворены"), ("repeats", "Повторное рассмотрение"),
]
WIDTHS = {"group": 30, "name": 48}


def row_values(group: str, row: Row) -> list:
    """One row of the table: the figures as numbers (None where there is nothing to judge)."""
    rated, sums = row.rated, row.sums
    values = {
        "group": group, "place": rated.place, "change": row.place_change, "name": row.name, "score": rated.score,
        "zone": ZONES.get(rated.zone, "не ранжируется" if not rated.ranked else ""),
        **{part: rated.values[part] for part in PARTS},
        **{name: getattr(sums, name) for name in ("received", "on_time", "late", "answered", "quality_bad",
                                                   "complete_bad", "rated", "satisfied", "repeats")},
    }
    return [values[key] for key, _ in COLUMNS]


def table(board: Rating) -> list[list]:
    return [row_values(group, row) for group, rows in board.groups for row in rows]


def about(board: Rating, *, user, at: datetime) -> list[tuple[str, object]]:
    """The methodology and the period, as the first sheet states them."""
    m = board.methodology
    level = "муниципальных образований" if board.level == "municipality" else "ответственных получателей"
    lines: list[tuple[str, object]] = [
        ("Рейтинг", f"{level}, {board.region.name}"),
        ("Период", f"{board.period.label} ({board.period.first:%d.%m.%Y} – {board.period.last:%d.%m.%Y}), "
                   f"дни по времени региона"),
        ("Методика", f"действует с {m.effective_from:%d.%m.%Y}" + (f" — {m.note}" if m.note else "")),
    ]
    lines += [(f"Вес: {PART_LABELS[part].lower()}", m.weights[part]) for part in PARTS]
    lines += [
        ("Балл", "средневзвешенное составляющих, по которым за период есть данные"),
        ("Минимум обращений для места в рейтинге", board.minimum),
        ("Зелёная зона", f"от {m.green_from} баллов"),
        ("Жёлтая зона", f"от {m.yellow_from} до {m.green_from} баллов"),
        ("Красная зона", f"ниже {m.yellow_from} баллов"),
        ("Группы по численности населения", ", ".join(f"{b:,}".replace(",", " ") for b in m.population_bands) or "—"),
        ("Сформировано", timezone.localtime(at).replace(tzinfo=None)),
        ("Выгрузил", user.get_full_name() or user.get_username()),
    ]
    return lines


def xlsx_bytes(board: Rating, *, user, at: datetime | None = None) -> bytes:
    return xlsx_report(about_title="Методика и период", about=about(board, user=user, at=at or timezone.now()),
                       table_title="Рейтинг", rows=[[title for _, title in COLUMNS], *table(board)],
                       widths={index: WIDTHS.get(key, 14) for index, (key, _) in enumerate(COLUMNS)})


def csv_text_of(board: Rating) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([title for _, title in COLUMNS])
    for values in table(board):
        writer.writerow([csv_text(_decimal_comma(value)) for value in values])
    return "\ufeff" + buffer.getvalue()  # the BOM: Excel opens UTF-8 with it


def _decimal_comma(value):
    return f"{value}".replace(".", ",") if isinstance(value, float) else value
