"""The figures of the fast-track mechanisms over a period, read from the same appeal facts as the dashboard's
tile (rollups.AppealFact through heatmap/cubes.py), so the page, the tile and the weekly note agree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from cur.models import FastTrack
from cur.periods import CalendarPeriod
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.measures import add, empty_sums
from municipalities.models import Region
from rollups.area_drill import drill


@dataclass
class TrackLine:
    """One mechanism (or the total) over the period."""

    name: str
    handled: int
    late: int
    repeats: int
    urls: dict[str, str] = field(default_factory=dict)  # measure → the queue listing its appeals
    track: FastTrack | None = None

    @property
    def on_time_share(self) -> float | None:
        return round(100 * (self.handled - self.late) / self.handled, 1) if self.handled else None

    @property
    def repeat_share(self) -> float | None:
        return round(100 * self.repeats / self.handled, 1) if self.handled else None


@dataclass
class FastTrackFigures:
    period: CalendarPeriod
    received: int  # every appeal of the period in the reader's scope
    total: TrackLine
    lines: list[TrackLine]

    @property
    def share(self) -> float | None:
        """The share of the period's appeals handled by a fast-track mechanism."""
        return round(100 * self.total.handled / self.received, 1) if self.received else None


def fast_track_figures(user, region: Region, period: CalendarPeriod) -> FastTrackFigures:
    """Per mechanism of the region (those without appeals too): appeals handled in the period, late, reopened;
    the total against every appeal received — inside the reader's scope (heatmap/cubes.py scoped_filters)."""
    filters = scoped_filters(user, region.pk)
    queue = reverse("appeals:list")
    rows = area_sums(Slice(region_id=region.pk, first=period.first, last=period.last, by=("track",),
                           filters=filters))
    by_track = {row["track"]: row for row in rows}
    everything = empty_sums()
    for row in rows:
        add(everything, row)

    def urls(**values) -> dict[str, str]:
        return {counted: f"{queue}?area={drill(counted, period.first, period.last, **values)}"
                for counted in ("fast_track", "fast_track_late", "fast_track_repeats")}

    tracks = (FastTrack.objects.filter(region=region).select_related("agency", "municipality")
              .prefetch_related("subtopics").order_by("-is_active", "name"))
    lines = []
    for track in tracks:
        row = by_track.get(track.pk, empty_sums())
        lines.append(TrackLine(track.name, row["fast_track"], row["fast_track_late"], row["fast_track_repeats"],
                               urls(track=track.pk), track))
    lines.sort(key=lambda line: (-line.handled, line.name))
    total = TrackLine("Все механизмы", everything["fast_track"], everything["fast_track_late"],
                      everything["fast_track_repeats"], urls())
    return FastTrackFigures(period=period, received=everything["received"], total=total, lines=lines)
