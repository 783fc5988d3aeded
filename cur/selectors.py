"""Reads of the organisation's reference data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cur.models import CalendarDay
from cur.workcalendar import WorkingCalendar


def working_calendar(*, region) -> WorkingCalendar:
    """The region's production calendar with the default schedule, in the region's time zone."""
    special = dict(CalendarDay.objects.filter(region=region).values_list("date", "working_hours"))
    return WorkingCalendar(tz=ZoneInfo(region.timezone), special_hours=special)
