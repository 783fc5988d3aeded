"""Intake writes only inside the writer's territory (issue 11, finding 1): a key that already exists
outside it is refused with a neutral reason before anything is written, on every intake path — REST
create, file import, quarantine resubmit, the staff form; the source channels (ПОС, ИМ) are written by
their adapters only."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.intake.items import Rejected
from appeals.intake.staff import appeal_take_in
from appeals.intake.upsert import appeals_upsert
from appeals.models import Appeal, AppealEvent, QuarantinedItem
from municipalities.models import Municipality, Region
from tests.intake.test_files import HEADER, csv_bytes, rows, run_import
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db

WITH_CONTACTS = [*HEADER, "citizen_email", "citizen_phone"]
KEY_TAKEN = "Внешний номер уже занят: укажите другой."  # the same whatever holds the key, and wherever

CITIZEN = {"citizen_name": "Сидорова Елена Ивановна", "citizen_phone": "+7 927 111-22-33",
           "citizen_email": "sidorova@example.ru"}
ATTACK = {"title": "Перехвачено", "text": "Ответ пришлите на мой адрес", "citizen_name": "Злоумышленник",
          "citizen_phone": "+7 900 000-00-00", "citizen_email": "attacker@example.ru"}


@pytest.fixture
def tolyatti_appeal(make_appeal):
    """An appeal of Тольятти whose key a Пестравский operator will try to re-post."""

    def make(channel: str, external_id: str, kind: str = "message"):
        return make_appeal(TOLYATTI, channel=channel, kind=kind, external_id=external_id,
                           title="Течёт крыша в доме 12", text="Течёт крыша в доме 12 по ул. Победы", **CITIZEN)

    return make


def unchanged(appeal: Appeal) -> None:
    before = {name: getattr(appeal, name) for name in ("title", "text", "version", *CITIZEN)}
    appeal.refresh_from_db()
    assert {name: getattr(appeal, name) for name in before} == before
    assert not AppealEvent.objects.filter(appeal=appeal, kind="source_updated").exists()


def api(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def test_a_rest_repeat_of_a_foreign_key_is_refused_before_anything_is_written(tolyatti_appeal):
    appeal = tolyatti_appeal("api", "EXT-T-1")

    response = api("pestravka_operator").post(
        "/api/v1/appeals/", {"external_id": "EXT-T-1", "kind": "message", **ATTACK}, format="json")

    unchanged(appeal)
    assert response.status_code == 409, response.content  # decided before the write, not a 404 after it
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["details"] == {"external_id": [KEY_TAKEN]}
    body = response.content.decode()
    assert appeal.number not in body and str(appeal.pk) not in body and "Течёт крыша" not in body


def test_a_foreign_key_and_a_key_without_a_municipality_answer_the_same(tolyatti_appeal):
    tolyatti_appeal("api", "EXT-T-1")
    from appeals.lifecycle.creation import appeal_create

    region = Region.objects.get(code="samara")
    regional = appeal_create(region=region, kind="message", channel="api", text="Без МО", external_id="EXT-R-1",
                             received_at=timezone.now(), **CITIZEN)
    client = api("pestravka_operator")

    foreign = client.post("/api/v1/appeals/", {"external_id": "EXT-T-1", **ATTACK}, format="json")
    no_municipality = client.post("/api/v1/appeals/", {"external_id": "EXT-R-1", **ATTACK}, format="json")

    assert foreign.status_code == no_municipality.status_code == 409
    assert foreign.json() == no_municipality.json()
    unchanged(regional)


def test_a_csv_row_onto_a_foreign_key_goes_to_the_quarantine_and_changes_nothing(tolyatti_appeal):
    appeal = tolyatti_appeal("letter", "ВХ-ТОЛ-1", kind="appeal")

    job = run_import(csv_bytes(rows(1, external_id="ВХ-ТОЛ-1", municipality_oktmo="", settlement="", **ATTACK)
                               + rows(1, external_id="ВХ-СВОЁ-1", municipality_oktmo=""), header=WITH_CONTACTS),
                     username="pestravka_operator")

    assert (job.created, job.updated, job.quarantined) == (1, 0, 1)
    item = QuarantinedItem.objects.get(import_job=job)
    assert item.reason == f"строка 2: {KEY_TAKEN}" and appeal.number not in item.reason
    assert item.municipality.oktmo == PESTRAVKA and item.external_id == "ВХ-ТОЛ-1"
    unchanged(appeal)
    assert Appeal.objects.get(external_id="ВХ-СВОЁ-1").municipality.oktmo == PESTRAVKA


@pytest.mark.parametrize("channel", ["pos", "incident"])
def test_a_file_cannot_write_the_source_channels(tolyatti_appeal, channel):
    """ПОС and ИМ ids are sequential: a file that could name them could reach any item of the region."""
    kind = "incident" if channel == "incident" else "message"
    appeal = tolyatti_appeal(channel, f"{channel.upper()}-0000007", kind=kind)

    job = run_import(csv_bytes(rows(1, external_id=appeal.external_id, channel=channel, **ATTACK)
                               + rows(1, external_id="NEW-1", channel=channel), header=WITH_CONTACTS),
                     username="cur_operator")

    assert (job.created, job.updated, job.quarantined) == (0, 0, 2)
    assert all(f"канал «{channel}»" in reason for reason in
               QuarantinedItem.objects.filter(import_job=job).values_list("reason", flat=True))
    unchanged(appeal)


BROKEN_POS = {"id": "POS-BROKEN-9", "type": "message", "version": 5, "created_at": "31.02.2026",
              "text": "Не убирают снег во дворе дома 12 по ул. Мира", "author": {"name": "Орлова Вера"},
              "territory": {"oktmo": PESTRAVKA, "settlement": "с. Пестравка"}}


def quarantined(raw: dict, *, source: str = "pos", oktmo: str | None = PESTRAVKA) -> QuarantinedItem:
    municipality = Municipality.objects.get(oktmo=oktmo) if oktmo else None
    appeals_upsert(region=Region.objects.get(code="samara"), items=[], rejected=[Rejected(
        source=source, payload=json.dumps(raw, ensure_ascii=False), reason="неверная дата",
        external_id=str(raw.get("id") or raw.get("external_id") or ""),
        municipality_id=municipality.pk if municipality else None)])
    return QuarantinedItem.objects.latest("pk")


def resubmit(client, item: QuarantinedItem, raw: dict):
    return client.post(f"/appeals/quarantine/{item.pk}/",
                       {"action": "resubmit", "payload": json.dumps(raw, ensure_ascii=False)}, follow=True)


def test_a_quarantine_resubmit_onto_a_foreign_key_changes_nothing(client, tolyatti_appeal):
    appeal = tolyatti_appeal("pos", "POS-TOL-1")
    item = quarantined(dict(BROKEN_POS, id="POS-TOL-1"))
    client.force_login(user("pestravka_operator"))

    response = resubmit(client, item, dict(BROKEN_POS, id="POS-TOL-1", created_at="2026-11-20T10:00:00+04:00",
                                           title=ATTACK["title"], author={"name": "Злоумышленник"}))

    unchanged(appeal)
    item.refresh_from_db()
    assert item.state == "pending" and item.appeal_id is None
    assert KEY_TAKEN in response.content.decode() and appeal.number not in response.content.decode()


def test_a_quarantine_resubmit_keeps_the_items_territory(client, db):
    item = quarantined(BROKEN_POS)
    client.force_login(user("pestravka_operator"))

    moved = resubmit(client, item, dict(BROKEN_POS, created_at="2026-11-20T10:00:00+04:00",
                                        territory={"oktmo": TOLYATTI, "settlement": "г. Тольятти"}))

    assert not Appeal.objects.exists()
    assert "вне территории" in moved.content.decode()
    item.refresh_from_db()
    assert item.state == "pending"
    kept = resubmit(client, item, dict(BROKEN_POS, created_at="2026-11-20T10:00:00+04:00", territory={}))
    assert "Запись принята" in kept.content.decode()
    assert Appeal.objects.get().municipality.oktmo == PESTRAVKA  # the item's own, though the data lost it


def test_a_quarantined_source_record_keeps_the_number_its_source_gave(client, db):
    """A ПОС number renamed in the fix could take the place of an item the source has not sent yet."""
    item = quarantined(BROKEN_POS)
    client.force_login(user("pestravka_operator"))

    response = resubmit(client, item, dict(BROKEN_POS, id="POS-9999999", created_at="2026-11-20T10:00:00+04:00"))

    assert "номер записи источника менять нельзя" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_staff_form_does_not_name_an_appeal_outside_the_users_scope(client, tolyatti_appeal):
    appeal = tolyatti_appeal("letter", "ВХ-2026/118", kind="appeal")
    client.force_login(user("pestravka_operator"))

    response = client.post("/appeals/intake/new/", {
        "channel": "letter", "kind": "appeal", "external_id": "ВХ-2026/118", "received_at": "2026-11-20T10:00",
        "text": "Прошу отремонтировать крышу дома 2 по ул. Мира"})

    body = response.content.decode()
    assert appeal.number not in body
    assert response.status_code == 200 and "уже занят" in body
    assert Appeal.objects.count() == 1
    client.force_login(user("tolyatti_operator"))  # who sees that appeal is told which one it is
    own = client.post("/appeals/intake/new/", {
        "channel": "letter", "kind": "appeal", "external_id": "ВХ-2026/118", "received_at": "2026-11-20T10:00",
        "text": "Повторно"})
    assert f"обращение № {appeal.number}" in own.content.decode()


def test_the_staff_intake_service_itself_keeps_to_the_users_territory_channels_and_roles(db):
    region = Region.objects.get(code="samara")
    now = timezone.now()
    tolyatti = Municipality.objects.get(oktmo=TOLYATTI)

    with pytest.raises(ValidationError, match="вне территории"):
        appeal_take_in(region=region, by=user("pestravka_operator"), channel="letter", kind="appeal",
                       text="Письмо", received_at=now, municipality=tolyatti)
    with pytest.raises(ValidationError, match="Канал «pos»"):
        appeal_take_in(region=region, by=user("cur_operator"), channel="pos", kind="message", text="ПОС",
                       received_at=now, external_id="POS-0000001")
    for username in ("executor_pestravka_zhkh", "cur_curator", "cur_integrator"):
        with pytest.raises(PermissionDenied):
            appeal_take_in(region=region, by=user(username), channel="letter", kind="appeal", text="Письмо",
                           received_at=now)
    own = appeal_take_in(region=region, by=user("pestravka_operator"), channel="letter", kind="appeal",
                         text="Письмо", received_at=now)
    assert own.municipality.oktmo == PESTRAVKA and Appeal.objects.count() == 1


def test_the_staff_form_service_writes_only_in_the_writers_region():
    from django.utils import timezone

    from appeals.intake.staff import appeal_take_in
    from cur.permissions import Forbidden
    from municipalities.models import Region

    chuvashia = Region.objects.get(code="chuvashia")
    with pytest.raises(Forbidden):
        appeal_take_in(region=chuvashia, by=user("cur_operator"), channel="letter", kind="appeal", text="Нет воды",
                       received_at=timezone.now())
    assert not Appeal.objects.filter(region=chuvashia, text="Нет воды").exists()
