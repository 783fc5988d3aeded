"""Celery through Redis for real: a worker process is started, tasks cross the broker."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.utils import timezone

from appeals.models import AppealEvent
from cur.celery import app as celery_app
from tests.personas import PESTRAVKA, user


@pytest.fixture
def worker_node(reference):
    """A real `celery worker` process on the test database and the test Redis; yields its node name."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"])))
    name = f"test-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cur", "worker", "--pool", "solo", "--hostname", f"{name}@%h",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        env=env,
    )
    try:
        for _ in range(60):
            replies = celery_app.control.ping(timeout=0.5)
            node = next((n for reply in replies for n in reply if n.startswith(name + "@")), None)
            if node:
                break
            assert process.poll() is None, "the worker process died on start"
        else:
            pytest.fail("the worker did not answer a ping in 30 s")
        yield node
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_task_submitted_by_the_web_process_on_the_worker(client, worker_node):
    client.force_login(user("cur_head"))  # the worker round trip is for staff (or the monitoring token)
    response = client.get("/healthz?worker=1")

    assert response.status_code == 200, response.content
    worker = response.json()["worker"]
    assert worker["ok"]
    assert worker["worker"] == worker_node  # answered by the process started above, not in-process
    assert worker["pid"] != os.getpid()
    assert worker["database"]["ok"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_flags_overdue_appeals_on_the_worker(worker_node, make_appeal):
    from appeals.tasks import refresh_overdue_flags

    late = make_appeal(PESTRAVKA, due_at=timezone.now() - timedelta(hours=1))
    on_time = make_appeal(PESTRAVKA, due_at=timezone.now() + timedelta(days=3))

    result = refresh_overdue_flags.delay().get(timeout=30)

    assert result["flagged"] == 1 and result["cleared"] == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.is_overdue and not on_time.is_overdue
    assert AppealEvent.objects.filter(appeal=late, kind=AppealEvent.Kind.OVERDUE).count() == 1
