"""Writes to appeals. Each service runs in one transaction and records what it changed as events.

The status machine (register, assign, forward, answer, …) is appeals/lifecycle.py; this module holds
the arrival of an item, the deadline sweep run by Celery beat and the operators' saved queue views.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from appeals import sla
from appeals.filters import filter_query_normalize
from appeals.models import CLOCK_RUNNING_STATUSES, Appeal, AppealEvent, Kind, SavedFilter, Status
from cur.models import SlaPolicy
from cur.selectors import working_calendar


@transaction.atomic
def appeal_create(*, region, kind: str, channel: str, text: str, received_at: datetime, by=None,
                  **fields) -> Appeal:
    """Register the arrival of one item (any channel) with its CREATED event.

    `fields` are Appeal's own fields (title, citizen_*, sector, subtopic, municipality, settlement,
    address, agency, due_at, external_id …); they are validated before anything is written.
    """
    appeal = Appeal(region=region, kind=kind, channel=channel, text=text, received_at=received_at, **fields)
    appeal.full_clean()
    if kind == Kind.APPEAL and appeal.status == Status.NEW and appeal.registration_due_at is None:
        appeal.registration_due_at = _registration_due(appeal)
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal, region=region, at=received_at, actor=by, agency=appeal.agency,
        kind=AppealEvent.Kind.CREATED, new_value=appeal.status,
    )
    return appeal


def _registration_due(appeal: Appeal) -> datetime | None:
    """59-ФЗ ст. 8 ч. 2: a written appeal is registered within three days of its receipt."""
    policy = sla.policy_for(appeal=appeal, target=SlaPolicy.Target.REGISTRATION)
    if policy is None:
        return None
    calendar = working_calendar(region=appeal.region)
    return sla.deadline(calendar=calendar, start=appeal.received_at, unit=policy.unit, amount=policy.amount)


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


MAX_SAVED_FILTERS = 30


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Keep the user's current queue view under a name; saving under a taken name overwrites it.

    Only the filters and the order are kept (no paging cursor, no empty fields). A saved filter is
    applied as an ordinary query string through the list's filters, so it never shows more than the
    user's scope. Raises ValidationError with a message for the user.
    """
    name = " ".join((name or "").split())
    longest = SavedFilter._meta.get_field("name").max_length
    if not name:
        raise ValidationError("Укажите название фильтра.")
    if len(name) > longest:
        raise ValidationError(f"Название фильтра — не длиннее {longest} знаков.")
    query = filter_query_normalize(query)
    if not query:
        raise ValidationError("Сначала задайте условия: без них фильтр совпадает со всей очередью.")
    if len(query) > SavedFilter._meta.get_field("query").max_length:
        raise ValidationError("Условия фильтра слишком длинные.")
    # Saves of one user are serialised, so the limit holds and a name is never taken twice at once.
    get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    saved = SavedFilter.objects.filter(user=user, name=name).first()
    if saved is not None:
        saved.query = query
        saved.save(update_fields=["query"])
        return saved
    if SavedFilter.objects.filter(user=user).count() >= MAX_SAVED_FILTERS:
        raise ValidationError(f"Сохранить можно не больше {MAX_SAVED_FILTERS} фильтров — удалите ненужный.")
    return SavedFilter.objects.create(user=user, name=name, query=query)


@transaction.atomic
def saved_filter_delete(*, user, pk: int) -> bool:
    """Delete one of the user's own saved filters; False when there is none such (another user's
    filter is not theirs to delete and is left alone)."""
    deleted, _ = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return deleted > 0
