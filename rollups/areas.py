"""The one definition of what an appeal counts for on the heat map, the dashboard and the slices
(docs/analytics.md), and the sums per territory and topic kept from it.

An appeal counts on the local day it was received (its cohort), with its place, topic, channel, kind and
responsible body as they stand now, and its state now:
- in work: open and not answered yet; answered: an answer was given;
- late: answered after its deadline, or open past it (the deadline sweep's flag, which writes an event);
- the citizen's last verdict, if any (from the events: «not satisfied» reopens the appeal and clears its
  column); a repeat consideration (reopened);
- its answer time in whole days and its first response in whole hours, as histogram buckets.

`areas_replace` recomputes the facts of a set of appeals and moves every sum table by exactly the
difference, in one statement per direction; a full rebuild inserts the facts and sums them once. Both read
FACTS_SELECT and the same CUBES, so the incremental rollup equals a rebuild (tests/rollups/test_incremental.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from appeals.models import CLOCK_RUNNING_STATUSES, Status
from rollups.models import (
    ANSWER_DAYS,
    FIRST_HOURS,
    AreaDay,
    AreaMonth,
    AreaMonthChannel,
    AreaPeriod,
    AreaWeek,
    RegionDay,
    RegionMonth,
    RegionWeek,
)

FACT_COLUMNS = (
    "appeal_id", "region_id", "received_day", "municipality_id", "settlement_id", "sector_id", "subtopic_id",
    "agency_id", "channel", "kind", "status", "is_open", "is_answered", "is_late", "satisfied", "is_repeat",
    "answer_days", "first_hours", "fast_track_id",
)
FACT_LIST = ", ".join(FACT_COLUMNS)
# what a dimension is called in the facts and in the sum tables (the same column everywhere)
DIMENSIONS = {
    "municipality": "municipality_id", "settlement": "settlement_id", "sector": "sector_id",
    "subtopic": "subtopic_id", "agency": "agency_id", "channel": "channel", "kind": "kind", "status": "status",
    "overdue": "is_late", "satisfaction": "satisfied",
    "track": "fast_track_id",  # the fast-track mechanism (not «fast_track»: that is the count of them)
}

IN_WORK = [str(s) for s in CLOCK_RUNNING_STATUSES] + [str(Status.AWAITING_CLARIFICATION)]

FACTS_SELECT = f"""
SELECT a.id, a.region_id, (a.received_at AT TIME ZONE r.timezone)::date, a.municipality_id, a.settlement_id,
       a.sector_id, a.subtopic_id, a.agency_id, a.channel, a.kind, a.status,
       a.status = ANY(%(in_work)s), a.answered_at IS NOT NULL,
       a.is_overdue OR coalesce(a.answered_at > a.due_at, FALSE),
       (SELECT e.new_value = 'satisfied' FROM appeals_appealevent e  -- a «not satisfied» reopens and clears
        WHERE e.appeal_id = a.id AND e.kind = 'rated' ORDER BY e.at DESC, e.id DESC LIMIT 1),  -- the column
       EXISTS (SELECT 1 FROM appeals_appealevent e WHERE e.appeal_id = a.id AND e.kind = 'reopened'),
       CASE WHEN a.answered_at IS NOT NULL THEN
           least({ANSWER_DAYS - 1}, greatest(0, floor(extract(epoch FROM a.answered_at - a.received_at) / 86400)))
       END,
       CASE WHEN a.first_response_at IS NOT NULL THEN
           least({FIRST_HOURS - 1}, greatest(0, floor(extract(epoch FROM a.first_response_at - a.received_at) / 3600)))
       END,
       a.fast_track_id
