"""The deadline sweep of Celery beat: the queue's overdue and due-soon flags kept current."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from appeals.lifecycle import deadlines
from appeals.models import CLOCK_RUNNING_STATUSES, Appeal, AppealEvent, Status


@transaction.atomic
def appeals_refresh_overdue(*, now: datetime) -> dict[str, int]:
    """Keep the deadline flags of the queue current (Celery beat, every minute):
    - `is_overdue` set on appeals whose clock runs past their deadline — new items too: a 59-ФЗ appeal
      not registered within three days, a message or an incident not taken into work in time —, one
      OVERDUE event each;
      cleared where the deadline moved into the future again (an extension, a resumed pause);
    - `is_due_soon` set between the warning moment (e.g. 75 % of the time) and the deadline.
    - new items without a clock get one once a rule applies (`_start_missing_clocks`).
    Returns the counts. Set-based statements, so the sweep costs the same at ten or a million
    open appeals; the NOT conditions make a retried run a no-op.
    """
    clocks_started = _start_missing_clocks(now=now)
    running = [str(s) for s in CLOCK_RUNNING_STATUSES]
    params = {"now": now, "running": running, "kind": AppealEvent.Kind.OVERDUE.value}
    with connection.cursor() as cursor:
        flagged = 0
        # two statements rather than one OR, so that each is an index range scan
        # a new item's `due_at` is its arrival's clock (appeals/lifecycle/deadlines.py): the reason says which
        for broken, field, reason in (
            ("status = 'new' AND due_at < %(now)s",
             "CASE kind WHEN 'appeal' THEN 'registration_due_at' ELSE 'first_response_due_at' END",
             "CASE kind WHEN 'appeal' THEN 'Не зарегистрировано в течение трёх дней (ч. 2 ст. 8 59-ФЗ)' "
             "ELSE 'Не взято в работу в срок первичного ответа' END"),
            ("status = ANY(%(running)s) AND status <> 'new' AND due_at < %(now)s", "'due_at'", "''"),
        ):
            cursor.execute(
                f"""
                WITH flagged AS (
                    UPDATE appeals_appeal
                    SET is_overdue = TRUE, is_due_soon = FALSE, version = version + 1, updated_at = %(now)s
                    WHERE {broken} AND NOT is_overdue
                    RETURNING id, region_id, agency_id, kind, due_at AS due
                )
                INSERT INTO appeals_appealevent
                    (appeal_id, region_id, agency_id, at, kind, field, old_value, new_value, reason)
                SELECT id, region_id, agency_id, %(now)s, %(kind)s, {field}, '', due::text, {reason}
                FROM flagged
                """,
                params,
            )
            flagged += cursor.rowcount
        cursor.execute(
            """
            UPDATE appeals_appeal SET is_overdue = FALSE, version = version + 1, updated_at = %(now)s
            WHERE status = ANY(%(running)s) AND is_overdue AND due_at >= %(now)s
            """,
            params,
        )
        cleared = cursor.rowcount
        cursor.execute(
            """
            UPDATE appeals_appeal SET is_due_soon = coalesce(warn_at <= %(now)s, FALSE), updated_at = %(now)s
            WHERE status = ANY(%(running)s) AND NOT is_overdue AND due_at >= %(now)s
              AND is_due_soon <> coalesce(warn_at <= %(now)s, FALSE)
            """,
            params,
        )
        due_soon = cursor.rowcount
    return {"flagged": flagged, "cleared": cleared, "due_soon_changed": due_soon, "clocks_started": clocks_started}


# New items are few (hours of intake), and those without a clock fewer: each sweep looks at a bounded batch.
MISSING_CLOCKS_BATCH = 500


def _start_missing_clocks(*, now: datetime) -> int:
    """New items that arrived with no clock — before their rule existed (a rule added in the admin, an
    item of an older release) — get their arrival's clock (appeals/lifecycle/deadlines.py) once a rule
    applies; an index range (region, status, due_at) finds them."""
    started = 0
    candidates = (Appeal.objects.locked(skip_locked=True).select_related("region")
                  .filter(status=Status.NEW, due_at__isnull=True).order_by("-pk")[:MISSING_CLOCKS_BATCH])
    for appeal in candidates:
        if deadlines.arrival_deadline_set(appeal):
            appeal.version += 1
            appeal.updated_at = now
            appeal.save(update_fields=["registration_due_at", "first_response_due_at", "due_at", "warn_at",
                                       "version", "updated_at"])
            started += 1
    return started
