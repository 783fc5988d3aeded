from celery import shared_task


@shared_task
def retrain() -> str:
    """Collect operators' corrections and fit a new active model version."""
    from structuring.services import model_train

    return model_train().label
