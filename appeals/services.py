"""Writes to appeals. Each service runs in one transaction and records what it changed as events.

The status machine (register, assign, forward, answer, …) is appeals/lifecycle.py; this module holds
the arrival of an item and the deadline sweep run by Celery beat.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from appeals.models import CLOCK_RUNNING_STATUSES, Appeal, AppealEvent


@transaction.atomic
def appeal_create(*, region, kind: str, channel: str, text: str, received_at: datetime, by=None,
                  **fields) -> Appeal:
    """Register the arrival of one item (any channel) with its CREATED event.

    `fields` are Appeal's own fields (title, citizen_*, sector, subtopic, municipality, settlement,
    address, agency, due_at, external_id …); they are validated before anything is written.
    """
    appeal = Appeal(region=region, kind=kind, channel=channel, text=text, received_at=received_at, **fields)
    appeal.full_clean()
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal, region=region, at=received_at, actor=by, agency=appeal.agency,
        kind=AppealEvent.Kind.CREATED, new_value=appeal.status,
    )
    return appeal


@transaction.atomic
def appeals_refresh_overdue(*, now: datetime) -> dict[str, int]:
    """Keep the deadline flags of the queue current (Celery beat, every few minutes):
    - `is_overdue` set on appeals whose clock runs past their deadline, one OVERDUE event each;
      cleared where the deadline moved into the future again (an extension, a resumed pause);
    - `is_due_soon` set between the warning moment (e.g. 75 % of the time) and the deadline.
    Returns the counts. Set-based statements, so the sweep costs the same at ten or a million
    open appeals; the NOT conditions make a retried run a no-op.
    """
    running = [str(s) for s in CLOCK_RUNNING_STATUSES]
    params = {"now": now, "running": running, "kind": AppealEvent.Kind.OVERDUE.value}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH flagged AS (
                UPDATE appeals_appeal
                SET is_overdue = TRUE, is_due_soon = FALSE, version = version + 1, updated_at = %(now)s
                WHERE status = ANY(%(running)s) AND due_at < %(now)s AND NOT is_overdue
                RETURNING id, region_id, agency_id, due_at
            )
            INSERT INTO appeals_appealevent
                (appeal_id, region_id, agency_id, at, kind, field, old_value, new_value, reason)
            SELECT id, region_id, agency_id, %(now)s, %(kind)s, 'due_at', '', due_at::text, ''
            FROM flagged
            """,
            params,
        )
        flagged = cursor.rowcount
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
    return {"flagged": flagged, "cleared": cleared, "due_soon_changed": due_soon}
