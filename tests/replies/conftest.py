"""Answers back to the sources: the emulators served in a thread (as in tests/intake/), the platform's settings
pointed at them with short waits, and an appeal walked from the feed to its accepted answer by the real services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.lifecycle import transitions
from appeals.models import Appeal, SourceReply
from appeals.sources.emulator import Faults, FeedEmulator, Place, serve
from appeals.sources.im import im_poll
from appeals.sources.pos import pos_poll
from appeals.sources.replies import source_replies_send_due
from cur.models import Agency
from municipalities.models import Region
from tests.intake.conftest import fast_client
from tests.personas import user

CHANNELS = {"pos": "pos", "im": "incident"}
POLLS = {"pos": pos_poll, "im": im_poll}
AGENCY = "mup_zhkh_pestravskiy"
INTERIM = "Заявка принята, выезд бригады запланирован на завтра."
FINAL = "Трубы на ул. Молодёжной заменены 14.03, давление восстановлено. Фото прилагаем к акту."


@pytest.fixture(autouse=True)
def quiet_intake(settings):
    """Intake on its own: nothing handed to the structuring pipeline or the file fetcher."""
    settings.CUR_INTAKE_STRUCTURE = False
    settings.CUR_INTAKE_ATTACHMENTS = False


@pytest.fixture(autouse=True)
def quick_replies(settings):
    """Replies retried at once (no backoff between claims) and a source's retries within a claim kept short."""
    settings.CUR_REPLY_ATTEMPTS = 3
    settings.CUR_REPLY_RETRY_DELAY = 0.0
    settings.CUR_REPLY_MAX_ATTEMPTS = 10


@pytest.fixture
def samara(db):
    return Region.objects.get(code="samara")


@pytest.fixture
def source(db, settings):
    """source("pos"|"im", items=…, not_satisfied_rate=…, **faults) → a running emulator of Пестравка's items;
    settings.CUR_SOURCES of its channel point at it (a 0.3 s timeout, 10 ms backoff)."""
    running = []

    def start(kind: str, *, items: int = 3, seed: int = 7, token: str = "", not_satisfied_rate: float = 0.0,
              **faults):
        emulator = FeedEmulator(kind, places=[Place("36632000", "с. Пестравка")], seed=seed, token=token,
                                not_satisfied_rate=not_satisfied_rate,
                                faults=Faults(**{"retry_after": 0.0, "timeout_seconds": 1.0, **faults}))
        emulator.add(items)
        server = serve(emulator)
        running.append(server)
        sources = {name: dict(conf) for name, conf in settings.CUR_SOURCES.items()}
        sources[CHANNELS[kind]].update(url=server.url, token=token, timeout=0.3, backoff=0.01, min_interval=0.0,
                                       page_size=25)
        settings.CUR_SOURCES = sources
        return server

    yield start
    for server in running:
        server.stop()


def poll(kind: str, region, server, *, attempts: int = 15):
    with fast_client(server.url, attempts=attempts, token=server.emulator.token) as http:
        return POLLS[kind](region=region, client=http, max_pages=1000)


def walk(appeal: Appeal, *, interim: bool = True, final: str = FINAL) -> Appeal:
    """Registered and assigned by the ЦУР operator, answered by the body (an interim answer first), the answer
    accepted: the appeal closed."""
    operator = user("cur_operator")
    appeal = transitions.appeal_register(appeal=appeal, by=operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code=AGENCY), by=operator)
    if interim:
        transitions.answer_submit(appeal=appeal, text=INTERIM, by=None, is_interim=True)
    transitions.answer_submit(appeal=appeal, text=final, by=None)
    return transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator)


def sweep_until_done(seconds: float = 90) -> int:
    """Run the beat's sweep until no reply is pending (a claim held by nobody): how many runs it took."""
    deadline = timezone.now() + timedelta(seconds=seconds)
    runs = 0
    while SourceReply.objects.filter(status=SourceReply.Status.PENDING).exists():
        assert timezone.now() < deadline, "replies still pending after the sweeps"
        source_replies_send_due()
        runs += 1
    return runs
