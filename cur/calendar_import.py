"""Import of an official production calendar file into a region's `CalendarDay` rows.

Two formats, told apart by their content, not by the file's name:

- XML of the consultant / xmlcalendar.ru / data.gov.ru kind: `<calendar year="2025">`, `<holidays>` with
  `<holiday id="1" title="…"/>`, `<days>` with `<day d="ММ.ДД" t="1|2|3" h="…" f="ММ.ДД"/>`; t=1 a day off
  (a holiday when it names one in h), t=2 a shortened working day (any weekday, a Saturday too), t=3 a
  working Saturday or Sunday. A weekend day the file does not mention stays a day off.
- CSV `date,type[,description]` (comma, semicolon or tab; UTF-8 or Windows-1251; a header line is
  optional): the date as 2025-05-01 or 01.05.2025, the type as рабочий / выходной / праздничный /
  сокращённый or the XML's codes 1 / 2 / 3.

Every line is checked on its own: a bad one is refused with its number and the reason and changes
nothing, the good ones are applied, so a typo never costs the rest of the file and nothing is dropped
silently. A day counts as changed when its kind or its hours change (a description alone does not
change a day). A day the file makes ordinary (a weekday that works, a weekend that rests) loses its row,
as ordinary days are not stored. What the file writes is an administrator's decision: the rows are
marked `manual`, so the next load from the rules (`calendar_load`) keeps them; a day corrected by hand
earlier that the file changes is changed and listed as such.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.parsers import expat

from django.db import transaction

from cur.calendar_grid import YEARS, calendar_regions
from cur.models import CalendarDay
from cur.permissions import Forbidden
from cur.workcalendar import FULL_DAY_HOURS

Kind = CalendarDay.Kind
MAX_FILE_BYTES = 1_000_000  # a year of days is a few kilobytes; a megabyte is a dozen years with room to spare
MAX_ROWS = 10_000
IMPORT_PERMISSIONS = ("cur.add_calendarday", "cur.change_calendarday")

# What a line says about a day; the day's weekday then decides the stored kind.
WORKING, DAY_OFF, HOLIDAY, SHORTENED = "working", "day_off", "holiday", "shortened"
TYPE_WORDS = {
    "рабочий": WORKING, "рабочий день": WORKING, "3": WORKING,
    "выходной": DAY_OFF, "выходной день": DAY_OFF, "нерабочий": DAY_OFF, "нерабочий день": DAY_OFF, "1": DAY_OFF,
    "праздничный": HOLIDAY, "праздничный день": HOLIDAY, "праздник": HOLIDAY,
    "нерабочий праздничный день": HOLIDAY,
    "сокращенный": SHORTENED, "сокращенный день": SHORTENED, "предпраздничный": SHORTENED, "2": SHORTENED,
}
XML_TYPES = {"1": DAY_OFF, "2": SHORTENED, "3": WORKING}
MONTH_DAY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\s*$")
NAME_MAX = CalendarDay._meta.get_field("name").max_length


class CalendarFileError(ValueError):
    """The file as a whole cannot be read (not a calendar, broken XML, too large); nothing was changed."""


@dataclass(frozen=True)
class FileDay:
    line: int
    day: date
    says: str  # WORKING | DAY_OFF | HOLIDAY | SHORTENED
    name: str = ""


@dataclass(frozen=True)
class Refusal:
    line: int
    text: str  # the line as the file has it, shortened
    reason: str


@dataclass(frozen=True)
class DayChange:
    day: date
    before: str
    after: str
    was_manual: bool  # an administrator had corrected this day by hand


@dataclass
class CalendarImportReport:
    region_name: str
    filename: str
    created: list[date] = field(default_factory=list)
    changed: list[DayChange] = field(default_factory=list)
    unchanged: list[date] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def manual_replaced(self) -> list[DayChange]:
        return [change for change in self.changed if change.was_manual]

    def summary(self) -> str:
        source = f" из файла «{self.filename}»" if self.filename else ""
        return (f"Производственный календарь ({self.region_name}) загружен{source}: новых дней — "
                f"{len(self.created)}, изменено — {len(self.changed)}, без изменений — {len(self.unchanged)}, "
                f"отклонено строк — {len(self.refused)}.")


# ---------------------------------------------------------------------------------------------- parsing


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _shorten(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 80 else text[:79] + "…"


def _decode(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        raise CalendarFileError("Это архив или файл Excel (XLSX). Сохраните календарь как CSV или загрузите XML.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # what Excel writes for a Russian CSV
    if "\x00" in text:
        raise CalendarFileError("Файл не текстовый. Загрузите календарь в формате CSV или XML.")
    return text


# A calendar line is a date, a kind and a name: anything longer is not a calendar. Checked here, not left to
# csv.field_size_limit, which is process-wide (the appeals' file import raises it for long texts).
LINE_MAX = 2000


def _csv_days(text: str) -> tuple[list[FileDay], list[Refusal]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > LINE_MAX:
            raise CalendarFileError(f"CSV не читается в строке {number}: строка длиннее {LINE_MAX} знаков "
                                    "(проверьте кавычки).")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count) if any(mark in first for mark in ";,\t") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _csv_rows(reader, delimiter)
    except csv.Error:
        raise CalendarFileError(f"CSV не читается в строке {reader.line_num}: проверьте кавычки.") from None


def _csv_rows(reader, delimiter: str) -> tuple[list[FileDay], list[Refusal]]:
    days: list[FileDay] = []
    refused: list[Refusal] = []
    seen: dict[date, int] = {}
    header_possible = True
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        raw = _shorten(delimiter.join(cells))
        if header_possible:
            header_possible = False
            if cells[0].lower() in {"date", "дата", "день"}:
                continue
        if len(cells) < 2 or not cells[1]:
            refused.append(Refusal(line, raw, "нужны два поля: дата и вид дня"))
            continue
        if len(cells) > 3 and any(cells[3:]):
            refused.append(Refusal(line, raw, "лишние поля: ожидается «дата, вид дня[, описание]»"))
            continue
        day = _parse_date(cells[0])
        if day is None:
            refused.append(Refusal(line, raw, f"неверная дата «{_shorten(cells[0])}»: нужна ГГГГ-ММ-ДД или ДД.ММ.ГГГГ"))
            continue
        says = TYPE_WORDS.get(cells[1].lower().replace("ё", "е"))
        if says is None:
            refused.append(Refusal(line, raw, f"неизвестный вид дня «{_shorten(cells[1])}»: нужен рабочий, "
                                              "выходной, праздничный, сокращённый или код 1, 2, 3"))
            continue
        name = cells[2] if len(cells) > 2 else ""
        if len(name) > NAME_MAX:
            refused.append(Refusal(line, raw, f"описание длиннее {NAME_MAX} символов"))
            continue
        if refusal := _refuse_date(day, line, raw, seen):
            refused.append(refusal)
            continue
        days.append(FileDay(line, day, says, name))
    return days, refused


def _refuse_date(day: date, line: int, raw: str, seen: dict[date, int]) -> Refusal | None:
    if day.year not in YEARS:
        return Refusal(line, raw, f"год {day.year} вне {YEARS.start}–{YEARS.stop - 1}")
    if day in seen:
        return Refusal(line, raw, f"день {day:%d.%m.%Y} уже указан в строке {seen[day]}")
    seen[day] = line
    return None


@dataclass
class _XmlContent:
    year: str | None = None
    root: str | None = None
    holidays: dict[str, str] = field(default_factory=dict)
    days: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _xml_read(data: bytes) -> _XmlContent:
    parser = expat.ParserCreate()
    content = _XmlContent()

    def refuse_declarations(*_args) -> None:
        # a calendar needs no DTD; entity declarations are how XML bombs and file disclosure start
        raise CalendarFileError("XML с объявлениями DOCTYPE или ENTITY не принимается.")

    def start(name: str, attrs: dict[str, str]) -> None:
        if content.root is None:
            content.root = name
            content.year = attrs.get("year")
        elif name == "holiday" and attrs.get("id"):
            content.holidays[attrs["id"]] = attrs.get("title", "").strip()
        elif name == "day":
            content.days.append((parser.CurrentLineNumber, attrs))
            if len(content.days) > MAX_ROWS:
                raise CalendarFileError(f"В файле больше {MAX_ROWS} дней.")

    parser.StartDoctypeDeclHandler = refuse_declarations
    parser.EntityDeclHandler = refuse_declarations
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise CalendarFileError(f"Файл не читается как XML: {expat.ErrorString(error.code)} "
                                f"(строка {error.lineno}).") from None
    return content


def _xml_days(data: bytes) -> tuple[list[FileDay], list[Refusal]]:
    content = _xml_read(data)
    if content.root != "calendar":
        raise CalendarFileError("Это не календарь: корневой элемент XML должен быть <calendar year=\"…\">.")
    if not (content.year or "").strip().isdigit() or int(content.year) not in YEARS:
        raise CalendarFileError(f"У <calendar> нет верного года (year=\"{_shorten(content.year or '')}\").")
    year = int(content.year)
    days: list[FileDay] = []
    refused: list[Refusal] = []
    seen: dict[date, int] = {}
    for line, attrs in content.days:
        raw = _shorten("<day " + " ".join(f'{key}="{value}"' for key, value in attrs.items()) + "/>")
        match = MONTH_DAY.match(attrs.get("d", ""))
        day = None
        if match:
            try:
                day = date(year, int(match.group(1)), int(match.group(2)))
            except ValueError:
                pass
        if day is None:
            refused.append(Refusal(line, raw, f"неверный день d=\"{_shorten(attrs.get('d', ''))}\": нужен "
                                              f"ММ.ДД существующей даты {year} года"))
            continue
        says = XML_TYPES.get(attrs.get("t", "").strip())
        if says is None:
            refused.append(Refusal(line, raw, f"неизвестный тип t=\"{_shorten(attrs.get('t', ''))}\": "
                                              "нужен 1 (выходной), 2 (сокращённый) или 3 (рабочий)"))
            continue
        name = ""
        if says == DAY_OFF and attrs.get("h"):
            says, name = HOLIDAY, content.holidays.get(attrs["h"].strip(), "")
        elif says == DAY_OFF and (moved := MONTH_DAY.match(attrs.get("f", ""))):
            try:
                name = f"Выходной (перенесено с {date(year, int(moved.group(1)), int(moved.group(2))):%d.%m.%Y})"
            except ValueError:
                pass  # f only explains the transfer: a wrong one costs the description, not the day
        if refusal := _refuse_date(day, line, raw, seen):
            refused.append(refusal)
            continue
        days.append(FileDay(line, day, says, name[:NAME_MAX]))
    return days, refused


def calendar_file_read(data: bytes) -> tuple[list[FileDay], list[Refusal]]:
    """The days of a calendar file and its refused lines; raises CalendarFileError for an unreadable file."""
    if not data.strip():
        raise CalendarFileError("Файл пуст.")
    if len(data) > MAX_FILE_BYTES:
        raise CalendarFileError(f"Файл больше {MAX_FILE_BYTES // 1_000_000} МБ — это не производственный календарь.")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _xml_days(data)
    text = _decode(data)
    if text.count("\n") > MAX_ROWS:
        raise CalendarFileError(f"В файле больше {MAX_ROWS} строк.")
    return _csv_days(text)


# ---------------------------------------------------------------------------------------------- the write

ORDINARY = (None, None)


def _target(row: FileDay, current: CalendarDay | None) -> tuple[str | None, int | None]:
    """The (kind, hours) the day must have after the import; ORDINARY when no row is needed."""
    weekend = row.day.weekday() >= 5
    if row.says == HOLIDAY:
        return Kind.HOLIDAY, 0
    if row.says == SHORTENED:
        return (Kind.WORKING_WEEKEND if weekend else Kind.SHORTENED), FULL_DAY_HOURS - 1
    if row.says == WORKING:
        return (Kind.WORKING_WEEKEND, FULL_DAY_HOURS) if weekend else ORDINARY
    if current is not None and current.working_hours == 0:
        return current.kind, 0  # a day off already (a holiday stays a holiday)
    return ORDINARY if weekend else (Kind.DAY_OFF, 0)


def _default_name(kind: str, hours: int) -> str:
    return {
        Kind.HOLIDAY: "Нерабочий праздничный день",
        Kind.DAY_OFF: "Выходной (перенос)",
        Kind.SHORTENED: "Предпраздничный день",
        Kind.WORKING_WEEKEND: "Рабочий день (перенос)" + (", сокращённый" if hours < FULL_DAY_HOURS else ""),
    }[kind]


def _state(day: date, kind: str | None, hours: int | None) -> str:
    if kind is None:
        return "обычный выходной" if day.weekday() >= 5 else "обычный рабочий день"
    return f"{Kind(kind).label}, {hours} ч"


def may_import(user) -> bool:
    """Whether `user` may load a calendar file: staff with the admin's rights to add and change days."""
    return bool(user is not None and user.is_active and user.is_staff and user.has_perms(IMPORT_PERMISSIONS))


