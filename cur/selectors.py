"""Reads of the organisation's reference data."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cur.models import CalendarDay, FastTrack
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


@dataclass(frozen=True)
class FastTrackRule:
    """A fast-track mechanism as plain numbers, for choosing over a batch of appeals (structuring)."""

    id: int
    municipality_id: int | None
    subtopic_ids: frozenset[int]
    agency_id: int
    deadline_days: int


def fast_track_rules(*, region_id: int) -> list[FastTrackRule]:
    """The region's active fast-track mechanisms with their subtopics (two queries)."""
    rules = list(FastTrack.objects.filter(region_id=region_id, is_active=True, agency__is_active=True)
                 .values_list("id", "municipality_id", "agency_id", "deadline_days"))
    subtopics: dict[int, set[int]] = {}
    for rule_id, subtopic_id in FastTrack.subtopics.through.objects.filter(
            fasttrack_id__in=[r[0] for r in rules]).values_list("fasttrack_id", "subtopic_id"):
        subtopics.setdefault(rule_id, set()).add(subtopic_id)
    return [FastTrackRule(id=i, municipality_id=m, subtopic_ids=frozenset(subtopics.get(i, ())), agency_id=a,
                          deadline_days=d) for i, m, a, d in rules]


def fast_track_choose(rules: list[FastTrackRule], *, municipality_id: int | None,
                      subtopic_id: int | None) -> FastTrackRule | None:
    """The mechanism an appeal of this subtopic and municipality is handled by: a municipality's own over a
    region-wide one, then the shorter deadline, then the older rule; None when none covers it."""
    if subtopic_id is None:
        return None
    matching = [r for r in rules if subtopic_id in r.subtopic_ids and r.municipality_id in (None, municipality_id)]
    return min(matching, key=lambda r: (r.municipality_id is None, r.deadline_days, r.id), default=None)
