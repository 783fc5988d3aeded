"""The production calendar and working-time arithmetic (issue 4, SLA foundations)."""

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from cur.models import CalendarDay
from cur.selectors import working_calendar
from cur.services import calendar_load
from cur.workcalendar import WorkingCalendar, official_days
from municipalities.models import Region

SAMARA = ZoneInfo("Europe/Samara")
# Built once from the rules, without the database, for the property tests.
CALENDAR = WorkingCalendar(tz=SAMARA, special_hours={d.date: d.working_hours for d in official_days(range(2020, 2028))})


@pytest.mark.parametrize(("year", "days", "hours"), [
    (2020, 248, 1979), (2021, 247, 1972), (2022, 247, 1973),
    (2023, 247, 1973), (2024, 248, 1979), (2025, 247, 1972), (2026, 247, 1972),
])
def test_working_days_and_hours_match_the_official_calendars(year, days, hours):
    assert CALENDAR.working_days_in_year(year) == days
    assert CALENDAR.working_hours_in_year(year) == hours


@pytest.mark.parametrize("day", [date(2024, 4, 27), date(2024, 11, 2), date(2024, 12, 28), date(2025, 11, 1)])
def test_transferred_saturdays_are_working_days(day):
    assert day.weekday() == 5 and CALENDAR.is_working_day(day)


@pytest.mark.parametrize("day", [date(2024, 4, 29), date(2024, 4, 30), date(2024, 12, 31), date(2025, 5, 8),
                                 date(2024, 5, 9), date(2026, 1, 8)])
def test_holidays_and_transferred_days_off_are_days_off(day):
    assert not CALENDAR.is_working_day(day)


def test_pre_holiday_days_are_one_hour_shorter():
    shortened_2024 = {d for d in CALENDAR.days_of(2024) if CALENDAR.hours_on(d) == 7}
    assert shortened_2024 == {date(2024, 2, 22), date(2024, 3, 7), date(2024, 5, 8), date(2024, 6, 11),
                              date(2024, 11, 2)}
    shortened_2025 = {d for d in CALENDAR.days_of(2025) if CALENDAR.hours_on(d) == 7}
    assert shortened_2025 == {date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2025, 11, 1)}
    # the working day ends at 17:00 instead of 18:00
    assert CALENDAR.intervals(date(2024, 3, 7))[-1][1] == datetime(2024, 3, 7, 17, tzinfo=SAMARA)


def test_a_working_day_has_a_lunch_break():
    intervals = CALENDAR.intervals(date(2024, 3, 12))
    assert [(a.time(), b.time()) for a, b in intervals] == [(time(9), time(13)), (time(14), time(18))]


@pytest.mark.django_db
def test_the_calendar_is_stored_per_region_and_an_administrators_correction_survives_a_reload():
    samara = Region.objects.get(code="samara")
    assert working_calendar(region=samara).working_days_in_year(2024) == 248
    # an emergency decree: 2024-03-12 declared a day off in the region
    CalendarDay.objects.create(region=samara, date=date(2024, 3, 12), kind=CalendarDay.Kind.DAY_OFF,
                               working_hours=0, name="Указ губернатора", source=CalendarDay.Source.MANUAL)
    result = calendar_load(region=samara, years=[2024])
    assert result["kept_manual"] == 1
    assert working_calendar(region=samara).working_days_in_year(2024) == 247
    chuvashia = Region.objects.get(code="chuvashia")
    assert working_calendar(region=chuvashia).working_days_in_year(2024) == 248
    assert working_calendar(region=chuvashia).tz == ZoneInfo("Europe/Moscow")


@pytest.mark.django_db
def test_the_calendar_command_prints_the_year():
    out = StringIO()
    call_command("calendar", year=2024, stdout=out)
    text = out.getvalue()
    assert "Рабочих дней: 248" in text
    assert "27.04.2024" in text and "02.11.2024" in text and "1979 ч" in text


# --- properties -----------------------------------------------------------------------------------
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 12, 1),
                       timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(hours=200))


@settings(max_examples=300, deadline=None)
@given(start=moments, days=st.integers(min_value=0, max_value=40))
def test_a_working_day_deadline_never_lands_on_a_day_off(start, days):
    deadline = CALENDAR.add_working_days(start, days)
    local = deadline.astimezone(SAMARA)
    assert CALENDAR.is_working_day(local.date())
    assert deadline > start or days == 0
    assert local.time() in (time(18), time(17))  # the end of that working day


@settings(max_examples=300, deadline=None)
@given(start=moments, amount=durations)
def test_working_hours_respect_schedule_lunch_and_time_zone(start, amount):
    deadline = CALENDAR.add_working_time(start, amount)
    local = deadline.astimezone(SAMARA)
    day_intervals = CALENDAR.intervals(local.date())
    assert any(a < deadline <= b for a, b in day_intervals), local  # inside working time, never in lunch
    assert CALENDAR.working_time_between(start, deadline) == amount


@settings(max_examples=200, deadline=None)
@given(start=moments, amount=durations, pause_at=durations, pause_for=durations)
def test_a_pause_extends_the_deadline_by_exactly_the_paused_working_time(start, amount, pause_at, pause_for):
    pause_start = start + pause_at
    pause_end = pause_start + pause_for
    paused = CALENDAR.working_time_between(pause_start, pause_end)
    deadline = CALENDAR.add_working_time(start, amount)
    if pause_start >= deadline:
        return  # a pause after the deadline does not move it
    extended = CALENDAR.add_working_time(start, amount + paused)
    worked = CALENDAR.working_time_between(start, extended) - paused
    assert worked == amount
    assert extended >= deadline
