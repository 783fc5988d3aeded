"""Working time on the Russian production calendar — plain functions, no database.

`official_days(years)` derives the non-standard days of a year from the `holidays` package:
holidays, transferred days off and transferred working Saturdays come from it; the shortened
pre-holiday days (one hour shorter, ст. 95 ТК РФ), which it does not know, follow the rule the
government's calendars apply: a working day is shortened when the next day is a public holiday; a
working Saturday takes the place of the weekday it was swapped with and is shortened when that
weekday would have been (2024-11-02 stands for 2024-04-30, 2025-11-01 for 2025-11-03). This
reproduces the official norms of hours: 1973 (2023), 1979 (2024), 1972 (2025), 1972 (2026).

`WorkingCalendar` answers working-time questions in the region's time zone with a working
schedule (default Mon–Fri 09:00–18:00, lunch 13:00–14:00; a shortened day ends an hour earlier).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

FULL_DAY_HOURS = 8
SWAPPED_FROM = re.compile(r"перенесено с (\d\d\.\d\d\.\d{4})")


@dataclass(frozen=True)
class DaySpec:
    date: date
    kind: str  # CalendarDay.Kind value
    working_hours: int
    name: str


def official_days(years: range | list[int]) -> list[DaySpec]:
    """The non-standard days of the given years (see the module docstring)."""
    years = list(years)
    known = holidays_lib.country_holidays("RU", years=[min(years) - 1, *years, max(years) + 1], language="ru")
    working_saturdays = set(known.weekend_workdays)
    public = {d for d, name in known.items() if "перенесено" not in name}
    stands_for = {}  # working Saturday → the weekday that became a day off in its place
    for day, name in known.items():
        if match := SWAPPED_FROM.search(name):
            stands_for[datetime.strptime(match.group(1), "%d.%m.%Y").date()] = day

    def is_working(day: date) -> bool:
        return day in working_saturdays or (day.weekday() < 5 and day not in known)

    def is_shortened(day: date) -> bool:
        probe = stands_for.get(day, day) if day in working_saturdays else day
        return is_working(day) and probe + timedelta(days=1) in public

    specs = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            shortened = is_shortened(day)
            if day in known:
                kind = "holiday" if day in public else "day_off"
                specs.append(DaySpec(day, kind, 0, known[day]))
            elif day in working_saturdays:
                specs.append(DaySpec(day, "working_weekend", FULL_DAY_HOURS - shortened,
                                     "Рабочий день (перенос)" + (", сокращённый" if shortened else "")))
            elif shortened:
                specs.append(DaySpec(day, "shortened", FULL_DAY_HOURS - 1, "Предпраздничный день"))
            day += timedelta(days=1)
    return specs


@dataclass(frozen=True)
class Schedule:
    """A working day's hours in local time; a shortened day ends `end` minus the shortening."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    lunch_start: time | None = time(13, 0)
    lunch_end: time | None = time(14, 0)


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working time of one region: its time zone, its non-standard days and a working schedule."""

    tz: ZoneInfo
    special_hours: dict[date, int] = field(default_factory=dict)  # date → working hours (0 = day off)
    schedule: Schedule = Schedule()
    # a day's intervals, once computed (intake computes the clock of every item of a batch on one calendar)
    _days: dict[date, list] = field(default_factory=dict, compare=False, repr=False)

    def hours_on(self, day: date) -> int:
        if day in self.special_hours:
            return self.special_hours[day]
        return FULL_DAY_HOURS if day.weekday() < 5 else 0

    def is_working_day(self, day: date) -> bool:
        return self.hours_on(day) > 0

    def days_of(self, year: int) -> Iterator[date]:
        day = date(year, 1, 1)
        while day.year == year:
            yield day
            day += timedelta(days=1)

    def working_days_in_year(self, year: int) -> int:
        return sum(self.is_working_day(day) for day in self.days_of(year))

    def working_hours_in_year(self, year: int) -> int:
        """The norm of working time of a 40-hour week: what the official calendars publish."""
        return sum(self.hours_on(day) for day in self.days_of(year))

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of a day in aware datetimes ([] on a day off). A day shorter than
        the norm loses its last hours (a pre-holiday day ends at 17:00 on the default schedule)."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._day_intervals(day)
        return known

    def _day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        hours = self.hours_on(day)
        if not hours:
            return []
        s = self.schedule
        start, end = _at(day, s.start, self.tz), _at(day, s.end, self.tz)
        lunch = (_at(day, s.lunch_start, self.tz), _at(day, s.lunch_end, self.tz)) if s.lunch_start else None
        # a shortened day (7 h of the norm's 8) ends that much earlier whatever the body's hours are
        end -= timedelta(hours=max(FULL_DAY_HOURS - hours, 0))
        if lunch and lunch[0] < end:
            return [(start, lunch[0]), (lunch[1], max(end, lunch[1]))] if end > lunch[1] else [(start, lunch[0])]
        return [(start, end)]

    def _intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.astimezone(self.tz).date()
        for _ in range(3660):  # ten years of days: a calendar without working days is an error
            for start, end in self.intervals(day):
                if end > moment:
                    yield max(start, moment), end
            day += timedelta(days=1)
        raise ValueError("no working time within ten years")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed since `start`."""
        left = amount
        for begin, end in self._intervals_from(start):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable")

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end)."""
        total = timedelta(0)
        if end <= start:
            return total
        for begin, finish in self._intervals_from(start):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End of the `days`-th working day after the local date of `start` (the day of receipt
        itself is not counted): the deadline of «N рабочих дней»."""
        day = start.astimezone(self.tz).date()
        remaining = days
        while remaining > 0 or not self.is_working_day(day):
            day += timedelta(days=1)
            remaining -= self.is_working_day(day)
        return self.intervals(day)[-1][1]
