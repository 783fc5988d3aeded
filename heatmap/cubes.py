"""Reading the area rollups (rollups/areas.py): the sums of any slice of the appeals — grouped by any of the
dimensions, filtered by any, over a period, split into days, weeks or months — from the smallest table that
keeps every dimension asked for, and from the appeals' facts only when none does. The heat map, the
dashboard, the slices, the documents and the API all read through `area_sums`, so a figure is the same
everywhere, and the user's scope is one more filter that no caller can leave out (`scoped_filters`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db import connection

from appeals.models import Status
from cur.periods import CalendarPeriod
from cur.scoping import scope_of
from cur.vocabulary import Channel, Kind
from rollups.areas import CUBES, DIMENSIONS, Cube
from rollups.models import ANSWER_DAYS, FIRST_HOURS, AreaPeriod

FACTS = "rollups_appealfact"
# the facts' expression of each count (a sum table has the column itself)
FACT_COUNTS = {
    "received": "count(*)", "open": "count(*) FILTER (WHERE is_open)",
    "answered": "count(*) FILTER (WHERE is_answered)",
    "late": "count(*) FILTER (WHERE is_late)", "rated": "count(satisfied)",
    "satisfied": "count(*) FILTER (WHERE satisfied)", "repeats": "count(*) FILTER (WHERE is_repeat)",
    "fast_track": "count(fast_track_id)",
    "fast_track_late": "count(fast_track_id) FILTER (WHERE is_late)",
    "fast_track_repeats": "count(fast_track_id) FILTER (WHERE is_repeat)",
}
assert tuple(FACT_COUNTS) == AreaPeriod.COUNTS
HISTOGRAM_BUCKETS = {"answer_days": ANSWER_DAYS, "first_hours": FIRST_HOURS}
SLOTS = ("day", "week", "month")
SPLITS = {"day": {None, "day", "week", "month"}, "week": {None, "week"}, "month": {None, "month"}}


class Nothing(Exception):
    """The user sees no appeals at all (no membership)."""


@dataclass(frozen=True)
class Slice:
    """What to sum: over [first, last] (local days), grouped by `by` (keys of DIMENSIONS), split into `slot`
    («day», «week», «month» or None), keeping only the rows whose dimensions are in `filters`
    (dimension → allowed values). `histograms` adds the answer-time and first-response buckets (medians)."""

    region_id: int
    first: date
    last: date
    by: tuple[str, ...] = ()
    filters: dict[str, tuple] = field(default_factory=dict)
    slot: str | None = None
    histograms: bool = False

    @property
    def columns(self) -> set[str]:
        return {DIMENSIONS[d] for d in (*self.by, *self.filters)}


def _whole(first: date, last: date, slot: str) -> bool:
    """Whether [first, last] is whole weeks (Monday … Sunday) or whole months."""
    after = last + timedelta(days=1)
    if slot == "week":
        return first.weekday() == 0 and after.weekday() == 0
    return first.day == 1 and after.day == 1


def table_for(query: Slice) -> Cube | None:
    """The smallest sum table that answers the slice: months for whole months, weeks for whole weeks, days
    otherwise — if it keeps every dimension asked for; None: only the facts do."""
    candidates = []
    for cube in reversed(CUBES):  # fewest rows first (rollups/areas.py orders them)
        if cube.slot != "day" and not _whole(query.first, query.last, cube.slot):
            continue
        if query.slot not in SPLITS[cube.slot]:
            continue  # weeks straddle months: only days split into either
        if query.columns <= set(cube.dims):
            candidates.append(cube)
    return candidates[0] if candidates else None


def _slot_sql(slot: str | None, column: str) -> str:
    if slot is None:
        return "NULL::date"
    return column if slot == "day" else f"date_trunc('{slot}', {column})::date"


def area_sums(query: Slice) -> list[dict]:
    """Rows of {each dimension of `by`, "slot", the counts, and the histograms if asked}. A range that is not
    whole months is read as its whole months from a month table and its edge days from the day table (a
    custom range of a year reads twelve months and a few days, not 365 days)."""
    pieces = _pieces(query)
    if len(pieces) == 1:
        return _sums(query)
    merged: dict[tuple, dict] = {}
    for piece in pieces:
        for row in _sums(piece):
            key = (row["slot"], *(row[d] for d in query.by))
            if key not in merged:
                merged[key] = row
                continue
            total = merged[key]
            for c in AreaPeriod.COUNTS:
                total[c] += row[c]
            for h in HISTOGRAM_BUCKETS if query.histograms else ():
                total[h] = [a + b for a, b in zip(total[h], row[h], strict=True)]
    return list(merged.values())


def _pieces(query: Slice) -> list[Slice]:
    """The slice cut into its edge days and its whole months, when a month table can read the months."""
    if query.slot not in (None, "month") or _whole(query.first, query.last, "month"):
        return [query]
    month_first = query.first if query.first.day == 1 else _next_month(query.first)
    after = query.last + timedelta(days=1)
    month_after = after.replace(day=1)
    if month_first >= month_after:
        return [query]
    months = replace(query, first=month_first, last=month_after - timedelta(days=1))
    if table_for(months) is None or table_for(months).slot != "month":
        return [query]
    pieces = [months]
    if query.first < month_first:
        pieces.append(replace(query, last=month_first - timedelta(days=1)))
    if month_after < after:
        pieces.append(replace(query, first=month_after))
    return pieces


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _sums(query: Slice) -> list[dict]:
    cube = table_for(query)
    if cube is not None:
        table, day_column = cube.table, cube.slot
        counts = [f"sum({c})::int AS {c}" for c in AreaPeriod.COUNTS]
        histograms = [
            f"ARRAY[{', '.join(f'sum({h}[{i}])' for i in range(1, size + 1))}]::int[] AS {h}"
            for h, size in HISTOGRAM_BUCKETS.items()] if query.histograms else []
    else:
        table, day_column = FACTS, "received_day"
        counts = [f"{sql} AS {name}" for name, sql in FACT_COUNTS.items()]
        histograms = [
            f"ARRAY[{', '.join(f'count(*) FILTER (WHERE {h} = {i})' for i in range(size))}]::int[] AS {h}"
            for h, size in HISTOGRAM_BUCKETS.items()] if query.histograms else []
    slot = _slot_sql(query.slot, day_column)
    where, params = ["region_id = %(region)s", f"{day_column} BETWEEN %(first)s AND %(last)s"], {
        "region": query.region_id, "first": query.first, "last": query.last}
    for n, (dimension, values) in enumerate(sorted(query.filters.items())):
        column = DIMENSIONS[dimension]
        values = list(values)
        nulls = None in values
        present = [v for v in values if v is not None]
        parts = []
        if present:
            params[f"f{n}"] = present
            parts.append(f"{column} = ANY(%(f{n})s)")
        if nulls:
            parts.append(f"{column} IS NULL")
        where.append(f"({' OR '.join(parts)})" if parts else "FALSE")
    keys = [f"{DIMENSIONS[d]} AS {d}" for d in query.by]
    group = ", ".join(["slot", *query.by]) if query.by or query.slot else ""
    sql = (f"SELECT {', '.join([*keys, f'{slot} AS slot', *counts, *histograms])} FROM {table} "
           f"WHERE {' AND '.join(where)}" + (f" GROUP BY {group}" if group else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not group and rows and rows[0]["received"] is None:
        return []  # one total over no rows at all: nothing, not a row of NULLs
    return rows


def scoped_filters(user, region_id: int, filters: dict[str, tuple] | None = None) -> dict[str, tuple]:
    """`filters` narrowed to what the user may see — the rule of cur.scoping.scope_appeals on the rollups: a
    МЦУ its municipality, a sector head their sectors, an executor their body. Raises Nothing."""
    scope = scope_of(user)
    filters = dict(filters or {})
    if scope.everything:
        return filters
    if scope.nothing or scope.region_id != region_id:
        raise Nothing
    forced = {}
    if scope.agency_id:
        forced["agency"] = (scope.agency_id,)
    else:
        if scope.municipality_id:
            forced["municipality"] = (scope.municipality_id,)
        if scope.sector_ids is not None:
            forced["sector"] = scope.sector_ids
    for dimension, allowed in forced.items():
        asked = filters.get(dimension)
        filters[dimension] = tuple(v for v in asked if v in allowed) if asked is not None else tuple(allowed)
    return filters


def period_slice(user, region_id: int, period: CalendarPeriod, **options) -> Slice:
    """A Slice of the user's part of a region over a calendar period."""
    filters = scoped_filters(user, region_id, options.pop("filters", None))
    return Slice(region_id=region_id, first=period.first, last=period.last, filters=filters, **options)


CHOICES = {"channel": Channel.values, "kind": Kind.values, "status": Status.values}
IDS = ("sector", "subtopic", "municipality", "settlement", "agency", "track")
YES_NO = {"1": True, "0": False}


def filters_asked(params, names) -> dict:
    """The filters among `names` a page was asked for, as the dimensions' values (ids as numbers, yes / no
    as booleans); anything unknown is left out."""
    chosen = {}
    for name in names:
        value = params.get(name)
        if not value:
            continue
        if name in IDS:
            if value.isdigit():
                chosen[name] = int(value)
        elif name in ("overdue", "satisfaction"):
            if value in YES_NO:
                chosen[name] = YES_NO[value]
        elif value in CHOICES.get(name, ()):
            chosen[name] = value
    return chosen
