"""Reads of the organisation's reference data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cur.models import CalendarDay
from cur.workcalendar import Schedule, WorkingCalendar


def working_calendar(*, region, agency=None) -> WorkingCalendar:
    """The region's production calendar in the region's time zone, on the working schedule of
    `agency` (its own hours and lunch) or the default one (Mon–Fri 09:00–18:00, lunch 13–14)."""
    special = dict(CalendarDay.objects.filter(region=region).values_list("date", "working_hours"))
    return WorkingCalendar(tz=ZoneInfo(region.timezone), special_hours=special, schedule=agency_schedule(agency))


def agency_schedule(agency) -> Schedule:
    if agency is None:
        return Schedule()
    return Schedule(start=agency.work_starts, end=agency.work_ends,
                    lunch_start=agency.lunch_starts, lunch_end=agency.lunch_ends)
