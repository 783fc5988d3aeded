"""A worker killed mid-batch loses and duplicates nothing: a real `poll_source` process is SIGKILLed
while its batch is written but not committed, then the feed is polled again."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from appeals.intake.cursors import source_cursor_get
from appeals.models import Appeal, QuarantinedItem, SourceCursor
from appeals.sources.pos import pos_poll
from cur.celery import app as celery_app
from tests.intake.conftest import database_equals_truth, fast_client

pytestmark = pytest.mark.django_db(transaction=True)


def _env(**extra) -> dict:
    parts = urlsplit(os.environ["DATABASE_URL"])
    database = settings.DATABASES["default"]["NAME"]
    return dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path="/" + database)), CUR_INTAKE_STRUCTURE="0",
                **extra)


def _conninfo() -> dict:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"} and v}


def _wait(predicate, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(reference, feed, samara):
    server = feed("pos", items=300, updates=40, malformed_rate=0.05, duplicate_rate=0.2)
    source_cursor_get(region=samara, source="pos")
    holder = psycopg.connect(**_conninfo())
    # The test holds the cursor's row: the worker writes its whole batch (appeals, events, quarantine)
    # and then waits on the cursor's move — the last statement before its commit. There it is killed.
    holder.execute("SELECT 1 FROM appeals_sourcecursor WHERE source = 'pos' FOR UPDATE")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "poll_source", "pos"], cwd=settings.BASE_DIR,
        env=_env(CUR_POS_URL=server.url, CUR_POS_PAGE_SIZE="100", CUR_POS_BACKOFF="0.01"),
    )
    try:
        with psycopg.connect(**_conninfo(), autocommit=True) as watcher:
            backend = _wait(lambda: watcher.execute(
                """SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                   AND query LIKE 'UPDATE appeals_sourcecursor%%' AND backend_xid IS NOT NULL""").fetchone(),
                "the worker to be blocked on the cursor with its batch written")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            holder.rollback()
            _wait(lambda: not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", backend).fetchone(),
                  "the killed worker's connection to end")
    finally:
        holder.close()
        if worker.poll() is None:
            worker.kill()

    assert worker.returncode == -signal.SIGKILL
    assert not Appeal.objects.filter(channel="pos").exists(), "a batch of a killed worker was committed"
    assert not QuarantinedItem.objects.exists()
    assert SourceCursor.objects.get(source="pos").cursor == ""

    with fast_client(server.url) as http:
        pos_poll(region=samara, client=http)

    database_equals_truth("pos", server.emulator.truth())


@pytest.fixture
def worker_node(reference, feed):
    """A real Celery worker polling the emulator given by the test (through CUR_IM_URL)."""
    processes = []

    def start(url: str) -> str:
        name = f"intake-{os.getpid()}-{len(processes)}"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cur", "worker", "--pool", "solo", "--hostname", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            env=_env(CUR_IM_URL=url, CUR_IM_BACKOFF="0.01", CUR_IM_PAGE_SIZE="50"), cwd=settings.BASE_DIR,
        )
        processes.append(process)
        for _ in range(60):
            replies = celery_app.control.ping(timeout=0.5)
            if any(node.startswith(name + "@") for reply in replies for node in reply):
                return name
            assert process.poll() is None, "the worker process died on start"
        pytest.fail("the worker did not answer a ping in 30 s")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.worker
def test_the_beat_task_polls_the_feed_on_a_real_worker(worker_node, feed, samara):
    from appeals.tasks import source_poll

    server = feed("im", items=200, updates=30, error_rate=0.1, out_of_order_rate=0.3)
    worker_node(server.url)

    first = source_poll.delay("incident").get(timeout=60)

    assert first["created"] > 0 and first["stopped"] == ""
    database_equals_truth("incident", server.emulator.truth())
    server.emulator.add(40)
    server.emulator.update(20)
    assert source_poll.delay("incident").get(timeout=60)["created"] == 40
    database_equals_truth("incident", server.emulator.truth())
