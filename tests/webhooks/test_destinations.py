"""Which addresses may subscribe and receive: http(s) only; no private or loopback ones in production (SSRF)."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from appeals.models import WebhookDelivery
from appeals.webhooks.delivery import webhook_deliveries_send
from appeals.webhooks.destinations import address_problem
from appeals.webhooks.dispatch import webhook_events_dispatch
from appeals.webhooks.services import webhook_subscribe
from tests.personas import PESTRAVKA
from tests.webhooks.conftest import client_like

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["ftp://example.ru/hook", "file:///etc/passwd", "javascript:alert(1)",
                                 "http:///hook", "example.ru/hook", ""])
def test_only_http_and_https_addresses_are_accepted(url):
    with pytest.raises(ValidationError) as refused:
        webhook_subscribe(client=client_like("cur_integrator"), url=url, events=["appeal.created"])
    assert "url" in refused.value.message_dict


def test_unknown_or_no_events_are_refused():
    client = client_like("cur_integrator")
    with pytest.raises(ValidationError, match="Нет таких событий"):
        webhook_subscribe(client=client, url="http://127.0.0.1:1/h", events=["appeal.deleted"])
    with pytest.raises(ValidationError, match="хотя бы одно"):
        webhook_subscribe(client=client, url="http://127.0.0.1:1/h", events=[])


def test_the_subscription_gets_a_fresh_secret_and_its_events_in_order():
    client = client_like("cur_integrator")
    one = webhook_subscribe(client=client, url="http://127.0.0.1:1/a", events=["appeal.closed", "appeal.created",
                                                                                "appeal.closed"])
    two = webhook_subscribe(client=client, url="http://127.0.0.1:1/b", events=["appeal.created"])
    assert one.events == ["appeal.created", "appeal.closed"]
    assert len(one.secret) >= 43 and one.secret != two.secret


@override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook",
                                 "https://100.64.0.1/hook"])
def test_in_production_private_and_loopback_addresses_are_refused(url):
    with pytest.raises(ValidationError, match="внутреннюю сеть|не найден"):
        webhook_subscribe(client=client_like("cur_integrator"), url=url, events=["appeal.created"])


@override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=False)
def test_a_public_address_literal_passes_the_check():
    assert address_problem("https://8.8.8.8/hook") == ""  # checked without sending anything


def test_an_address_turned_private_later_is_not_posted_to(make_appeal, subscribe, receiver):
    """Subscribed while allowed (or a name that resolved elsewhere then): the check runs again before a POST."""
    subscribe("cur_integrator", "/hook")
    webhook_events_dispatch()
    make_appeal(PESTRAVKA)
    webhook_events_dispatch()
    with override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=False):
        assert webhook_deliveries_send().retried == 1
    assert receiver.got == []  # nothing reached the receiver
    delivery = WebhookDelivery.objects.get()
    assert "внутреннюю сеть" in delivery.last_error and delivery.last_status is None


@pytest.fixture
def named(make_appeal, receiver):
    """named(host) → the receiver's port, with one delivery due to http://<host>:<port>/hook (the name resolved by
    the test's own getaddrinfo)."""

    def make(host: str) -> int:
        port = int(receiver.base.rsplit(":", 1)[1])
        subscription = webhook_subscribe(client=client_like("cur_integrator"), url=f"http://{host}:{port}/hook",
                                         events=["appeal.created"])
        receiver.secrets["/hook"] = subscription.secret
        webhook_events_dispatch()
        make_appeal(PESTRAVKA)
        webhook_events_dispatch()
        return port

    return make


def test_a_name_that_rebinds_to_a_private_address_between_check_and_connection_reaches_nothing(
        named, receiver, monkeypatch):
    """DNS rebinding: the name answers a public address to the checks and the receiver's loopback one to whatever
    resolves it next — the connection resolves it itself and opens only to an address it has just found public."""
    port = named("rebind.example")
    real, asked = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real(host, *args, **kwargs)
        asked.append(host)
        address = "93.184.216.34" if len(asked) == 1 else "127.0.0.1"  # public once, then loopback
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=False):
        report = webhook_deliveries_send()
    assert len(asked) == 2 and report.retried == 1  # checked before the POST, then resolved again to connect
    assert receiver.got == []
    assert "внутреннюю сеть" in WebhookDelivery.objects.get().last_error


def test_a_public_name_is_connected_to_at_the_address_just_checked(named, receiver, monkeypatch):
    """The connection goes to the address the check found, and the request still names the host."""
    port = named("hooks.example")
    real = socket.getaddrinfo

    def loopback_is_public(host, *args, **kwargs):  # «hooks.example» → the receiver, and loopback counts as public
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_is_public)
    monkeypatch.setattr("appeals.webhooks.destinations._public", lambda address: address == "127.0.0.1")
    with override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=False):
        assert webhook_deliveries_send().delivered == 1
    assert [r.verified for r in receiver.got] == [True]
    assert receiver.got[0].headers["Host"] == f"hooks.example:{port}"  # the name is still the request's host