FROM appeals_appeal a JOIN municipalities_region r ON r.id = a.region_id
WHERE {{where}}
"""


@dataclass(frozen=True)
class Cube:
    """A sum table: its slot of time (the expression over a fact's `received_day`) and the dimensions it keeps."""

    model: type[AreaPeriod]
    slot: str  # the slot column
    slot_sql: str
    dims: tuple[str, ...]
    # a finer table of the same slot this one is the sum of (a full rebuild sums it from there, not the facts)
    summed_from: str | None = None

    @property
    def table(self) -> str:
        return self.model._meta.db_table


PLACE_AND_TOPIC = ("municipality_id", "subtopic_id", "sector_id")
MONTH = "date_trunc('month', received_day)::date"
# the sum tables, fewest rows last (heatmap/cubes.py picks the smallest that keeps what a slice asks for;
# anything else — a settlement, a body, a status, a territory's days by channel — is read from the facts)
WEEK = "date_trunc('week', received_day)::date"
CUBES = (
    Cube(AreaDay, "day", "received_day", PLACE_AND_TOPIC),
    Cube(AreaWeek, "week", WEEK, PLACE_AND_TOPIC),
    Cube(AreaMonthChannel, "month", MONTH, (*PLACE_AND_TOPIC, "channel", "kind")),
    Cube(AreaMonth, "month", MONTH, PLACE_AND_TOPIC, summed_from="rollups_areamonthchannel"),
    Cube(RegionDay, "day", "received_day", ("sector_id", "channel", "kind")),
    Cube(RegionWeek, "week", WEEK, ("sector_id",), summed_from="rollups_areaweek"),
    Cube(RegionMonth, "month", MONTH, ("sector_id", "channel", "kind"), summed_from="rollups_areamonthchannel"),
)

# a fact's contribution to every count, with its sign (+1 added, −1 removed)
CONTRIBUTIONS = {
    "received": "sign", "open": "sign * is_open::int", "answered": "sign * is_answered::int",
    "late": "sign * is_late::int", "rated": "sign * (satisfied IS NOT NULL)::int",
    "satisfied": "sign * coalesce(satisfied::int, 0)", "repeats": "sign * is_repeat::int",
    "fast_track": "sign * (fast_track_id IS NOT NULL)::int",
    "fast_track_late": "sign * (fast_track_id IS NOT NULL AND is_late)::int",
    "fast_track_repeats": "sign * (fast_track_id IS NOT NULL AND is_repeat)::int",
}
assert tuple(CONTRIBUTIONS) == AreaPeriod.COUNTS


def _histogram(column: str, size: int) -> str:
    cells = ", ".join(f"coalesce(sum(sign) FILTER (WHERE {column} = {i}), 0)" for i in range(size))
    return f"ARRAY[{cells}]::int[]"


def _sum_into(cube: Cube) -> str:
    """INSERT … SELECT of the signed fact rows `rows` into one sum table, adding to what is there."""
    key = ", ".join((cube.slot, *cube.dims))
    counts = AreaPeriod.COUNTS
    added = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in counts)
    arrays = ", ".join(
        f"{h} = ARRAY[{', '.join(f't.{h}[{i}] + EXCLUDED.{h}[{i}]' for i in range(1, size + 1))}]"
        for h, size in AreaPeriod.HISTOGRAMS.items())
    histograms = ", ".join(_histogram(column, size) for column, size in
                           (("answer_days", ANSWER_DAYS), ("first_hours", FIRST_HOURS)))
    return f"""
    INSERT INTO {cube.table} AS t (region_id, {key}, {', '.join(counts)}, {', '.join(AreaPeriod.HISTOGRAMS)})
    SELECT region_id, {cube.slot_sql}, {', '.join(cube.dims)},
           {', '.join(f'sum({CONTRIBUTIONS[c]})' for c in counts)}, {histograms}
    FROM rows GROUP BY region_id, {cube.slot_sql}, {', '.join(cube.dims)}
    ON CONFLICT (region_id, {key}) DO UPDATE SET {added}, {arrays}
    """


def _moving(rows_cte: str) -> str:
    """One statement: the CTE `rows` (the fact columns and a `sign`) and every sum table moved by it."""
    *before, last = [_sum_into(cube) for cube in CUBES]
    ctes = "".join(f", sums_{i} AS ({statement})" for i, statement in enumerate(before))
    return f"WITH rows AS ({rows_cte}){ctes}\n{last}"


REMOVE = _moving(f"DELETE FROM rollups_appealfact WHERE appeal_id = ANY(%(ids)s) RETURNING {FACT_LIST}, -1 AS sign")
ADD = _moving(f"INSERT INTO rollups_appealfact ({FACT_LIST}) "
              f"{FACTS_SELECT.replace('{where}', 'a.id = ANY(%(ids)s)')} RETURNING {FACT_LIST}, 1 AS sign")
INSERT_RANGE = f"INSERT INTO rollups_appealfact ({FACT_LIST}) {FACTS_SELECT}"
# a full rebuild: every sum of a region from its facts, the tables emptied before
_REGION_FACTS = f"SELECT {FACT_LIST}, 1 AS sign FROM rollups_appealfact WHERE region_id = %(region)s"


def _from_facts(cube: Cube) -> str:
    return f"WITH rows AS ({_REGION_FACTS}) {_sum_into(cube)}"


def _from_finer(cube: Cube) -> str:
    """A coarser table as the sum of a finer one's rows (the same slot): far fewer rows than the facts."""
    counts = ", ".join(f"sum({c})" for c in AreaPeriod.COUNTS)
    histograms = ", ".join(f"ARRAY[{', '.join(f'sum({h}[{i}])' for i in range(1, size + 1))}]::int[]"
                           for h, size in AreaPeriod.HISTOGRAMS.items())
    key = ", ".join((cube.slot, *cube.dims))
    return f"""
    INSERT INTO {cube.table} (region_id, {key}, {', '.join(AreaPeriod.COUNTS)}, {', '.join(AreaPeriod.HISTOGRAMS)})
    SELECT region_id, {key}, {counts}, {histograms} FROM {cube.summed_from} WHERE region_id = %(region)s
    GROUP BY region_id, {key}
    """


# a full rebuild: the finest tables from the facts, the others from them (in CUBES' order: finer first)
RESUM = [_from_finer(cube) if cube.summed_from else _from_facts(cube) for cube in CUBES]


def areas_replace(cursor, *, appeal_ids: list[int]) -> None:
    """Recompute these appeals' facts and move the sums by the difference."""
    params = {"ids": appeal_ids, "in_work": IN_WORK}
    cursor.execute(REMOVE, params)
    cursor.execute(ADD, params)


def areas_insert_range(cursor, *, first_id: int, last_id: int, region_id: int | None) -> None:
    """The facts of the appeals with ids in [first_id, last_id] inserted (a full rebuild has removed them)."""
    where = "a.id BETWEEN %(first_id)s AND %(last_id)s"
    if region_id is not None:
        where += " AND a.region_id = %(region)s"
    cursor.execute(INSERT_RANGE.replace("{where}", where),
                   {"first_id": first_id, "last_id": last_id, "region": region_id, "in_work": IN_WORK})


def areas_resum(cursor, *, region_id: int) -> None:
    """Every sum of a region rebuilt from its facts (the sum tables' rows of the region deleted first)."""
    for cube in CUBES:
        cursor.execute(f"DELETE FROM {cube.table} WHERE region_id = %s", [region_id])
    for statement in RESUM:
        cursor.execute(statement, {"region": region_id})
