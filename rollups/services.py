"""Keeping the rollups current (Celery beat) and rebuilding them (`manage.py rollups_rebuild`).

The watermark is a transaction id. Every event carries the id of the transaction that wrote it (a column
default, so the sweeps' SQL and COPY are covered as well as the services), and every transaction below the
oldest one still running — `pg_snapshot_xmin` — has finished: an event committed late by a long transaction
is above the watermark until it commits, never skipped. A refresh recomputes the facts of the appeals with
events at or above the last watermark, and of those whose open turn's deadline has passed since the last
refresh (a deadline passes without an event); recomputing an appeal is idempotent, so seeing one twice is
harmless and the incremental rollup always equals a full rebuild (tests/rollups/test_incremental.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from rollups.areas import CUBES, areas_insert_range, areas_replace, areas_resum
from rollups.facts import facts_add_range, facts_replace, sums_recompute
from rollups.models import AgencyDay, AgencyMonth, AppealFact, RollupState, TurnFact

TURNS = "turns"
LOCK = 0x726F6C6C  # one refresh or rebuild at a time: pg_advisory_xact_lock(LOCK)
BATCH = 5000  # appeals per statement of a refresh
REBUILD_BATCH = 25000  # ids per statement of a rebuild


def _horizon(cursor) -> int:
    """The oldest transaction still running: everything below it has finished."""
    cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    return cursor.fetchone()[0]


def _state() -> RollupState:
    RollupState.objects.get_or_create(name=TURNS)
    return RollupState.objects.select_for_update().get(name=TURNS)


@transaction.atomic
def rollups_refresh(*, now: datetime | None = None) -> dict[str, int]:
    """Bring the rollups up to the present; returns how many appeals were recomputed. A refresh that finds
    another one (or a rebuild) running returns at once: the running one will see the same changes."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            return {"appeals": 0, "busy": 1}
        state = _state()
        horizon = _horizon(cursor)
        cursor.execute(
            """
            SELECT appeal_id FROM appeals_appealevent WHERE xact >= %(xact)s
            UNION
            SELECT appeal_id FROM rollups_turnfact
            WHERE open_due <= %(now)s AND (%(since)s::timestamptz IS NULL OR open_due > %(since)s)
            """,
            {"xact": state.xact, "now": now, "since": state.clock},
        )
        appeal_ids = sorted(row[0] for row in cursor.fetchall())
        for start in range(0, len(appeal_ids), BATCH):
            facts_replace(cursor, appeal_ids=appeal_ids[start:start + BATCH], now=now)
            areas_replace(cursor, appeal_ids=appeal_ids[start:start + BATCH])
    state.xact, state.clock, state.refreshed_at = horizon, now, timezone.now()
    state.save()
    return {"appeals": len(appeal_ids), "busy": 0}


@dataclass
class RebuildReport:
    appeals: int = 0  # appeals whose facts were recomputed
    days: tuple[date, date] | None = None  # the range of days re-summed (a ranged rebuild)


@transaction.atomic
def rollups_rebuild(*, region_id: int | None = None, date_from: date | None = None, date_to: date | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    now: datetime | None = None) -> RebuildReport:
    """Recompute the rollups from the history. Without dates: every fact and sum (of one region or all), in
    one transaction, so that the pages show the old figures until the new ones are complete. With dates
    (and a region): the facts of the appeals with events in the range or figures falling in it, then the day
    sums of the range and the month sums of its months from the facts. `progress(done, total)` is called
    after each batch. `now` — the moment open turns are judged at (a test's clock; the present by default)."""
    now = now or timezone.now()
    report = RebuildReport()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        state = _state()
        horizon = _horizon(cursor)
        if date_from or date_to:
            if region_id is None:
                raise ValueError("a ranged rebuild needs a region")
            report = _rebuild_range(cursor, region_id=region_id, first=date_from or date.min,
                                    last=date_to or timezone.localdate(), now=now, progress=progress)
        else:
            report.appeals = _rebuild_all(cursor, region_id=region_id, now=now, progress=progress)
    if region_id is None and not (date_from or date_to):
        state.xact, state.clock, state.rebuilt_at = horizon, now, timezone.now()
        state.save()
    return report


def _rebuild_all(cursor, *, region_id: int | None, now: datetime, progress) -> int:
    where, params = ("WHERE region_id = %s", [region_id]) if region_id is not None else ("", [])
    for table in (TurnFact._meta.db_table, AgencyDay._meta.db_table, AgencyMonth._meta.db_table,
                  AppealFact._meta.db_table, *(cube.table for cube in CUBES)):
        cursor.execute(f"DELETE FROM {table} {where}", params)
    cursor.execute(f"SELECT min(id), max(id), count(*) FROM appeals_appeal {where}", params)
    low, high, total = cursor.fetchone()
    if low is None:
        return 0
    for first in range(low, high + 1, REBUILD_BATCH):
        last = min(first + REBUILD_BATCH - 1, high)
        facts_add_range(cursor, first_id=first, last_id=last, now=now, region_id=region_id)
        areas_insert_range(cursor, first_id=first, last_id=last, region_id=region_id)
        if progress:
            progress(min(round(total * (last - low + 1) / (high - low + 1)), total), total)
    cursor.execute(f"SELECT DISTINCT region_id FROM appeals_appeal {where}", params)
    for (region,) in cursor.fetchall():
        areas_resum(cursor, region_id=region)
    return total


def _rebuild_range(cursor, *, region_id: int, first: date, last: date, now: datetime, progress) -> RebuildReport:
    cursor.execute(
        """
        SELECT DISTINCT e.appeal_id FROM appeals_appealevent e JOIN municipalities_region r ON r.id = e.region_id
        WHERE e.region_id = %(region)s AND (e.at AT TIME ZONE r.timezone)::date BETWEEN %(first)s AND %(last)s
        UNION
        SELECT appeal_id FROM rollups_turnfact
        WHERE region_id = %(region)s
          AND (start_day BETWEEN %(first)s AND %(last)s OR decision_day BETWEEN %(first)s AND %(last)s
               OR end_day BETWEEN %(first)s AND %(last)s OR first_day BETWEEN %(first)s AND %(last)s
               OR rated_day BETWEEN %(first)s AND %(last)s)
        """,
        {"region": region_id, "first": first, "last": last},
    )
    appeal_ids = sorted(row[0] for row in cursor.fetchall())
    for start in range(0, len(appeal_ids), BATCH):
        facts_replace(cursor, appeal_ids=appeal_ids[start:start + BATCH], now=now)
        areas_replace(cursor, appeal_ids=appeal_ids[start:start + BATCH])
        if progress:
            progress(min(start + BATCH, len(appeal_ids)), len(appeal_ids))
    cursor.execute("SELECT min(start_day) FROM rollups_turnfact WHERE region_id = %s", [region_id])
    earliest = cursor.fetchone()[0]
    first = max(first, earliest) if earliest else first
    sums_recompute(cursor, region_id=region_id, first_day=first, last_day=last)
    return RebuildReport(appeals=len(appeal_ids), days=(first, last))
