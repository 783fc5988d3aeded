from celery import shared_task


@shared_task
def refresh_overdue_flags() -> dict:
    """Beat job (cur/celery.py): keep overdue flags current for the queue and the dashboards."""
    from django.utils import timezone

    from appeals.lifecycle.overdue import appeals_refresh_overdue

    return appeals_refresh_overdue(now=timezone.now())


@shared_task
def notices_send() -> dict:
    """Beat job (cur/celery.py): send the citizens' pending e-mail notices, hand letters to print."""
    from appeals.citizen.notices import notices_send_pending

    return notices_send_pending()


@shared_task
def source_poll(source: str) -> dict:
    """Beat job (cur/celery.py): read a feed (ПОС, «Инцидент Менеджмент») from its cursor on.
    Two runs at once are safe: the cursor moves by compare-and-set, the loser stops."""
    from appeals.intake.registry import source_poll_run

    return source_poll_run(source=source)


@shared_task
def import_job_run(job_id: int) -> dict:
    """Run one file import (claimed by a conditional update: a redelivered task is a no-op)."""
    from appeals.sources.files import import_job_process

    return import_job_process(job_id=job_id)


@shared_task
def appeals_structure_batch(appeal_ids: list[int]) -> int:
    """Structure a committed intake batch (sector, subtopic, territory, flags, routing proposal), then
    put it into Problems and the search index; a retry rewrites the same values and adds no events."""
    from structuring.services import appeals_structure

    structured = appeals_structure(appeal_ids=appeal_ids)
    problems_cluster_batch(appeal_ids)  # once the subtopic and the place are known
    search_index_batch()  # searchable with the address and place just found
    return structured


@shared_task
def problems_cluster_batch(appeal_ids: list[int]) -> dict:
    """Put newly structured appeals into their Problems (appeals about one thing in one place)."""
    from appeals.problems.services import problems_cluster

    result = problems_cluster(appeal_ids=appeal_ids)
    return {"attached": result.attached, "started": result.started, "alone": result.alone,
            "skipped": result.skipped}


@shared_task
def search_index_batch(limit: int = 5_000) -> int:
    """Beat job (cur/celery.py), also run after each structured intake batch: write the search documents
    of appeals queued as stale by the database triggers. Runs at once are safe (SKIP LOCKED)."""
    from appeals.search.index import search_index_pending

    return search_index_pending(limit=limit)


@shared_task
def fetch_attachments(batch: list) -> dict:
    """Fetch the files named by the items of a committed intake batch — [[appeal id, source, [{"url",
    "name"}, …]], …] — and keep them as the appeals' attachments. A redelivered task fetches nothing
    twice (a file is kept once per appeal and source address); a failure is recorded on the appeal."""
    from appeals.attachments.services import attachments_fetch_batch

    return attachments_fetch_batch(batch=batch)


@shared_task
def export_run(job_id: int) -> dict:
    """Write one large export of the queue (claimed by a conditional update: a redelivered task is a no-op)."""
    from appeals.workspace.exports import export_job_process

    return export_job_process(job_id=job_id)


@shared_task
def webhooks_dispatch() -> dict:
    """Beat job (cur/celery.py): turn the events committed since the last run into webhook deliveries (the
    watermark over the event log; overlapping runs are safe — the second one returns at once)."""
    from appeals.webhooks.dispatch import webhook_events_dispatch

    report = webhook_events_dispatch()
    return {"events": report.events, "deliveries": report.deliveries, "busy": report.busy}


@shared_task
def webhooks_deliver() -> dict:
    """After a dispatch that made deliveries, and on beat for the retries: POST what is due, for at most a
    minute (runs at once are safe: each delivery is claimed by a conditional update)."""
    from appeals.webhooks.delivery import webhook_deliveries_send

    report = webhook_deliveries_send(budget=50.0)
    return {"delivered": report.delivered, "retried": report.retried, "failed": report.failed,
            "disabled": report.disabled}


@shared_task
def webhooks_prune() -> int:
    """Beat job (cur/celery.py): forget delivered and failed deliveries older than CUR_WEBHOOK_KEEP_DAYS."""
    from appeals.webhooks.services import webhook_deliveries_prune

    return webhook_deliveries_prune()


@shared_task
def source_reply_send(reply_id: int) -> str:
    """Send one answer back to its source (ПОС, ИМ), queued when the answer is given; claimed by a conditional
    update, so a redelivered task is a no-op (appeals/sources/replies.py)."""
    from appeals.sources.replies import source_reply_send as send

    return send(reply_id=reply_id)


@shared_task
def source_replies_sweep() -> dict:
    """Beat job (cur/celery.py): send the answers to the sources whose next attempt has come or whose task was lost."""
    from appeals.sources.replies import source_replies_send_due

    return source_replies_send_due()
