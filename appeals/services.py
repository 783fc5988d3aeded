"""Writes to appeals. Each service runs in one transaction and records what it changed as events.

The lifecycle (register, assign, forward, answer, …) arrives with the status machine; this module
holds what the foundation needs: the overdue sweep run by Celery beat.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from appeals.models import OPEN_STATUSES, Appeal, AppealEvent


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
    """Flag open appeals whose deadline has passed (one OVERDUE event each) and unflag those
    whose deadline moved into the future again (an extension). Returns the two counts.

    One set-based statement each, so the sweep costs the same at ten or a million open appeals;
    `NOT is_overdue` makes a retried run a no-op.
    """
    open_statuses = [str(s) for s in OPEN_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH flagged AS (
                UPDATE appeals_appeal SET is_overdue = TRUE, version = version + 1, updated_at = %(now)s
                WHERE status = ANY(%(open)s) AND due_at < %(now)s AND NOT is_overdue
                RETURNING id, region_id, agency_id, due_at
            )
            INSERT INTO appeals_appealevent
                (appeal_id, region_id, agency_id, at, kind, field, old_value, new_value, reason)
            SELECT id, region_id, agency_id, %(now)s, %(kind)s, 'due_at', '', due_at::text, ''
            FROM flagged
            """,
            {"now": now, "open": open_statuses, "kind": AppealEvent.Kind.OVERDUE.value},
        )
        flagged = cursor.rowcount
        cursor.execute(
            """
            UPDATE appeals_appeal SET is_overdue = FALSE, version = version + 1, updated_at = %(now)s
            WHERE status = ANY(%(open)s) AND is_overdue AND due_at >= %(now)s
            """,
            {"now": now, "open": open_statuses},
        )
        cleared = cursor.rowcount
    return {"flagged": flagged, "cleared": cleared}
