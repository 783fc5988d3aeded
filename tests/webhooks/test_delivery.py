"""Retries with backoff, deduplication, the switch-off with its notices, switching on again — with the task
functions run directly and the clock given as `now`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from appeals.models import WebhookDelivery, WebhookSubscription
from appeals.webhooks.delivery import BACKOFF, retry_delay, webhook_deliveries_send
from appeals.webhooks.dispatch import webhook_events_dispatch
from appeals.webhooks.services import (
    contact_address,
    webhook_deliveries_prune,
    webhook_deliveries_retry,
    webhook_subscription_disable,
    webhook_subscription_enable,
)
from cur.celery import app as celery_app
from cur.models import StaffNotification
from tests.personas import PESTRAVKA

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    """Tasks started on commit run in the test's process, through their real entry points."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def one_event(make_appeal, subscribe):
    """A region-wide subscription at /hook and one appeal created after it: one delivery to make."""

    def make(**client):
        subscription = subscribe("cur_integrator", "/hook", **client)
        webhook_events_dispatch()
        make_appeal(PESTRAVKA)
        return subscription

    return make


def test_500_twice_then_200_is_delivered_once_after_three_attempts(one_event, receiver):
    one_event()
    receiver.answers["/hook"] = [500, 500]
    t0 = timezone.now()
    assert webhook_events_dispatch(now=t0).deliveries == 1

    assert webhook_deliveries_send(now=t0).retried == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error.startswith("HTTP 500") and delivery.claimed_until is None
    assert t0 + timedelta(seconds=24) <= delivery.next_attempt_at <= t0 + timedelta(seconds=36)  # 30 s ± 20 %

    assert webhook_deliveries_send(now=t0 + timedelta(seconds=20)).attempted == 0  # not due yet
    t1 = t0 + timedelta(seconds=40)
    assert webhook_deliveries_send(now=t1).retried == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert t1 + timedelta(seconds=96) <= delivery.next_attempt_at <= t1 + timedelta(seconds=144)  # 2 min ± 20 %

    assert webhook_deliveries_send(now=t1 + timedelta(minutes=3)).delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status, delivery.last_error) == ("delivered", 3, 200, "")
    assert delivery.delivered_at == t1 + timedelta(minutes=3) and delivery.next_attempt_at is None
    assert webhook_deliveries_send(now=t1 + timedelta(days=1)).attempted == 0  # nothing left
    sent = receiver.at("/hook")
    assert len(sent) == 3 and len({r.event_id for r in sent}) == 1 and len({r.body for r in sent}) == 1
    assert len(receiver.accepted("/hook")) == 1


def test_a_resent_delivery_has_the_same_id_and_body_and_the_receiver_drops_it(one_event, receiver):
    one_event()
    webhook_events_dispatch()
    webhook_deliveries_send()
    delivery = WebhookDelivery.objects.get()
    webhook_deliveries_retry(delivery_ids=[delivery.pk])  # the admin's «Повторить доставку»
    assert webhook_deliveries_send().delivered == 1
    first, again = receiver.at("/hook")
    assert first.event_id == again.event_id == str(delivery.delivery_id)
    assert first.body == again.body
    assert again.verified and [r.event_id for r in receiver.accepted("/hook")] == [first.event_id]


def test_dispatch_run_twice_makes_no_second_delivery(one_event, make_appeal, receiver):
    one_event()
    assert webhook_events_dispatch().deliveries == 1
    again = webhook_events_dispatch()  # the same events are read again below the horizon
    assert again.events >= 1 and again.deliveries == 0
    make_appeal(PESTRAVKA)
    assert webhook_events_dispatch().deliveries == 1
    assert WebhookDelivery.objects.count() == 2
    webhook_deliveries_send()
    assert len(receiver.got) == 2


def test_the_backoff_grows_to_half_a_day_and_stays_there():
    assert [round(retry_delay(n).total_seconds() / base, 1) >= 0.8 for n, base in enumerate(BACKOFF, 1)] == \
        [True] * len(BACKOFF)
    assert timedelta(hours=9.6) <= retry_delay(20) <= timedelta(hours=14.4)
    # 8 attempts: the last one some 22 hours after the first
    assert 20 * 3600 < sum(BACKOFF) < 24 * 3600


