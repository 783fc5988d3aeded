"""Files named by the items of ПОС and «Инцидент Менеджмент»: fetched over HTTP from the source (its
emulator, serving real JPEG and PDF bytes) once the intake batch has committed, checked like an upload,
kept once per appeal and address; a file that cannot be had is recorded on the appeal, never fatal."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from appeals.attachments.services import attachments_fetch
from appeals.intake.items import Territory
from appeals.models import Appeal, AppealEvent, Attachment
from appeals.sources.emulator import FeedEmulator, places_of_region, serve
from appeals.sources.files import import_job_create, parse_file_row
from appeals.sources.im import im_poll
from appeals.sources.pos import parse_pos_item, pos_poll
from cur.celery import app as celery_app
from municipalities.models import Region
from tests.intake.conftest import fast_client
from tests.personas import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def samara(db):
    return Region.objects.get(code="samara")


@pytest.fixture
def source():
    """source("pos"|"im", items=n) → a running emulator whose every third item names files, and the
    settings pointing the adapter at it (its host is the one files are fetched from)."""
    running = []

    def start(kind: str, *, items: int):
        emulator = FeedEmulator(kind, places=places_of_region("samara"), seed=4, files=True)
        emulator.add(items)
        server = serve(emulator)
        running.append(server)
        feeds = {name: dict(conf, url=server.url if name == {"pos": "pos", "im": "incident"}[kind] else conf["url"])
                 for name, conf in settings.CUR_SOURCES.items()}
        overrides = override_settings(CUR_SOURCES=feeds, CUR_INTAKE_STRUCTURE=False, CUR_INTAKE_ATTACHMENTS=True)
        overrides.enable()
        running.append(overrides)
        return server

    yield start
    for thing in reversed(running):
        if hasattr(thing, "disable"):
            thing.disable()
        else:
            thing.stop()


@pytest.fixture
def eager_tasks():
    """The Celery task runs in the test's process, through its real entry point (no broker, no worker)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def poll(kind, region, server):
    with fast_client(server.url) as http:
        return (pos_poll if kind == "pos" else im_poll)(region=region, client=http, max_pages=10)


def test_pos_files_are_fetched_after_the_batch_commits_and_never_twice(source, samara, eager_tasks,
                                                                       django_capture_on_commit_callbacks):
    server = source("pos", items=12)  # items 3, 6, 9, 12 name a photo; 6 and 12 an act too

    with django_capture_on_commit_callbacks(execute=True):
        poll("pos", samara, server)
        assert not Attachment.objects.exists()  # nothing is fetched inside the intake transaction

    kept = Attachment.objects.select_related("appeal").order_by("appeal__external_id", "content_type")
    assert [(a.appeal.external_id[-2:], a.content_type, a.source) for a in kept] == [
        ("03", "image/jpeg", "pos"), ("06", "application/pdf", "pos"), ("06", "image/jpeg", "pos"),
        ("09", "image/jpeg", "pos"), ("12", "application/pdf", "pos"), ("12", "image/jpeg", "pos")]
    photo = kept.filter(content_type="image/jpeg").first()
    assert photo.thumbnail and photo.source_url == f"{server.url}/files/3/photo.jpg"
    assert photo.original_name == "фото-3.jpg" and photo.uploaded_by is None
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.ATTACHED, appeal=photo.appeal).count() == 1

    server.emulator.update(12)  # every item again, with a new version naming the same files
    with django_capture_on_commit_callbacks(execute=True):
        result = poll("pos", samara, server)
    assert result.written.updated == 12
    assert Attachment.objects.count() == 6  # deduplicated by (appeal, source address)


def test_incident_files_under_a_post_are_fetched_as_the_ims(source, samara, eager_tasks,
                                                            django_capture_on_commit_callbacks):
    server = source("im", items=6)

    with django_capture_on_commit_callbacks(execute=True):
        poll("im", samara, server)

    assert sorted(Attachment.objects.values_list("source", "content_type")) == [
        ("im", "application/pdf"), ("im", "image/jpeg"), ("im", "image/jpeg")]


