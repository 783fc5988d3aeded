"""Reads of the roadmaps: which a user may open (cur.scoping.scope_centres: a МЦУ its own), and the effect —
the appeals of the roadmap's topic and territory per month before and after its opening, from the area rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from cur.models import Centre
from cur.periods import MONTHS, CalendarPeriod
from cur.scoping import scope_centres
from heatmap.cubes import Slice, area_sums
from reports.models import Roadmap, RoadmapMeasure
from rollups.area_drill import drill

MONTHS_BEFORE = 12


def roadmaps_visible(user) -> QuerySet[Roadmap]:
    return (Roadmap.objects.filter(centre__in=scope_centres(Centre.objects.all(), user))
            .select_related("centre", "municipality", "sector", "subtopic", "agency", "curator")
            .annotate(measures_total=Count("measures"),
                      measures_done=Count("measures", filter=Q(measures__status=RoadmapMeasure.Status.DONE))))


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Effect:
    months: list[date]
    counts: list[int]
    opened: date
    before_mean: float | None  # appeals per month in the whole months before the opening
    after_mean: float | None  # … in the whole months after it (the running month left out)
    url_before: str
    url_after: str

    @property
    def labels(self) -> list[str]:
        return [f"{MONTHS[m.month - 1][:3]} {m:%y}" for m in self.months]

    @property
    def change_pct(self) -> float | None:
        if not self.before_mean or self.after_mean is None:
            return None
        return round(100 * (self.after_mean - self.before_mean) / self.before_mean, 1)


def roadmap_effect(roadmap: Roadmap, *, today: date | None = None) -> Effect:
    """Per month from MONTHS_BEFORE months before the opening to now: the roadmap's topic in its municipality."""
    today = today or timezone.localdate()
    first = _month_start(roadmap.opened_on, MONTHS_BEFORE)
    filters = {"municipality": (roadmap.municipality_id,)} | (
        {"subtopic": (roadmap.subtopic_id,)} if roadmap.subtopic_id else {"sector": (roadmap.sector_id,)})
    rows = {row["slot"]: row["received"] for row in area_sums(Slice(
        region_id=roadmap.region_id, first=first, last=today, slot="month", filters=filters))}
    months, month = [], first
    while month <= today:
        months.append(month)
        month = _month_start(month, -1)
    counts = [rows.get(m, 0) for m in months]
    opened_month = _month_start(roadmap.opened_on)
    before = [c for m, c in zip(months, counts, strict=True) if m < opened_month]
    after = [c for m, c in zip(months, counts, strict=True) if opened_month < m < _month_start(today)]
    queue = reverse("appeals:list")
    values = {"municipality": roadmap.municipality_id} | (
        {"subtopic": roadmap.subtopic_id} if roadmap.subtopic_id else {"sector": roadmap.sector_id})
    return Effect(
        months=months, counts=counts, opened=roadmap.opened_on,
        before_mean=round(sum(before) / len(before), 1) if before else None,
        after_mean=round(sum(after) / len(after), 1) if after else None,
        url_before=f"{queue}?area={drill('received', first, opened_month - timedelta(days=1), **values)}",
        url_after=f"{queue}?area={drill('received', roadmap.opened_on, today, **values)}",
    )


def roadmaps_of_week(reader, period: CalendarPeriod) -> list[dict]:
    """For the weekly note: the open roadmaps the centre reads, their progress and the measures past their date."""
    rows = []
    for roadmap in roadmaps_visible(reader).filter(status__in=(Roadmap.Status.DRAFT, Roadmap.Status.APPROVED)):
        missed = list(roadmap.measures.filter(status__in=(RoadmapMeasure.Status.PLANNED,
                                                          RoadmapMeasure.Status.IN_PROGRESS),
                                              planned_date__lt=period.last).values_list("number", "planned_date"))
        rows.append({"name": roadmap.title, "status": roadmap.get_status_display(),
                     "territory": roadmap.municipality.name, "done": roadmap.measures_done,
                     "total": roadmap.measures_total,
                     "missed": [f"№ {n} (срок {d:%d.%m.%Y})" for n, d in missed],
                     "url": roadmap.get_absolute_url()})
    return rows
