"""Reading conflict situations inside the user's scope, and one situation's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse

from cur.scoping import scope_of
from heatmap.conflicts.detection import YEAR
from heatmap.cubes import Slice, area_sums
from heatmap.models import Situation
from rollups.area_drill import drill

WEEKS_SHOWN = 16


def situations_visible(user) -> QuerySet[Situation]:
    """The situations of the user's territory — the rule of scope_appeals: a МЦУ its municipality, a sector
    head their sectors; an executor none (a situation is the centres' work)."""
    scope = scope_of(user)
    qs = Situation.objects.select_related("municipality", "subtopic", "sector")
    if scope.everything:
        return qs
    if scope.nothing or scope.agency_id:
        return qs.none()
    qs = qs.filter(region_id=scope.region_id)
    if scope.municipality_id:
        qs = qs.filter(municipality_id=scope.municipality_id)
    if scope.sector_ids is not None:
        qs = qs.filter(sector_id__in=scope.sector_ids)
    return qs


def open_situations(user, limit: int = 5) -> list[Situation]:
    return list(situations_visible(user).filter(status__in=Situation.OPEN).order_by("-week", "-count")[:limit])


@dataclass
class Evidence:
    weeks: list  # Mondays shown
    counts: list[int]
    year_ago: list[int | None]
    appeals_url: str  # the queue: the cell's appeals of the week
    baseline_url: str  # the queue: the cell's appeals of the baseline weeks


def evidence(situation: Situation) -> Evidence:
    """The cell's weekly counts before and in the week (and a year earlier), from the rollups."""
    first = situation.week - timedelta(weeks=WEEKS_SHOWN - 1)
    last = situation.week + timedelta(days=6)
    cell = {"municipality": (situation.municipality_id,), "subtopic": (situation.subtopic_id,)}

    def weekly(start, end) -> dict:
        return {row["slot"]: row["received"] for row in area_sums(
            Slice(region_id=situation.region_id, first=start, last=end, slot="week", filters=cell))}

    now = weekly(first, last)
    ago = weekly(first - timedelta(weeks=YEAR), last - timedelta(weeks=YEAR))
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    queue = reverse("appeals:list")
    values = {"municipality": situation.municipality_id, "subtopic": situation.subtopic_id}
    return Evidence(
        weeks=weeks, counts=[now.get(w, 0) for w in weeks],
        year_ago=[ago.get(w - timedelta(weeks=YEAR)) for w in weeks],
        appeals_url=f"{queue}?area={drill('received', situation.week, last, **values)}",
        baseline_url=f"{queue}?area={drill('received', first, situation.week - timedelta(days=1), **values)}",
    )
