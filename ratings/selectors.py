"""Basic performance indicators of responsible bodies over the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q

from appeals.models import OPEN_STATUSES, Appeal, Satisfaction, Status
from cur.models import Agency
from cur.scoping import scope_agencies, scope_appeals

MIN_VOLUME = 20  # below this a body is listed, not ranked (DESIGN.md §6)


@dataclass
class AgencyIndicators:
    agency: Agency
    received: int
    answered: int
    on_time: int
    overdue_open: int
    rated: int
    satisfied: int

    @property
    def timeliness(self) -> float | None:
        """Share answered within the deadline; overdue open items count against it."""
        base = self.answered + self.overdue_open
        return round(100 * self.on_time / base, 1) if base else None

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    @property
    def ranked(self) -> bool:
        return self.received >= MIN_VOLUME


def agency_indicators(*, user, date_from: datetime, date_to: datetime) -> list[AgencyIndicators]:
    """Per agency: received, answered, answered on time, overdue open, rated and satisfied,
    for appeals received in [date_from, date_to); ranked ones first by timeliness."""
    answered_statuses = [Status.CLOSED, Status.ANSWERED]
    rows = (
        scope_appeals(Appeal.objects.all(), user)
        .filter(received_at__gte=date_from, received_at__lt=date_to, agency__isnull=False)
        .values("agency_id").order_by()
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(status__in=answered_statuses)),
            on_time=Count("pk", filter=Q(status__in=answered_statuses, answered_at__lte=F("due_at"))),
            overdue_open=Count("pk", filter=Q(status__in=OPEN_STATUSES, is_overdue=True)),
            rated=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        )
    )
    agencies = scope_agencies(Agency.objects.all(), user).in_bulk([r["agency_id"] for r in rows])
    result = [AgencyIndicators(agencies[r.pop("agency_id")], **r) for r in rows if r["agency_id"] in agencies]
    return sorted(result, key=lambda a: (not a.ranked, -(a.timeliness or 0), -a.received))
