from celery import shared_task


@shared_task
def structure_appeals(ids: list[int]) -> int:
    """Structure stored appeals (called by intake after each committed batch); a retry rewrites
    the same values and adds no events."""
    from structuring.services import appeals_structure

    return appeals_structure(appeal_ids=ids)


@shared_task
def retrain() -> str:
    """Collect operators' corrections and fit a new active model version."""
    from structuring.services import model_train

    return model_train().label
