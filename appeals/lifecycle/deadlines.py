"""The SLA clock: which deadline rule applies to an appeal and when its deadlines fall.

Rules are SlaPolicy rows (cur/models.py); time is the region's production calendar with the
working schedule (cur/workcalendar.py). Plain functions: the services of appeals/lifecycle.py
call them and store the results on the appeal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from cur.models import SlaPolicy
from cur.workcalendar import WorkingCalendar

Unit = SlaPolicy.Unit


def policy_for(*, appeal, target: str) -> SlaPolicy | None:
    """The most specific active rule for this appeal and target, or None when no rule applies."""
    candidates = SlaPolicy.objects.filter(
        Q(channel="") | Q(channel=appeal.channel),
        Q(region__isnull=True) | Q(region_id=appeal.region_id),
        Q(sector__isnull=True) | Q(sector_id=appeal.sector_id),
        Q(subtopic__isnull=True) | Q(subtopic_id=appeal.subtopic_id),
        Q(importance="") | Q(importance=appeal.importance),
        is_active=True, kind=appeal.kind, target=target,
    )
    return max(candidates, key=lambda policy: policy.specificity, default=None)


def deadline(*, calendar: WorkingCalendar, start: datetime, unit: str, amount: int) -> datetime:
    """When `amount` `unit`s counted from `start` run out.

    - calendar days: the end of the working day on the date `amount` days later; a date that falls
      on a day off moves to the next working day (ст. 193 ГК РФ);
    - working days: the end of the `amount`-th working day after the day of `start`;
    - working hours: `amount` hours of working time after `start` (schedule, lunch, holidays).
    """
    if unit == Unit.WORKING_HOURS:
        return calendar.add_working_time(start, timedelta(hours=amount))
    if unit == Unit.WORKING_DAYS:
        return calendar.add_working_days(start, amount)
    day = start.astimezone(calendar.tz).date() + timedelta(days=amount)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return calendar.intervals(day)[-1][1]


def warning_moment(*, calendar: WorkingCalendar, start: datetime, due: datetime, percent: int) -> datetime:
    """The moment `percent` % of the working time between `start` and `due` has passed."""
    allowed = calendar.working_time_between(start, due)
    if not allowed:
        return due
    return calendar.add_working_time(start, allowed * percent / 100)


def resume(*, calendar: WorkingCalendar, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """The deadline after the clock stood still in [paused_at, resumed_at): later by exactly the
    working time that passed during the pause (the citizen was being asked for details)."""
    remaining = calendar.working_time_between(paused_at, due)
    if not remaining:  # already overdue when the clock stopped: the deadline stays where it was
        return due
    return calendar.add_working_time(resumed_at, remaining)


@dataclass(frozen=True)
class Clock:
    """The deadline clock of the card: working time allowed, used and left (negative when overdue)."""

    allowed: timedelta
    used: timedelta
    left: timedelta
    percent_used: int
    stopped: bool


def clock(*, calendar: WorkingCalendar, start: datetime, due: datetime, now: datetime,
          paused_at: datetime | None = None) -> Clock:
    """How much of the working time between `start` and `due` has gone by `now` (or by the moment
    the clock was stopped for a clarification). Past the deadline `left` is minus the overrun."""
    moment = paused_at or now
    allowed = calendar.working_time_between(start, due)
    if moment <= due:
        left = calendar.working_time_between(moment, due)
    else:
        left = -calendar.working_time_between(due, moment)
    used = allowed - left
    percent = 100 if not allowed else round(100 * used / allowed)
    return Clock(allowed=allowed, used=used, left=left, percent_used=max(0, percent), stopped=paused_at is not None)


def working_duration(value: timedelta) -> str:
    """«3 раб. дн. 2 ч», «5 ч 30 мин» — a span of working time in 8-hour working days."""
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 8 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} раб. дн." if days else "", f"{hours} ч" if hours else "",
             f"{minutes} мин" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0 мин"
