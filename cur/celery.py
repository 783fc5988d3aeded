"""The Celery application. All periodic jobs of the platform are declared here, in one place."""

import ctypes
import ctypes.util
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")

app = Celery("cur")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_libc = ctypes.CDLL(ctypes.util.find_library("c"))


@task_postrun.connect
def return_freed_memory(**_) -> None:
    """Give the heap a task freed back to the system. glibc keeps it for reuse, and a structuring batch frees
    ~ 40 MB of numpy temporaries and token lists: without this a worker child sits at 300 MB instead of 250
    (docs/benchmarks.md). Where the C library has no malloc_trim (not glibc) nothing is done."""
    trim = getattr(_libc, "malloc_trim", None)
    if trim is not None:
        trim(0)

app.conf.beat_schedule = {
    # Overdue flags feed the queue, the dashboards and the ratings.
    # Ratings (issue 14): the rollups kept from the events, seconds behind them (rollups/services.py).
    "refresh-rollups": {
        "task": "rollups.tasks.rollups_refresh",
        "schedule": 15.0,
        "options": {"expires": 60},
    },
    # Surges, repeat complaints and conflict situations (issue 15): the running week and the last one, hourly.
    "scan-situations": {
        "task": "heatmap.tasks.situations_scan",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    # every minute: an item may arrive with its deadline already past (a source's backlog), and a restart after
    # a night off finds many passed — the queue should mark them at once; a run is ~76 ms at a million appeals
    "refresh-overdue-flags": {
        "task": "appeals.tasks.refresh_overdue_flags",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    # 59-ФЗ notices to citizens (registration, forwarding, extension, answer with the verdict link).
    "send-citizen-notices": {
        "task": "appeals.tasks.notices_send",
        "schedule": crontab(minute="*"),
    },
    # Intake (issue 5): read the feeds of ПОС and «Инцидент Менеджмент» from their cursors on.
    # A feed without a URL (CUR_POS_URL / CUR_IM_URL) is skipped; overlapping runs are safe.
    "poll-pos": {
        "task": "appeals.tasks.source_poll",
        "schedule": 20.0,
        "args": ("pos",),
        "options": {"expires": 60},
    },
    "poll-incident-management": {
        "task": "appeals.tasks.source_poll",
        "schedule": 20.0,
        "args": ("incident",),
        "options": {"expires": 60},
    },
    # Answers back to ПОС / ИМ (issue 18, appeals/sources/replies.py): each is sent as it is given; this sweep
    # sends the ones whose next attempt has come or whose task was lost. Overlapping runs are safe (claims).
    "send-source-replies": {
        "task": "appeals.tasks.source_replies_sweep",
        "schedule": 30.0,
        "options": {"expires": 120},
    },
    # Search (issue 6): the search documents of new and changed appeals; intake batches also index
    # right after structuring, this catches everything else (corrections, answers, the admin).
    "index-search-documents": {
        "task": "appeals.tasks.search_index_batch",
        "schedule": 10.0,
        "options": {"expires": 30},
    },
    # Webhooks (issue 18, docs/webhooks.md): the event log read every 5 s into deliveries (each dispatch that
    # made some starts a send at once); the send on beat picks up the retries that have come due.
    "dispatch-webhooks": {
        "task": "appeals.tasks.webhooks_dispatch",
        "schedule": 5.0,
        "options": {"expires": 30},
    },
    "deliver-webhooks": {
        "task": "appeals.tasks.webhooks_deliver",
        "schedule": 30.0,
        "options": {"expires": 60},
    },
    "prune-webhook-deliveries": {
        "task": "appeals.tasks.webhooks_prune",
        "schedule": crontab(hour=1, minute=20),
        "options": {"expires": 6 * 3600},
    },
    # Structuring learns from the day's corrections by operators: a new model version every night
    # (23:30 UTC — 03:30 in Samara, 02:30 in Moscow), rolled back in the admin if it does worse.
    "retrain-structuring": {
        "task": "structuring.tasks.retrain",
        "schedule": crontab(hour=23, minute=30),
    },
    # The weekly analytical notes (issue 17) of the ЦУР and every МЦУ for the week just ended, on Monday
    # morning (04:00 UTC — 08:00 in Samara, 07:00 in Moscow), on the documents' own queue (reports/tasks.py).
    # The МЦУ's indicator reports (issue 17): opened when due, reminders 7, 3 and 1 days before, overdue after.
    "remind-indicator-reports": {
        "task": "reports.tasks.indicator_reports_remind",
        "schedule": crontab(hour=5, minute=0),
        "options": {"queue": "documents", "expires": 6 * 3600},
    },
    "remind-roadmap-measures": {
        "task": "reports.tasks.roadmaps_remind",
        "schedule": crontab(hour=5, minute=10),
        "options": {"queue": "documents", "expires": 6 * 3600},
    },
    # The REST API's Idempotency-Key answers are kept a day (api/idempotency.py).
    "purge-idempotency-keys": {
        "task": "cur.tasks.idempotency_keys_purge",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 3600},
    },
    "build-weekly-notes": {
        "task": "reports.tasks.weekly_notes_build",
        "schedule": crontab(hour=4, minute=0, day_of_week=1),
        "options": {"queue": "documents", "expires": 6 * 3600},
    },
}
