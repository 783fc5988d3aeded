"""Reporting periods offered by the analytical pages (heat map, ratings) and the queue's period filter.

A period is counted in the region's days (TIME_ZONE): «30 дней» is from local midnight 29 days ago until
now, so a figure on a page and the queue it leads to (`?received_from=`) count the same appeals."""

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
