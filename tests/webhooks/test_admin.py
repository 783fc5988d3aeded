"""The admin of webhooks: subscribing shows the secret once, a switched-off subscription is switched on again,
the delivery log is read-only with «Повторить доставку»; people without the admin have none of it."""

from __future__ import annotations

import pytest

from appeals.models import WebhookDelivery, WebhookSubscription
from appeals.webhooks.dispatch import webhook_events_dispatch
from appeals.webhooks.services import webhook_subscription_disable
from tests.personas import PESTRAVKA, user
from tests.webhooks.conftest import client_like

pytestmark = pytest.mark.django_db


def test_a_subscription_is_made_in_the_admin_and_its_secret_shown_once(client, receiver):
    client.force_login(user("admin"))
    api_client = client_like("cur_integrator")
    page = client.get("/admin/appeals/webhooksubscription/add/")
    assert page.status_code == 200 and "Поступило обращение" in page.content.decode()
    response = client.post("/admin/appeals/webhooksubscription/add/", {
        "client": api_client.pk, "url": receiver.url("/hook"), "events": ["appeal.created", "appeal.closed"],
    }, follow=True)
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["appeal.created", "appeal.closed"] and subscription.is_active
    html = response.content.decode()
    assert "показан один раз" in html and subscription.secret in html
    change = client.get(f"/admin/appeals/webhooksubscription/{subscription.pk}/change/").content.decode()
    listing = client.get("/admin/appeals/webhooksubscription/").content.decode()
    assert subscription.secret not in change and subscription.secret not in listing
    assert "Закрыто" in listing


def test_the_admin_refuses_a_bad_address(client):
    client.force_login(user("admin"))
    response = client.post("/admin/appeals/webhooksubscription/add/", {
        "client": client_like("cur_integrator").pk, "url": "ftp://example.ru/x", "events": ["appeal.created"]})
    assert response.status_code == 200 and not WebhookSubscription.objects.exists()


def test_switched_on_again_and_a_delivery_retried_from_the_admin(client, make_appeal, subscribe, receiver):
    subscription = subscribe("cur_integrator", "/hook")
    webhook_events_dispatch()
    make_appeal(PESTRAVKA)
    webhook_events_dispatch()
    webhook_subscription_disable(subscription_id=subscription.pk, reason="Проверка отключения")
    client.force_login(user("admin"))
    listing = client.get("/admin/appeals/webhooksubscription/").content.decode()
    assert "Проверка отключения" in listing and "Включить снова" in listing
    client.post("/admin/appeals/webhooksubscription/", {"action": "enable", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failures == 0

    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    log = client.get("/admin/appeals/webhookdelivery/?status__exact=failed")
    assert log.status_code == 200 and "Повторить доставку" in log.content.decode()
    assert "appeal.created" in log.content.decode() or "Поступило обращение" in log.content.decode()
    detail = client.get(f"/admin/appeals/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert delivery.body[:40] in detail.replace("&quot;", '"') and 'name="_save"' not in detail  # read-only
    assert client.get("/admin/appeals/webhookdelivery/add/").status_code == 403
    client.post("/admin/appeals/webhookdelivery/", {"action": "retry", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


@pytest.mark.parametrize("username", ["pestravka_operator", "cur_operator", "cur_curator"])
def test_people_without_the_admin_see_no_subscriptions(client, username):
    client.force_login(user(username))
    assert client.get("/admin/appeals/webhooksubscription/").status_code == 302
    assert client.get("/admin/appeals/webhookdelivery/").status_code == 302