def test_a_file_that_cannot_be_had_is_recorded_and_the_others_are_kept(source, samara):
    server = source("pos", items=3)
    with fast_client(server.url) as http:
        pos_poll(region=samara, client=http, max_pages=10)
    appeal = Appeal.objects.get(external_id="POS-0000001")

    result = attachments_fetch(appeal_id=appeal.pk, source="pos", links=[
        {"url": f"{server.url}/files/1/missing.gif", "name": "нет.gif"},
        {"url": "http://10.255.255.1/internal.jpg", "name": "чужой.jpg"},  # not the source's host: not asked
        {"url": f"{server.url}/files/1/photo.jpg", "name": "двор.jpg"},
    ])

    assert result == {"kept": 1, "skipped": 0, "failed": 2}
    reasons = list(AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.ATTACHMENT_FAILED)
                   .order_by("pk").values_list("reason", flat=True))
    assert reasons == ["нет.gif: источник ответил 404",
                       "чужой.jpg: адрес http://10.255.255.1/internal.jpg не относится к источнику — файл не запрошен"]
    assert list(appeal.attachments.values_list("original_name", flat=True)) == ["двор.jpg"]


def test_a_fetched_file_over_the_limit_is_refused_by_the_same_rules(source, samara):
    server = source("pos", items=3)
    with fast_client(server.url) as http:
        pos_poll(region=samara, client=http, max_pages=10)
    appeal = Appeal.objects.get(external_id="POS-0000003")

    with override_settings(CUR_ATTACHMENT_MAX_BYTES=300):
        result = attachments_fetch(appeal_id=appeal.pk, source="pos",
                                   links=[{"url": f"{server.url}/files/3/photo.jpg", "name": "фото.jpg"}])

    assert result["failed"] == 1 and not appeal.attachments.exists()
    reason = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.ATTACHMENT_FAILED).reason
    assert reason.startswith("фото.jpg: ") and "больше допустимых 300 Б" in reason


def test_a_broken_list_of_files_never_refuses_the_item(samara):
    territory = Territory.of(samara)
    raw = {"id": "P-1", "type": "message", "version": 1, "created_at": "2026-11-30T10:00:00+04:00",
           "text": "Яма у дома", "territory": {"oktmo": "36632000"},
           "attachments": [{"url": "ftp://x/y.jpg"}, {"name": "без адреса"}, "https://pos.example.ru/f/1.jpg",
                           {"url": "https://pos.example.ru/f/2.pdf", "name": "акт.pdf"}]}

    item = parse_pos_item(raw, territory)

    assert item.attachments == ({"url": "https://pos.example.ru/f/1.jpg", "name": ""},
                                {"url": "https://pos.example.ru/f/2.pdf", "name": "акт.pdf"})
    assert "attachments: 2 без адреса http(s) — не взяты" in item.note
    assert parse_pos_item(dict(raw, attachments="not a list"), territory).attachments == ()


def test_an_import_files_column_is_fetched_from_the_allowed_hosts(source, samara, eager_tasks,
                                                                  django_capture_on_commit_callbacks):
    server = source("pos", items=0)  # only its file server is used
    photo, act = f"{server.url}/files/3/photo.jpg", f"{server.url}/files/6/act.pdf"
    rows = ("Текст;Дата поступления;ОКТМО;Вложения\n"
            f"Упало дерево во дворе;28.11.2026;36632000;{photo}, {act}\n"
            "Нет света на улице;28.11.2026;36632000;\n")
    with override_settings(CUR_ATTACHMENT_HOSTS=["127.0.0.1"]), django_capture_on_commit_callbacks(execute=True):
        import_job_create(uploaded=SimpleUploadedFile("journal.csv", rows.encode()), by=user("pestravka_operator"))

    appeal = Appeal.objects.get(text="Упало дерево во дворе")
    assert sorted(appeal.attachments.values_list("source", "source_url")) == [("import", photo), ("import", act)]
    assert not Appeal.objects.get(text="Нет света на улице").attachments.exists()


def test_rest_create_names_no_files():
    region = Region.objects.get(code="samara")
    values = {"text": "Яма", "received_at": "2026-11-28", "attachments": "https://pos.example.ru/f/1.jpg"}
    assert parse_file_row(values, Territory.of(region), channel="api").attachments == ()
    assert parse_file_row(values, Territory.of(region)).attachments == (
        {"url": "https://pos.example.ru/f/1.jpg", "name": ""},)
