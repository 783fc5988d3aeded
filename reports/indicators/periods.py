"""Reporting periods of the indicator reports and their due dates in the region's production calendar:
a quarter's report by the 5th of the month after the quarter, the year's by 20 December (decree 530, п. 2.4).
A due date that falls on a day off moves to the next working day (ст. 193 ГК РФ), by the region's own calendar."""

from __future__ import annotations

from datetime import date, timedelta

from cur.selectors import working_calendar


def quarter_bounds(day: date) -> tuple[date, date]:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def period_bounds(kind: str, first: date) -> tuple[date, date]:
    """The period of `kind` ("quarter" or "year") that contains `first`."""
    if kind == "year":
        return date(first.year, 1, 1), date(first.year, 12, 31)
    return quarter_bounds(first)


def nominal_due(kind: str, first: date) -> date:
    """The date the decree names: the 5th of the month after the quarter, or 20 December of the year."""
    if kind == "year":
        return date(first.year, 12, 20)
    _, last = quarter_bounds(first)
    return last + timedelta(days=5)


def due_date(*, region, kind: str, first: date) -> date:
    calendar = working_calendar(region=region)
    day = nominal_due(kind, first)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def periods_in_question(today: date) -> list[tuple[str, date]]:
    """The reports the МЦУ owe around `today`: the quarter that ended last, and the year whose 20 December is the
    nearest behind or ahead (this year's from December on, last year's before)."""
    this_quarter, _ = quarter_bounds(today)
    last_quarter, _ = quarter_bounds(this_quarter - timedelta(days=1))
    year = today.year if today.month == 12 else today.year - 1
    return [("quarter", last_quarter), ("year", date(year, 1, 1))]


def periods_back(today: date, count: int = 6) -> list[tuple[str, date]]:
    """The years and the last `count` finished quarters, newest first (the pages' choice of period)."""
    out, first = [], quarter_bounds(today)[0]
    for _ in range(count):
        first = quarter_bounds(first - timedelta(days=1))[0]
        out.append(("quarter", first))
    years = sorted({f.year for _, f in out} | {today.year}, reverse=True)
    return [("year", date(y, 1, 1)) for y in years] + out


def period_words(kind: str, first: date) -> str:
    if kind == "year":
        return f"{first.year} год"
    return f"{'I II III IV'.split()[(first.month - 1) // 3]} квартал {first.year}"
