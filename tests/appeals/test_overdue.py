from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import AppealEvent, Status
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db


def test_it_flags_only_open_appeals_past_their_deadline(make_appeal):
    now = timezone.now()
    # in work: `due_at` is the answer's (a new item's is its arrival clock: tests/appeals/test_assignments.py)
    late = make_appeal(PESTRAVKA, due_at=now - timedelta(minutes=1), status=Status.IN_PROGRESS)
    fresh = make_appeal(TOLYATTI, due_at=now + timedelta(minutes=1), status=Status.IN_PROGRESS)
    closed = make_appeal(TOLYATTI, due_at=now - timedelta(days=1), status=Status.CLOSED)

    assert appeals_refresh_overdue(now=now)["flagged"] == 1

    for appeal in (late, fresh, closed):
        appeal.refresh_from_db()
    assert (late.is_overdue, fresh.is_overdue, closed.is_overdue) == (True, False, False)
    assert late.version == 2
    event = AppealEvent.objects.get(appeal=late, kind=AppealEvent.Kind.OVERDUE)
    assert event.at == now and event.field == "due_at"


def test_a_second_run_changes_nothing(make_appeal):
    now = timezone.now()
    make_appeal(PESTRAVKA, due_at=now - timedelta(hours=3))
    appeals_refresh_overdue(now=now)

    again = appeals_refresh_overdue(now=now + timedelta(minutes=5))
    assert again == {"flagged": 0, "cleared": 0, "due_soon_changed": 0, "clocks_started": 0}
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.OVERDUE).count() == 1


def test_it_clears_the_flag_when_the_deadline_moves_into_the_future(make_appeal):
    now = timezone.now()
    appeal = make_appeal(PESTRAVKA, due_at=now - timedelta(hours=3))
    appeals_refresh_overdue(now=now)
    appeal.__class__.objects.filter(pk=appeal.pk).update(due_at=now + timedelta(days=30))

    assert appeals_refresh_overdue(now=now)["cleared"] == 1
    appeal.refresh_from_db()
    assert not appeal.is_overdue


def test_it_warns_before_the_deadline_and_stops_when_the_clock_stops(make_appeal):
    now = timezone.now()
    soon = make_appeal(PESTRAVKA, due_at=now + timedelta(hours=2), warn_at=now - timedelta(hours=1))
    later = make_appeal(PESTRAVKA, due_at=now + timedelta(days=5), warn_at=now + timedelta(days=3))
    paused = make_appeal(PESTRAVKA, due_at=now - timedelta(hours=1), status=Status.AWAITING_CLARIFICATION)
    under_review = make_appeal(PESTRAVKA, due_at=now - timedelta(hours=1), status=Status.ANSWERED)

    result = appeals_refresh_overdue(now=now)

    assert result["due_soon_changed"] == 1 and result["flagged"] == 0
    for appeal in (soon, later, paused, under_review):
        appeal.refresh_from_db()
    assert soon.is_due_soon and not later.is_due_soon
    assert not paused.is_overdue and not under_review.is_overdue


def test_the_beat_runs_the_sweep_every_minute():
    # an item may arrive with its deadline already past (a source's backlog): the queue marks it within a minute
    from cur.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "appeals.tasks.refresh_overdue_flags")
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))