@transaction.atomic
def calendar_import(*, region, data: bytes, filename: str = "", by) -> CalendarImportReport:
    """Apply a calendar file to `region`'s days and report what happened to each line (module docstring).
    `by=None` is the platform itself (a management command); a person needs `may_import` and the region
    among their `calendar_regions`. Raises CalendarFileError (nothing changed) for an unreadable file."""
    if by is not None:
        if not may_import(by):
            raise Forbidden("Загружать производственный календарь могут администраторы с правом изменять его.")
        if not calendar_regions(by).filter(pk=region.pk).exists():
            raise Forbidden("Производственный календарь этого региона вам недоступен.")
    days, refused = calendar_file_read(data)
    report = CalendarImportReport(region_name=region.name, filename=filename, refused=refused,
                                  years=sorted({row.day.year for row in days}))
    # The rows the file touches, locked: two imports at once apply one after the other.
    current = {day.date: day for day in CalendarDay.objects.select_for_update()
               .filter(region=region, date__in=[row.day for row in days])}
    to_create, to_update, to_delete = [], [], []
    for row in days:
        stored = current.get(row.day)
        kind, hours = _target(row, stored)
        before = (stored.kind, stored.working_hours) if stored else ORDINARY
        if before == (kind, hours):
            report.unchanged.append(row.day)
            continue
        name = row.name or (_default_name(kind, hours) if kind else "")
        if stored is None:
            to_create.append(CalendarDay(region=region, date=row.day, kind=kind, working_hours=hours, name=name,
                                         source=CalendarDay.Source.MANUAL))
            report.created.append(row.day)
            continue
        report.changed.append(DayChange(
            day=row.day, before=_state(row.day, stored.kind, stored.working_hours), after=_state(row.day, kind, hours),
            was_manual=stored.source == CalendarDay.Source.MANUAL,
        ))
        if kind is None:
            to_delete.append(stored.pk)
        else:
            stored.kind, stored.working_hours, stored.name = kind, hours, name
            stored.source = CalendarDay.Source.MANUAL
            to_update.append(stored)
    CalendarDay.objects.bulk_create(to_create)
    CalendarDay.objects.bulk_update(to_update, ["kind", "working_hours", "name", "source"])
    CalendarDay.objects.filter(pk__in=to_delete).delete()
    return report
