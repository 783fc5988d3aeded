"""Reporting periods offered by the analytical pages (heat map, ratings) and the queue's period filter.

A period is counted in the region's days (TIME_ZONE): «30 дней» is from local midnight 29 days ago until
now, so a figure on a page and the queue it leads to (`?received_from=`) count the same appeals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

PERIODS = {"30": "30 дней", "90": "квартал", "365": "год"}


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`, aware."""
    return timezone.make_aware(datetime.combine(day, time.min))


def last_days_start(days: int) -> datetime:
    """The start of the last `days` local days, today included."""
    return day_start(timezone.localdate() - timedelta(days=days - 1))


def period_from_request(request, default: str = "30") -> tuple[str, datetime, datetime]:
    """(key, start, end) of the period chosen with `?days=`; an unknown value falls back to the default."""
    key = request.GET.get("days") if request.GET.get("days") in PERIODS else default
    return key, last_days_start(int(key)), timezone.now()


# --- calendar periods of the ratings (and the documents next): a week, a month, a quarter, a year, a range --

MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь"]
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]
KINDS = {"week": "неделя", "month": "месяц", "quarter": "квартал", "year": "год", "custom": "период"}
CUSTOM_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class CalendarPeriod:
    """A reporting period in the region's days, both ends included."""

    kind: str  # a key of KINDS
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{MONTHS[self.first.month - 1]} {self.first.year}"
        if self.kind == "quarter":
            return f"{'I II III IV'.split()[(self.first.month - 1) // 3]} квартал {self.first.year}"
        if self.kind == "year":
            return f"{self.first.year} год"
        prefix = "неделя " if self.kind == "week" else ""
        return f"{prefix}{self.first:%d.%m.%Y} – {self.last:%d.%m.%Y}"

    @property
    def short_label(self) -> str:
        """For a sparkline's tooltip or a chart's axis."""
        if self.kind == "month":
            return f"{MONTHS[self.first.month - 1][:3]} {self.first:%y}"
        if self.kind == "quarter":
            return f"{(self.first.month - 1) // 3 + 1} кв. {self.first:%y}"
        if self.kind == "year":
            return str(self.first.year)
        return f"{self.first:%d.%m}"

    def shifted(self, steps: int) -> CalendarPeriod:
        """The period of the same kind `steps` periods later (earlier when negative)."""
        if self.kind == "week":
            return CalendarPeriod("week", self.first + timedelta(weeks=steps), self.last + timedelta(weeks=steps))
        if self.kind == "custom":
            shift = timedelta(days=self.days * steps)
            return CalendarPeriod("custom", self.first + shift, self.last + shift)
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = _add_months(self.first, months * steps)
        return CalendarPeriod(self.kind, first, _add_months(first, months) - timedelta(days=1))

    def previous(self) -> CalendarPeriod:
        return self.shifted(-1)

    @classmethod
    def containing(cls, kind: str, day: date) -> CalendarPeriod:
        if kind == "week":
            first = day - timedelta(days=day.weekday())
            return cls("week", first, first + timedelta(days=6))
        months = {"month": 1, "quarter": 3, "year": 12}[kind]
        first = date(day.year, 1 + (day.month - 1) // months * months, 1) if kind != "year" else date(day.year, 1, 1)
        return cls(kind, first, _add_months(first, months) - timedelta(days=1))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class PeriodError(ValueError):
    """A period asked for that cannot be shown; the message is for the user."""


def calendar_period(params, *, today: date | None = None) -> CalendarPeriod:
    """The period asked for with `?period=week|month|quarter|year|custom` and `on=` (a day inside it) or
    `from=` / `to=` (a custom range). By default the month of yesterday: on the 1st the month that just
    ended, the current one from the 2nd. Raises PeriodError for a range that is inverted or too long."""
    today = today or timezone.localdate()
    kind = params.get("period") if params.get("period") in KINDS else "month"
    if kind == "custom":
        try:
            first = date.fromisoformat(params.get("from") or "")
            last = date.fromisoformat(params.get("to") or "")
        except ValueError:
            raise PeriodError("Укажите начало и конец периода датами.") from None
        if first > last:
            raise PeriodError("Начало периода позже его конца.")
        if (last - first).days >= CUSTOM_MAX_DAYS:
            raise PeriodError("Период не длиннее трёх лет.")
        return CalendarPeriod("custom", first, last)
    try:
        day = date.fromisoformat(params.get("on") or "")
    except ValueError:
        day = today - timedelta(days=1)
    return CalendarPeriod.containing(kind, day)


def period_asked(params) -> tuple[CalendarPeriod, str]:
    """The period asked for in a page's parameters, or the default one with the reason it was not taken."""
    try:
        return calendar_period(params), ""
    except PeriodError as error:
        return calendar_period({}), str(error)


def period_navigation(params, period: CalendarPeriod) -> dict:
    """Links to the previous and the next period of the same kind, keeping the page's other parameters
    (the next one only while it has begun)."""
    def link(p: CalendarPeriod) -> str:
        moved = params.copy()
        if p.kind == "custom":
            moved["from"], moved["to"] = p.first.isoformat(), p.last.isoformat()
        else:
            moved["on"] = p.first.isoformat()
        return "?" + moved.urlencode()

    later = period.shifted(1)
    return {"previous_url": link(period.previous()),
            "next_url": link(later) if later.first <= timezone.localdate() else ""}
