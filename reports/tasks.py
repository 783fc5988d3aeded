from celery import shared_task

# The documents' own queue: a second worker takes it (`make run`, docker-compose), so building the notes of every
# centre on a Monday morning never holds up intake, structuring or the rollups on the main worker.
DOCUMENTS_QUEUE = "documents"


@shared_task  # routed to DOCUMENTS_QUEUE by CELERY_TASK_ROUTES (cur/settings.py)
def roadmaps_remind() -> dict:
    """Beat job (cur/celery.py, daily): the measures of approved roadmaps reminded before their date, missed after."""
    from django.utils import timezone

    from reports.roadmaps.services import roadmaps_remind as remind

    return remind(today=timezone.localdate())


@shared_task  # routed to DOCUMENTS_QUEUE by CELERY_TASK_ROUTES (cur/settings.py)
def indicator_reports_remind() -> dict:
    """Beat job (cur/celery.py, daily): the МЦУ reports due opened, reminders before the date, overdue after it."""
    from django.utils import timezone

    from reports.indicators.services import reports_remind

    report = reports_remind(today=timezone.localdate())
    return {"opened": report.opened, "reminded": report.reminded, "overdue": report.overdue}


@shared_task  # routed to DOCUMENTS_QUEUE by CELERY_TASK_ROUTES (cur/settings.py)
def weekly_notes_build() -> dict:
    """Beat job (cur/celery.py, Monday morning): every centre's note of the week just ended (final ones kept)."""
    from django.utils import timezone

    from reports.weekly.services import last_week, notes_build_all

    report = notes_build_all(week=last_week(timezone.localdate()))
    return {"week": report.week.isoformat(), "built": report.built, "kept_final": report.kept_final}
