from celery import shared_task


@shared_task
def rollups_refresh() -> dict:
    """Beat job (cur/celery.py): bring the rollups of the ratings (and, next, the heat map) up to the present."""
    from rollups.services import rollups_refresh as refresh

    return refresh()