@override_settings(CUR_WEBHOOK_ATTEMPTS=2, CUR_WEBHOOK_DISABLE_AFTER=2)
def test_after_n_failed_deliveries_the_subscription_is_switched_off_with_notices(
        one_event, make_appeal, receiver, eager_tasks, django_capture_on_commit_callbacks):
    subscription = one_event(contact="Иванов И. И., тел. 8 846 000-00-00, ivanov@portal.example.ru")
    make_appeal(PESTRAVKA)
    make_appeal(PESTRAVKA)  # three deliveries
    receiver.answers["/hook"] = [503] * 10
    t0 = timezone.now()
    webhook_events_dispatch(now=t0)
    assert webhook_deliveries_send(now=t0).retried == 3
    subscription.refresh_from_db()
    assert subscription.failures == 0  # a failed attempt is not yet a failed delivery
    with django_capture_on_commit_callbacks(execute=True):
        report = webhook_deliveries_send(now=t0 + timedelta(minutes=1))
    assert (report.failed, report.disabled) == (3, 1)

    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at == t0 + timedelta(minutes=1)
    assert subscription.failures == 3 and "HTTP 503" in subscription.disabled_reason
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    notices = StaffNotification.objects.filter(title__contains="Отключена подписка")
    recipients = {n.recipient.username for n in notices}
    assert {"cur_head", "admin"} <= recipients and "pestravka_operator" not in recipients
    assert all(n.url == f"/admin/appeals/webhooksubscription/{subscription.pk}/change/" for n in notices)
    to = [message.to for message in mail.outbox]
    assert ["ivanov@portal.example.ru"] in to  # the client's contact
    assert any(notice.emailed_at for notice in notices) or not any(n.recipient.email for n in notices)

    # switched off: new events are not dispatched to it, nothing is sent
    make_appeal(PESTRAVKA)
    assert webhook_events_dispatch(now=t0 + timedelta(minutes=2)).deliveries == 0
    assert webhook_deliveries_send(now=t0 + timedelta(days=2)).attempted == 0


def test_a_delivered_event_resets_the_count_of_failures(one_event, receiver):
    subscription = one_event()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failures=4)  # one short of the switch-off
    webhook_events_dispatch()
    assert webhook_deliveries_send().delivered == 1
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failures == 0


def test_switched_on_again_the_deliveries_that_waited_are_sent(one_event, make_appeal, receiver):
    subscription = one_event()
    webhook_events_dispatch()
    assert webhook_subscription_disable(subscription_id=subscription.pk, reason="проверка") == 1
    assert webhook_subscription_disable(subscription_id=subscription.pk, reason="проверка") == 0  # once
    waiting = WebhookDelivery.objects.get(status="pending")
    assert waiting.next_attempt_at is None  # parked while off
    assert webhook_deliveries_send().attempted == 0
    assert webhook_subscription_enable(subscription=subscription) == 1
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.disabled_at is None and subscription.disabled_reason == ""
    assert webhook_deliveries_send().delivered == 1
    assert len(receiver.accepted("/hook")) == 1


def test_a_receiver_that_is_down_fails_its_attempts_without_a_timeout_each(make_appeal, subscribe):
    subscription = subscribe("cur_integrator", "/hook")
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url="http://127.0.0.1:9/hook")  # discard port
    webhook_events_dispatch()
    for _ in range(3):
        make_appeal(PESTRAVKA)
    webhook_events_dispatch()
    report = webhook_deliveries_send()
    assert report.retried == 3
    errors = list(WebhookDelivery.objects.values_list("last_error", flat=True))
    assert all(e.startswith(("Нет соединения", "Не отправлено в этом проходе")) for e in errors), errors


def test_a_redirect_is_not_followed(one_event, receiver):
    one_event()
    receiver.answers["/hook"] = [302]
    webhook_events_dispatch()
    webhook_deliveries_send()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status == 302
    assert "переадресация не выполняется" in delivery.last_error


def test_old_deliveries_are_pruned_pending_ones_kept(one_event, make_appeal, receiver):
    one_event()
    make_appeal(PESTRAVKA)
    webhook_events_dispatch()
    webhook_deliveries_send()
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.order_by("pk").first().pk).update(status="pending")
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert webhook_deliveries_prune() == 1
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]


def test_the_contact_address_is_found_in_the_contact():
    assert contact_address("Петров П. П., p.petrov@samara.example, +7 846") == "p.petrov@samara.example"
    assert contact_address("+7 846 000-00-00, Петров") == ""
    assert contact_address("") == ""


def test_the_dispatch_task_starts_the_delivery_once_it_commits(one_event, receiver, eager_tasks,
                                                                 django_capture_on_commit_callbacks):
    one_event()
    from appeals.tasks import webhooks_dispatch

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_dispatch.delay().get()["deliveries"] == 1
    assert len(receiver.accepted("/hook")) == 1
