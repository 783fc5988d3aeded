"""Reads of the production calendar for the admin: the regions a user may keep a calendar of, and the
year grid (twelve months of Monday–Sunday weeks, every day classed by its kind, the year's totals).

The totals come from `WorkingCalendar`, the same arithmetic the deadlines use, so the grid can never
show a norm the SLA clock does not count with.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import QuerySet

from cur.models import CalendarDay
from cur.scoping import scope_of
from cur.workcalendar import FULL_DAY_HOURS, WorkingCalendar
from municipalities.models import Region

MONTH_NAMES = ["Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь",
               "Ноябрь", "Декабрь"]
WEEKDAY_NAMES = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
YEARS = range(2000, 2100)  # a calendar outside these years is a typo, not a plan


def calendar_regions(user) -> QuerySet[Region]:
    """The regions whose production calendar `user` may see and correct: every region for a superuser,
    the region of their centre (or body) for everyone else, none for a user without a role."""
    scope = scope_of(user)
    if scope.everything:
        return Region.objects.all()
    if scope.nothing or scope.region_id is None:
        return Region.objects.none()
    return Region.objects.filter(pk=scope.region_id)


@dataclass(frozen=True)
class DayCell:
    day: date
    css: str  # "cal-day cal-day--<kind>" (+ " cal-day--manual")
    hours: int
    title: str  # what the day is, for the tooltip and screen readers
    pk: int | None  # the stored CalendarDay, None for an ordinary day
    # what a new row for an ordinary day would most likely be: a weekday becomes a day off, a weekend day
    # a working one (the admin's add form opens with these)
    proposed_kind: str
    proposed_hours: int


@dataclass(frozen=True)
class MonthBlock:
    number: int
    name: str
    weeks: list[list[DayCell | None]]  # Monday first; None outside the month
    working_days: int
    working_hours: int


@dataclass(frozen=True)
class YearGrid:
    year: int
    months: list[MonthBlock]
    calendar_days: int
    working_days: int
    days_off: int  # weekends, holidays and transferred days off
    working_hours: int  # the norm of a 40-hour week
    shortened_days: int


KIND_CSS = {
    CalendarDay.Kind.HOLIDAY: "holiday",
    CalendarDay.Kind.DAY_OFF: "day-off",
    CalendarDay.Kind.WORKING_WEEKEND: "working-weekend",
    CalendarDay.Kind.SHORTENED: "shortened",
}


def _hours_word(hours: int) -> str:
    if hours % 10 == 1 and hours % 100 != 11:
        return "час"
    if 2 <= hours % 10 <= 4 and not 12 <= hours % 100 <= 14:
        return "часа"
    return "часов"


def _cell(day: date, stored: CalendarDay | None, hours: int) -> DayCell:
    weekend = day.weekday() >= 5
    proposed = (CalendarDay.Kind.WORKING_WEEKEND, FULL_DAY_HOURS) if weekend else (CalendarDay.Kind.DAY_OFF, 0)
    if stored is None:
        css = "weekend" if weekend else "working"
        what = "выходной" if weekend else "рабочий день"
        manual = False
    else:
        css = KIND_CSS.get(stored.kind, "working" if hours else "weekend")
        what = stored.get_kind_display() + (f": {stored.name}" if stored.name else "")
        manual = stored.source == CalendarDay.Source.MANUAL
    title = f"{day:%d.%m.%Y} — {what}, {hours} {_hours_word(hours)}" + (" (исправлено вручную)" if manual else "")
    # a shortened working Saturday is a working weekend day first; the mark says it is an hour shorter too
    marks = (" cal-day--short" if 0 < hours < FULL_DAY_HOURS else "") + (" cal-day--manual" if manual else "")
    return DayCell(
        day=day, css=f"cal-day cal-day--{css}{marks}", hours=hours, title=title,
        pk=stored.pk if stored else None, proposed_kind=proposed[0], proposed_hours=proposed[1],
    )


def year_grid(*, year: int, days: Iterable[CalendarDay]) -> YearGrid:
    """The grid of `year` from the region's stored non-standard days of that year (others are ignored)."""
    stored = {day.date: day for day in days if day.date.year == year}
    # The time zone does not change how many hours a day has; UTC keeps this function free of the region.
    hours_of = WorkingCalendar(tz=UTC, special_hours={d: s.working_hours for d, s in stored.items()}).hours_on
    months = []
    for number in range(1, 13):
        weeks = [
            [_cell(day, stored.get(day), hours_of(day)) if day.month == number else None for day in week]
            for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, number)
        ]
        cells = [cell for week in weeks for cell in week if cell is not None]
        months.append(MonthBlock(
            number=number, name=MONTH_NAMES[number - 1], weeks=weeks,
            working_days=sum(cell.hours > 0 for cell in cells), working_hours=sum(cell.hours for cell in cells),
        ))
    calendar_days = 366 if stdlib_calendar.isleap(year) else 365
    working_days = sum(month.working_days for month in months)
    return YearGrid(
        year=year, months=months, calendar_days=calendar_days, working_days=working_days,
        days_off=calendar_days - working_days, working_hours=sum(month.working_hours for month in months),
        shortened_days=sum(0 < cell.hours < FULL_DAY_HOURS for month in months for week in month.weeks
                           for cell in week if cell is not None),
    )


def calendar_year(*, region: Region, year: int) -> YearGrid:
    """The year grid of `region` (one query: the year's stored days)."""
    return year_grid(year=year, days=CalendarDay.objects.filter(region=region, date__year=year))
