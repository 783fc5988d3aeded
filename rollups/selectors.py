"""Reading the rollups: sums of the measures per body (or per municipality of the bodies) and per slot of
time, from the month table when the range is whole months and from the day table otherwise — a page reads
a few hundred or thousand rows, never the appeals. And the drill-down: the appeals a figure counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet

from rollups.models import SPEED_BUCKETS, AgencyPeriod, TurnFact

# How the rows of one range are split into slots: one slot, or the series' periods by their first day.
SLOTS = {
    "all": None,
    "week": "date_trunc('week', {col})::date",
    "month": "{col}",
    "quarter": "date_trunc('quarter', {col})::date",
    "year": "date_trunc('year', {col})::date",
}


@dataclass(frozen=True)
class Range:
    first: date
    last: date

    @property
    def whole_months(self) -> bool:
        after_last = date.fromordinal(self.last.toordinal() + 1)
        return self.first.day == 1 and after_last.day == 1


def sums_by(*, region_id: int, rng: Range, by: str = "agency", agency_ids: list[int] | None = None,
            slot: str = "all", origin: date | None = None, length: int | None = None) -> list[dict]:
    """Rows of {key, slot, the counts, the two histograms} summed over `rng`:
    - by "agency" (the body) or "municipality" (every body of a municipality's territory);
    - `slot` "all" (one row per key), a calendar unit ("week", "month", "quarter", "year": the slot is its
      first day), or "span" — consecutive spans of `length` days from `origin` (custom periods).
    """
    table = "rollups_agencymonth" if rng.whole_months and slot != "week" and slot != "span" else "rollups_agencyday"
    col = "month" if table == "rollups_agencymonth" else "day"
    params: dict = {"region": region_id, "first": rng.first, "last": rng.last, "ids": agency_ids,
                    "origin": origin, "length": length}
    if slot == "span":
        slot_sql = f"(({col} - %(origin)s::date) / %(length)s)"
    else:
        slot_sql = SLOTS[slot].format(col=col) if SLOTS[slot] else "NULL::date"
    key_sql = "g.municipality_id" if by == "municipality" else "t.agency_id"
    join = "JOIN cur_agency g ON g.id = t.agency_id" if by == "municipality" else ""
    where = "AND g.municipality_id IS NOT NULL" if by == "municipality" else ""
    if agency_ids is not None:
        where += " AND t.agency_id = ANY(%(ids)s)"
    counts = ", ".join(f"sum(t.{c})::int AS {c}" for c in AgencyPeriod.COUNTS)
    histograms = ", ".join(
        f"ARRAY[{', '.join(f'sum(t.{h}[{i}])' for i in range(1, SPEED_BUCKETS + 1))}]::int[] AS {h}"
        for h in AgencyPeriod.HISTOGRAMS)
    query = f"""
        SELECT {key_sql} AS key, {slot_sql} AS slot, {counts}, {histograms}
        FROM {table} t {join}
        WHERE t.region_id = %(region)s AND t.{col} BETWEEN %(first)s AND %(last)s {where}
        GROUP BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- the drill-down: which appeals a figure counted -----------------------------------------------------------

# measure → (its words, the day it falls on, the condition on the fact)
MEASURES: dict[str, tuple[str, str, Q]] = {
    "received": ("поступило", "start_day", Q(is_rework=False)),
    "repeats": ("повторное рассмотрение", "start_day", Q(is_repeat=True)),
    "on_time": ("ответ или переадресация в срок", "decision_day", Q(is_late=False)),
    "late": ("с нарушением срока", "decision_day", Q(is_late=True)),
    "answered": ("дан ответ", "end_day", Q(outcome="answered")),
    "quality_bad": ("ответ возвращён или с замечаниями", "end_day", Q(quality_ok=False)),
    "complete_bad": ("ответ не по существу или без ответа", "end_day", Q(complete_ok=False)),
    "rated": ("есть оценка гражданина", "rated_day", Q(satisfied__isnull=False)),
    "satisfied": ("гражданин удовлетворён", "rated_day", Q(satisfied=True)),
    "not_satisfied": ("гражданин не удовлетворён", "rated_day", Q(satisfied=False)),
    "fast_track": ("по механизму ускоренного решения", "start_day", Q(is_fast_track=True, is_rework=False)),
    "fast_track_on_time": ("ускоренное решение в срок", "decision_day", Q(is_fast_track=True, is_late=False)),
    "fast_track_late": ("ускоренное решение с нарушением срока", "decision_day", Q(is_fast_track=True, is_late=True)),
}


@dataclass(frozen=True)
class Drill:
    """A figure of a rating as the queue's filter: `measure` of a body (`agency`) or of the bodies of a
    municipality, over [first, last]. Written in a URL as «late.a12.2026-11-01.2026-11-30» (m for a
    municipality)."""

    measure: str
    level: str  # "a" a body, "m" a municipality's bodies
    key: int
    first: date
    last: date

    def __str__(self) -> str:
        return f"{self.measure}.{self.level}{self.key}.{self.first.isoformat()}.{self.last.isoformat()}"

    @classmethod
    def parse(cls, value: str) -> Drill | None:
        try:
            measure, target, first, last = value.split(".")
            drill = cls(measure, target[0], int(target[1:]), date.fromisoformat(first), date.fromisoformat(last))
        except (ValueError, IndexError):
            return None
        return drill if drill.measure in MEASURES and drill.level in "am" and drill.first <= drill.last else None

    @property
    def label(self) -> str:
        return MEASURES[self.measure][0]


def drill_facts(drill: Drill) -> QuerySet[TurnFact]:
    _, day, condition = MEASURES[drill.measure]
    facts = TurnFact.objects.filter(condition, **{f"{day}__range": (drill.first, drill.last)})
    if drill.level == "a":
        return facts.filter(agency_id=drill.key)
    return facts.filter(agency__municipality_id=drill.key)


def drill_appeals(queryset: QuerySet, drill: Drill) -> QuerySet:
    """The appeals (of an already scoped queryset) that the figure counted."""
    return queryset.filter(pk__in=drill_facts(drill).values("appeal_id"))
