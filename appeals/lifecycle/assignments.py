"""Each body's own share of an appeal's time.

The citizen's deadline never moves when an appeal is forwarded, but a body that got the appeal on
day 25 of 30 must not be blamed for the first 24: every turn of a body with an appeal is an
Assignment row, opened when the appeal is assigned, forwarded or returned to it and closed when the
body answers or the appeal moves on. Its working time is counted on the body's own schedule, minus
the time the clock stood still while the citizen was asked for details. Called only by the
services of appeals/lifecycle.py, inside their transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from appeals.models import AppealEvent, Assignment
from cur.selectors import working_calendar


def assignment_open(*, appeal, agency, at: datetime) -> Assignment:
    """Start `agency`'s turn; a turn still open (another body's) is closed as withdrawn first."""
    assignment_close(appeal=appeal, at=at, outcome=Assignment.Outcome.WITHDRAWN)
    return Assignment.objects.create(appeal=appeal, region_id=appeal.region_id, agency=agency, started_at=at)


def assignment_close(*, appeal, at: datetime, outcome: str) -> Assignment | None:
    """End the open turn, if any, and store its working time."""
    current = (Assignment.objects.select_for_update().select_related("agency", "region")
               .filter(appeal=appeal, ended_at__isnull=True).first())
    if current is None:
        return None
    current.ended_at = max(at, current.started_at)
    current.outcome = outcome
    current.working_seconds = int(assignment_working_time(current).total_seconds())
    current.save(update_fields=["ended_at", "outcome", "working_seconds"])
    return current


def assignment_working_time(assignment: Assignment) -> timedelta:
    """Working time of the body's turn on its schedule, without the clarification pauses inside it."""
    calendar = working_calendar(region=assignment.region, agency=assignment.agency)
    start, end = assignment.started_at, assignment.ended_at
    total = calendar.working_time_between(start, end)
    for paused, resumed in _pauses(assignment.appeal_id, start, end):
        total -= calendar.working_time_between(max(paused, start), min(resumed, end))
    return max(total, timedelta(0))


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
