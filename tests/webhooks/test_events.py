"""A receiver written from docs/webhooks.md gets signed events of the appeal's life made through the real
services — and nothing that identifies the citizen."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Appeal, Status, WebhookDelivery
from appeals.webhooks.delivery import webhook_deliveries_send
from appeals.webhooks.dispatch import webhook_events_dispatch
from cur.models import Agency
from tests.personas import PESTRAVKA, user
from tests.webhooks.conftest import verify

pytestmark = pytest.mark.django_db

CITIZEN = "Петрова Анна Сергеевна"
EMAIL = "petrova@example.ru"
PHONE = "+79271234567"
TEXT = "Нет горячей воды третий день, ул. Молодёжная, д. 5"


def send() -> None:
    webhook_events_dispatch()
    webhook_deliveries_send()


def test_the_life_of_an_appeal_arrives_signed_one_event_each(make_appeal, subscribe, receiver):
    subscribe("cur_integrator", "/all")
    webhook_events_dispatch()  # the reader starts here: what came before webhooks is not sent
    operator, executor = user("pestravka_operator"), user("executor_pestravka_zhkh")
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")

    appeal = make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, citizen_name=CITIZEN, citizen_email=EMAIL,
                         citizen_phone=PHONE, text=TEXT, title="Горячая вода", address="ул. Молодёжная, д. 5")
    send()
    appeal = transitions.appeal_register(appeal=appeal, by=operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator)
    send()
    transitions.answer_submit(appeal=appeal, text="Работы начаты, срок — 20.03.", by=executor, is_interim=True)
    transitions.answer_submit(appeal=Appeal.objects.get(pk=appeal.pk), text="Трубы заменены 14.03.", by=executor)
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator)
    appeal = transitions.appeal_reopen(appeal=appeal, reason="Жалоба повторилась", by=operator)
    Appeal.objects.filter(pk=appeal.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    appeals_refresh_overdue(now=timezone.now())  # the sweep writes its events in SQL: read from the log all the same
    send()

    # in the order of the history (a batch is sent concurrently: the receiver's order is not promised)
    order = dict(WebhookDelivery.objects.values_list("delivery_id", "appeal_event_id"))
    got = sorted(receiver.accepted("/all"), key=lambda r: order[uuid.UUID(r.event_id)])
    assert [(r.json["type"], r.json["data"]["event"]["kind"], r.json["data"]["event"]["interim"]) for r in got] == [
        ("appeal.created", "created", False),
        ("appeal.assigned", "assigned", False),
        ("appeal.answered", "interim_answered", True),
        ("appeal.answered", "answered", False),
        ("appeal.closed", "closed", False),
        ("appeal.reopened", "reopened", False),
        ("appeal.overdue", "overdue", False),
    ]
    assert all(r.verified for r in receiver.got) and len(receiver.got) == 7  # nothing twice, nothing unsigned
    for r in got:
        assert r.headers["X-Cur-Event-Id"] == r.json["id"]
        assert r.headers["X-Cur-Event-Type"] == r.json["type"]
        assert r.headers["Content-Type"].startswith("application/json")
        body = r.json["data"]["appeal"]
        assert body["id"] == appeal.pk and body["number"] == appeal.number
        assert body["municipality_oktmo"] == PESTRAVKA and body["sector"] == "housing_utilities"
        assert body["url"].endswith(f"/api/v1/appeals/{appeal.pk}/") and body["url"].startswith("http")
    assert got[0].json["data"]["appeal"]["agency"] is None or got[0].json["type"] == "appeal.created"
    assert got[-1].json["data"]["appeal"]["is_overdue"] is True
    # the body is exactly what was kept: compact, keys sorted, UTF-8
    kept = WebhookDelivery.objects.get(delivery_id=got[0].event_id)
    assert got[0].body == kept.body.encode()
    assert kept.body == json.dumps(json.loads(kept.body), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert set(kept.status for kept in WebhookDelivery.objects.all()) == {"delivered"}


def test_no_personal_data_travels_in_a_body(make_appeal, subscribe, receiver):
    subscribe("cur_integrator", "/all")
    webhook_events_dispatch()
    make_appeal(PESTRAVKA, citizen_name=CITIZEN, citizen_email=EMAIL, citizen_phone=PHONE, text=TEXT,
                title="Горячая вода у Петровой", address="ул. Молодёжная, д. 5, кв. 12",
                citizen_address="446160, с. Пестравка, ул. Молодёжная, д. 5, кв. 12")
    send()
    (received,) = receiver.accepted("/all")
    raw = received.body.decode()
    for secret in ("Петров", "petrova", "927123", "Молодёжная", "Горячая", "горячей", "кв. 12", "446160"):
        assert secret not in raw, secret
    assert set(received.json["data"]["appeal"]) == {
        "id", "number", "status", "kind", "channel", "sector", "subtopic", "municipality_oktmo", "agency", "due_at",
        "is_overdue", "url"}


def test_a_receiver_with_the_wrong_secret_rejects_the_event(make_appeal, subscribe, receiver):
    subscription = subscribe("cur_integrator", "/all")
    receiver.secrets["/all"] = "не тот секрет"
    webhook_events_dispatch()
    make_appeal(PESTRAVKA)
    send()
    (received,) = receiver.got
    assert not received.verified
    assert verify(subscription.secret, received.headers, received.body)  # the right one would have accepted it
    tampered = received.body.replace(b"appeal.created", b"appeal.closed")
    assert not verify(subscription.secret, received.headers, tampered)  # a changed body fails
    old = int(received.headers["X-Cur-Timestamp"]) + 301
    assert not verify(subscription.secret, received.headers, received.body, now=old)  # so does a replay later
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status, delivery.attempts) == ("pending", 401, 1)


def test_a_subscription_gets_only_the_types_it_asked_for(make_appeal, subscribe, receiver):
    subscribe("cur_integrator", "/closed", events=["appeal.closed", "appeal.overdue"])
    webhook_events_dispatch()
    appeal = make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy")
    transitions.answer_submit(appeal=appeal, text="Сделано 14.03.", by=user("executor_pestravka_zhkh"))
    transitions.appeal_leave_without_answer  # noqa: B018 — the other way to close, mapped to appeal.closed too
    transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=user("pestravka_operator"))
    send()
    assert [r.json["type"] for r in receiver.accepted("/closed")] == ["appeal.closed"]
