"""A worker killed after the source took the answer and before we recorded it: a real child process sends the reply
and ends (`os._exit`) at that very point (the test seam CUR_REPLY_TEST_DIE_AFTER_SEND in appeals/sources/replies.py);
once its claim has run out the sweep sends the answer again — and the source, deduplicating by our answer id, holds
it once. A real Celery worker sends an answer queued by the commit that gave it."""

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from appeals.models import Appeal, SourceReply
from appeals.sources.replies import DIE_AFTER_SEND, source_replies_send_due
from cur.celery import app as celery_app
from tests.replies.conftest import poll, walk

pytestmark = pytest.mark.django_db(transaction=True)


def _env(**extra) -> dict:
    """The child's environment: ours, with the test database and no intake side jobs."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    database = connection.settings_dict["NAME"]
    return dict(os.environ, DJANGO_SETTINGS_MODULE="cur.settings", CUR_INTAKE_STRUCTURE="0",
                CUR_INTAKE_ATTACHMENTS="0", DATABASE_URL=urlunsplit(parts._replace(path="/" + database)), **extra)


def _wait(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_a_worker_killed_between_send_and_record_leaves_one_answer_at_the_source(reference, source, samara):
    server = source("pos", items=2)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.order_by("external_id").first(), interim=False)
    reply = SourceReply.objects.get(appeal=appeal)

    child = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from appeals.sources.replies import source_reply_send; "
                               f"source_reply_send(reply_id={reply.pk})"],
        cwd=settings.BASE_DIR, timeout=120, capture_output=True, text=True,
        env=_env(CUR_POS_URL=server.url, CUR_POS_TIMEOUT="5", CUR_REPLY_LEASE="2", **{DIE_AFTER_SEND: "1"}),
    )

    assert child.returncode == 1, child.stderr[-3000:]
    held = server.emulator.truth()["answers"]
    assert list(held) == [reply.key] and held[reply.key]["received"] == 1  # it arrived …
    reply.refresh_from_db()
    assert reply.status == SourceReply.Status.PENDING and reply.sent_at is None  # … and is not recorded
    assert reply.remote_id == ""
    assert reply.attempts == 1 and reply.claimed_until is not None
    assert source_replies_send_due() == {}  # the dead worker's claim holds until its lease runs out
    _wait(lambda: timezone.now() > reply.claimed_until, "the dead worker's lease to run out")

    assert source_replies_send_due() == {"sent": 1}

    held = server.emulator.truth()["answers"]
    assert list(held) == [reply.key], "the source holds the answer once"
    assert held[reply.key]["received"] == 2  # sent twice, deduplicated by our answer id
    reply.refresh_from_db()
    assert reply.status == SourceReply.Status.SENT and reply.remote_id == held[reply.key]["id"]
    assert reply.attempts == 2


@pytest.fixture
def worker(reference):
    """A real Celery worker whose ПОС is the emulator given by the test."""
    processes = []

    def start(url: str) -> None:
        name = f"replies-{os.getpid()}-{len(processes)}"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cur", "worker", "--pool", "solo", "--hostname", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            env=_env(CUR_POS_URL=url, CUR_POS_TIMEOUT="5"), cwd=settings.BASE_DIR)
        processes.append(process)
        for _ in range(60):
            replies = celery_app.control.ping(timeout=0.5)
            if any(node.startswith(name + "@") for reply in replies for node in reply):
                return
            assert process.poll() is None, "the worker process died on start"
        pytest.fail("the worker did not answer a ping in 30 s")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.worker
def test_a_real_worker_sends_the_answer_once_it_is_committed(worker, source, samara):
    server = source("pos", items=1)
    poll("pos", samara, server)
    worker(server.url)

    appeal = walk(Appeal.objects.get(channel="pos"))  # each service commits: its reply's task goes to the broker

    _wait(lambda: not SourceReply.objects.exclude(status=SourceReply.Status.SENT).exists()
          and SourceReply.objects.filter(appeal=appeal).count() == 2, "the worker to send both answers")
    held = server.emulator.truth()["answers"]
    assert sorted(held) == sorted(SourceReply.objects.values_list("key", flat=True))
    assert all(answer["received"] == 1 for answer in held.values())
