from celery import shared_task


@shared_task(bind=True)
def ping(self) -> dict:
    """Answer the health check from a worker: which worker ran it and whether it reached the database."""
    from cur.health import worker_identity

    return {"worker": self.request.hostname, **worker_identity()}


@shared_task
def idempotency_keys_purge() -> int:
    """Forget the API's Idempotency-Key answers past their day."""
    from cur.api_clients import idempotency_keys_purge

    return idempotency_keys_purge()


@shared_task
def staff_notifications_email(notification_ids: list[int]) -> int:
    """Send the notices to those who have an e-mail address, once each (emailed_at set in the same update)."""
    from cur.notifications import staff_notifications_send

    return staff_notifications_send(notification_ids)
