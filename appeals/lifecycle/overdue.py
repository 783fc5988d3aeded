"""The deadline sweep of Celery beat: the queue's overdue and due-soon flags kept current."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from appeals.models import CLOCK_RUNNING_STATUSES, AppealEvent


@transaction.atomic
def appeals_refresh_overdue(*, now: datetime) -> dict[str, int]:
    """Keep the deadline flags of the queue current (Celery beat, every few minutes):
    - `is_overdue` set on appeals whose clock runs past their deadline, and on 59-ФЗ appeals not
      registered within three days, one OVERDUE event each;
      cleared where the deadline moved into the future again (an extension, a resumed pause);
    - `is_due_soon` set between the warning moment (e.g. 75 % of the time) and the deadline.
    Returns the counts. Set-based statements, so the sweep costs the same at ten or a million
    open appeals; the NOT conditions make a retried run a no-op.
    """
    running = [str(s) for s in CLOCK_RUNNING_STATUSES]
    params = {"now": now, "running": running, "kind": AppealEvent.Kind.OVERDUE.value}
    with connection.cursor() as cursor:
        flagged = 0
        # two statements rather than one OR, so that each is an index range scan
        for broken, field, reason in (
            ("status = ANY(%(running)s) AND due_at < %(now)s", "due_at", ""),
            ("status = 'new' AND registration_due_at < %(now)s", "registration_due_at",
             "Не зарегистрировано в течение трёх дней (ч. 2 ст. 8 59-ФЗ)"),
        ):
            cursor.execute(
                f"""
                WITH flagged AS (
                    UPDATE appeals_appeal
                    SET is_overdue = TRUE, is_due_soon = FALSE, version = version + 1, updated_at = %(now)s
                    WHERE {broken} AND NOT is_overdue
                    RETURNING id, region_id, agency_id, {field} AS due
                )
                INSERT INTO appeals_appealevent
                    (appeal_id, region_id, agency_id, at, kind, field, old_value, new_value, reason)
                SELECT id, region_id, agency_id, %(now)s, %(kind)s, %(field)s, '', due::text, %(reason)s
                FROM flagged
                """,
                {**params, "field": field, "reason": reason},
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
    return {"flagged": flagged, "cleared": cleared, "due_soon_changed": due_soon}
