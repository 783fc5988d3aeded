"""The intake pages: «Карантин» (fix and resubmit, discard, scoping), file import with its progress
and report, the staff form for letters and calls. Each with the forbidden case."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from appeals.intake.items import Rejected
from appeals.intake.upsert import appeals_upsert
from appeals.models import Appeal, ImportJob, QuarantinedItem
from appeals.sources.files import import_job_process
from municipalities.models import Municipality, Region
from tests.intake.test_files import csv_bytes, rows
from tests.personas import PESTRAVKA, user

BROKEN = {"id": "POS-BROKEN-1", "type": "message", "version": 1, "created_at": "31.02.2026",
          "text": "Не убирают снег во дворе дома 12 по ул. Мира", "author": {"name": "Орлова Вера"},
          "territory": {"oktmo": PESTRAVKA, "settlement": "с. Пестравка"}}


def quarantine(raw: dict, *, source: str = "pos", reason: str = "created_at: неверная дата «31.02.2026»",
               oktmo: str | None = PESTRAVKA) -> QuarantinedItem:
    region = Region.objects.get(code="samara")
    municipality = Municipality.objects.get(oktmo=oktmo) if oktmo else None
    appeals_upsert(region=region, items=[], rejected=[Rejected(
        source=source, payload=json.dumps(raw, ensure_ascii=False, indent=2), reason=reason,
        external_id=str(raw.get("id") or ""), municipality_id=municipality.pk if municipality else None)])
    return QuarantinedItem.objects.latest("pk")


@pytest.fixture
def broken(db):
    return quarantine(BROKEN)


def test_it_lists_the_quarantine_of_the_territory(client, broken):
    regional = quarantine(dict(BROKEN, id="POS-NO-MO", territory={}), oktmo=None)
    client.force_login(user("pestravka_operator"))

    response = client.get("/appeals/quarantine/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "POS-BROKEN-1" in body and "неверная дата" in body and "POS-NO-MO" not in body
    client.force_login(user("cur_operator"))
    body = client.get("/appeals/quarantine/").content.decode()
    assert "POS-BROKEN-1" in body and "POS-NO-MO" in body
    assert regional.pk


def test_it_refuses_other_municipalities_and_roles(client, broken):
    client.force_login(user("tolyatti_operator"))
    assert client.get(f"/appeals/quarantine/{broken.pk}/").status_code == 404
    assert "POS-BROKEN-1" not in client.get("/appeals/quarantine/").content.decode()
    assert client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "discard", "reason": "x"}).status_code == 404
    for username in ("cur_curator", "pestravka_zhkh", "executor_pestravka_zhkh", "cur_integrator"):
        client.force_login(user(username))
        assert client.get("/appeals/quarantine/").status_code == 403, username
        assert client.get(f"/appeals/quarantine/{broken.pk}/").status_code == 403, username
    client.logout()
    assert client.get("/appeals/quarantine/").status_code == 302
    broken.refresh_from_db()
    assert broken.state == "pending"


def test_an_operator_fixes_the_raw_data_and_resubmits(client, broken):
    client.force_login(user("pestravka_operator"))
    fixed = json.dumps(dict(BROKEN, created_at="2026-11-20T10:00:00+04:00"), ensure_ascii=False)

    response = client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "resubmit", "payload": fixed})

    assert response.status_code == 302
    appeal = Appeal.objects.get(channel="pos", external_id="POS-BROKEN-1")
    assert appeal.municipality.oktmo == PESTRAVKA and appeal.text.startswith("Не убирают снег")
    broken.refresh_from_db()
    assert (broken.state, broken.resolved_by.username, broken.appeal_id) == (
        "resubmitted", "pestravka_operator", appeal.pk)
    again = client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "resubmit", "payload": fixed})
    assert again.status_code == 200 and Appeal.objects.count() == 1  # a resolved item is not taken in twice


def test_a_fix_that_is_still_wrong_stays_in_the_quarantine_with_the_new_reason(client, broken):
    client.force_login(user("cur_operator"))
    still = json.dumps(dict(BROKEN, created_at="2026-11-20", text=""), ensure_ascii=False)

    response = client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "resubmit", "payload": still},
                           follow=True)

    assert "text: пусто" in response.content.decode()
    broken.refresh_from_db()
    assert broken.state == "pending" and broken.reason == "text: пусто" and '"text": ""' in broken.payload
    not_json = client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "resubmit", "payload": "{oops"},
                           follow=True)
    assert "не JSON" in not_json.content.decode()
    assert not Appeal.objects.exists()


def test_an_operator_discards_with_a_reason(client, broken):
    client.force_login(user("cur_operator"))

    without = client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "discard", "reason": ""})
    assert without.status_code == 200
    broken.refresh_from_db()
    assert broken.state == "pending"

    client.post(f"/appeals/quarantine/{broken.pk}/", {"action": "discard", "reason": "Тестовая запись площадки"})

    broken.refresh_from_db()
    assert (broken.state, broken.resolution, broken.resolved_by.username) == (
        "discarded", "Тестовая запись площадки", "cur_operator")
    assert "Тестовая запись" in client.get("/appeals/quarantine/?state=discarded").content.decode()


def test_a_file_row_is_fixed_in_the_quarantine(client, db):
    item = quarantine({"_line": 3, "external_id": "ВХ-5", "received_at": "32.13.2026", "text": "Нет отопления"},
                      source="file", reason="строка 3: received_at: неверная дата")
    client.force_login(user("pestravka_operator"))
    fixed = json.dumps({"_line": 3, "external_id": "ВХ-5", "received_at": "20.11.2026", "text": "Нет отопления"})

    client.post(f"/appeals/quarantine/{item.pk}/", {"action": "resubmit", "payload": fixed})

    appeal = Appeal.objects.get(external_id="ВХ-5")
    assert appeal.channel == "letter" and appeal.municipality.oktmo == PESTRAVKA  # the МЦУ's own


def test_the_import_page_uploads_and_reports_progress(client, db):
    client.force_login(user("cur_operator"))
    upload = SimpleUploadedFile("реестр.csv", csv_bytes(rows(5) + rows(1, external_id="BAD", text="")))

    response = client.post("/appeals/import/", {"file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/import/{job.pk}/"
    queued = client.get(f"/appeals/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in queued and "<html" not in queued
    import_job_process(job_id=job.pk)  # what the worker's task does
    page = client.get(f"/appeals/import/{job.pk}/").content.decode()
    assert "Отчёт об импорте" in page and 'hx-trigger' not in page
    assert 'data-count="created">5<' in page and 'data-count="quarantined">1<' in page
    assert f"?job={job.pk}" in page
    assert "BAD" in client.get(f"/appeals/quarantine/?job={job.pk}").content.decode()
    assert "реестр.csv" in client.get("/appeals/import/").content.decode()


def test_import_jobs_are_scoped_and_forbidden_to_other_roles(client, db):
    client.force_login(user("pestravka_operator"))
    client.post("/appeals/import/", {"file": SimpleUploadedFile("p.csv", csv_bytes(rows(1)))})
    job = ImportJob.objects.get()
    assert job.municipality.oktmo == PESTRAVKA

    client.force_login(user("tolyatti_operator"))
    assert client.get(f"/appeals/import/{job.pk}/").status_code == 404
    assert "p.csv" not in client.get("/appeals/import/").content.decode()
    client.force_login(user("executor_pestravka_zhkh"))
    assert client.get("/appeals/import/").status_code == 403
    assert client.post("/appeals/import/", {"file": SimpleUploadedFile("x.csv", b"text\n1")}).status_code == 403
    assert ImportJob.objects.count() == 1


def test_staff_register_a_letter_and_a_repeated_number_is_refused(client, db):
    client.force_login(user("pestravka_operator"))
    form = {"channel": "letter", "kind": "appeal", "external_id": "ВХ-2026/118", "received_at": "2026-11-20T10:00",
            "citizen_name": "Кузнецов Илья Петрович", "citizen_address": "с. Пестравка, ул. Мира, д. 2",
            "text": "Прошу отремонтировать крышу дома 2 по ул. Мира: течёт в подъезде"}

    response = client.post("/appeals/intake/new/", form)

    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    assert (appeal.channel, appeal.kind, appeal.external_id) == ("letter", "appeal", "ВХ-2026/118")
    assert appeal.municipality.oktmo == PESTRAVKA and appeal.registration_due_at is not None
    assert appeal.events.get().actor.username == "pestravka_operator"
    again = client.post("/appeals/intake/new/", form)
    assert again.status_code == 200 and Appeal.objects.count() == 1
    assert "уже зарегистрирован: обращение №" in again.content.decode()


def test_staff_register_calls_without_a_number(client, db):
    client.force_login(user("cur_operator"))
    response = client.post("/appeals/intake/new/", {
        "channel": "phone", "kind": "message", "received_at": "2026-11-21T09:05", "citizen_phone": "+7 927 000-00-00",
        "municipality": Municipality.objects.get(oktmo=PESTRAVKA).pk, "text": "Звонок: в селе нет света с утра"})

    second = client.post("/appeals/intake/new/", {
        "channel": "phone", "kind": "message", "received_at": "2026-11-21T09:35", "text": "Звонок: нет воды"})

    assert response.status_code == second.status_code == 302
    assert list(Appeal.objects.values_list("channel", flat=True)) == ["phone", "phone"]


def test_the_staff_form_is_forbidden_to_executors_and_curators(client, db):
    for username in ("executor_pestravka_zhkh", "cur_curator"):
        client.force_login(user(username))
        assert client.get("/appeals/intake/new/").status_code == 403
    client.force_login(user("cur_operator"))
    page = client.get("/appeals/intake/new/").content.decode()
    assert "Регистрация письма или звонка" in page and "Приём и карантин" in page
