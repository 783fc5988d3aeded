"""Each body's own share of an appeal's time.

The citizen's deadline never moves when an appeal is forwarded, but a body that got the appeal on
day 25 of 30 must not be blamed for the first 24: every turn of a body with an appeal is an
Assignment row, opened when the appeal is assigned, forwarded or returned to it and closed when the
body answers or the appeal moves on. Its working time is counted on the body's own schedule, minus
the time the clock stood still while the citizen was asked for details. What the ratings judge the
turn by is fixed here, where the calendar is at hand: the body's guaranteed share (`min_due_at`), the
deadline of the finished turn and the working time it allowed, the first response and its allowance
(appeals/lifecycle/deadlines.py has the rules). Called only by the services of
appeals/lifecycle/transitions.py, inside their transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from appeals.lifecycle import deadlines
from appeals.models import AppealEvent, Assignment
from cur.selectors import working_calendar
from cur.workcalendar import WorkingCalendar


def assignment_open(*, appeal, agency, at: datetime, guaranteed_share: bool = True) -> Assignment:
    """Start `agency`'s turn; a turn still open (another body's) is closed as withdrawn first.
    `guaranteed_share` — False when the same body gets its own answer back for rework: the lost time
    is its own."""
    assignment_close(appeal=appeal, at=at, outcome=Assignment.Outcome.WITHDRAWN)
    min_due = None
    if guaranteed_share:
        min_due = deadlines.turn_min_due(calendar=working_calendar(region=appeal.region, agency=agency), start=at)
    return Assignment.objects.create(appeal=appeal, region_id=appeal.region_id, agency=agency, started_at=at,
                                     min_due_at=min_due)


def _current(appeal) -> Assignment | None:
    return (Assignment.objects.select_for_update().select_related("agency", "region")
            .filter(appeal=appeal, ended_at__isnull=True).first())


def assignment_close(*, appeal, at: datetime, outcome: str) -> Assignment | None:
    """End the open turn, if any: its working time, the deadline it is judged by and the time that allowed."""
    current = _current(appeal)
    if current is None:
        return None
    calendar = working_calendar(region=current.region, agency=current.agency)
    current.ended_at = max(at, current.started_at)
    current.outcome = outcome
    current.due_at = deadlines.turn_due(appeal, started_at=current.started_at, min_due_at=current.min_due_at,
                                        forwarded=outcome == Assignment.Outcome.FORWARDED, calendar=calendar)
    pauses = _pauses(current.appeal_id, current.started_at, max(current.ended_at, current.due_at or current.ended_at))
    current.working_seconds = _seconds(_net(calendar, pauses, current.started_at, current.ended_at))
    if current.due_at is not None:
        current.allowed_seconds = _seconds(_net(calendar, pauses, current.started_at, current.due_at))
    current.save(update_fields=["ended_at", "outcome", "working_seconds", "due_at", "allowed_seconds"])
    return current


def assignment_first_response(*, appeal, at: datetime) -> Assignment | None:
    """The body's first answer (interim or final) inside its open turn: when, after how much working time,
    and how much the first-response rule allowed (none for a 59-ФЗ appeal)."""
    current = _current(appeal)
    if current is None or current.first_response_at is not None:
        return current
    calendar = working_calendar(region=current.region, agency=current.agency)
    moment = max(at, current.started_at)
    due = deadlines.turn_first_response_due(appeal, start=current.started_at, calendar=calendar)
    pauses = _pauses(current.appeal_id, current.started_at, moment)
    current.first_response_at = moment
    current.first_response_seconds = _seconds(_net(calendar, pauses, current.started_at, moment))
    # the rule's own working time: unlike the answer's deadline, the first response's does not move with a pause
    current.first_allowed_seconds = _seconds(calendar.working_time_between(current.started_at, due)) if due else None
    current.save(update_fields=["first_response_at", "first_response_seconds", "first_allowed_seconds"])
    return current


def _net(calendar: WorkingCalendar, pauses: list[tuple[datetime, datetime]], start: datetime,
         end: datetime) -> timedelta:
    """Working time inside [start, end) less the pauses that overlap it."""
    total = calendar.working_time_between(start, end)
    for paused, resumed in pauses:
        if paused < end and resumed > start:
            total -= calendar.working_time_between(max(paused, start), min(resumed, end))
    return max(total, timedelta(0))


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def _pauses(appeal_id: int, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The [asked, answered) intervals of clarification requests overlapping [start, end)."""
    kinds = (AppealEvent.Kind.CLARIFICATION_REQUESTED, AppealEvent.Kind.CLARIFICATION_RECEIVED)
    events = AppealEvent.objects.filter(appeal_id=appeal_id, kind__in=kinds, at__lt=end).order_by("at", "pk")
    pauses, asked = [], None
    for kind, at in events.values_list("kind", "at"):
        if kind == AppealEvent.Kind.CLARIFICATION_REQUESTED:
            asked = asked or at
        elif asked is not None:
            pauses.append((asked, at))
            asked = None
    if asked is not None:
        pauses.append((asked, end))
    return [(a, b) for a, b in pauses if b > start]
