from celery import shared_task


@shared_task
def refresh_overdue_flags() -> dict:
    """Beat job (cur/celery.py): keep overdue flags current for the queue and the dashboards."""
    from django.utils import timezone

    from appeals.services import appeals_refresh_overdue

    return appeals_refresh_overdue(now=timezone.now())


@shared_task
def notices_send() -> dict:
    """Beat job (cur/celery.py): send the citizens' pending e-mail notices, hand letters to print."""
    from appeals.notices import notices_send_pending

    return notices_send_pending()
