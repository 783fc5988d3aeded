from celery import shared_task


@shared_task
def ping() -> dict:
    """Answer the health check from a worker: who ran it and whether it reached the database."""
    from cur.health import worker_identity

    return worker_identity()
