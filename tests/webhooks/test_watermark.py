"""The event log's watermark skips nothing committed late: an event written by a transaction that began before
a dispatch and commits after it is delivered by the next one — once."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from appeals.models import AppealEvent, WebhookDelivery
from appeals.webhooks.delivery import webhook_deliveries_send
from appeals.webhooks.dispatch import webhook_events_dispatch
from tests.personas import PESTRAVKA


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_after_a_dispatch_began_is_delivered_by_the_next(reference, make_appeal, subscribe,
                                                                              receiver):
    subscribe("cur_integrator", "/hook")
    webhook_events_dispatch()
    first = make_appeal(PESTRAVKA)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as slow:  # a long transaction: it writes an event and holds on
        slow.execute("SELECT pg_current_xact_id()")
        slow.execute(
            f"INSERT INTO {AppealEvent._meta.db_table} (appeal_id, region_id, at, kind, field, old_value, new_value,"
            " reason) VALUES (%s, %s, now(), 'overdue', 'due_at', '', '', '')", [first.pk, first.region_id])
        second = make_appeal(PESTRAVKA)  # committed meanwhile, by a newer transaction

        assert webhook_events_dispatch().deliveries == 2  # sent at once, not held back by the slow one
        slow.commit()
    assert webhook_events_dispatch().deliveries == 1  # the late one, not skipped
    assert webhook_events_dispatch().deliveries == 0
    webhook_deliveries_send()
    kinds = sorted((r.json["data"]["appeal"]["id"], r.json["type"]) for r in receiver.accepted("/hook"))
    assert kinds == [(first.pk, "appeal.created"), (first.pk, "appeal.overdue"), (second.pk, "appeal.created")]
    assert WebhookDelivery.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_new_subscription_gets_no_history_while_a_long_transaction_holds_the_horizon(reference, make_appeal,
                                                                                       subscribe, receiver):
    subscribe("cur_integrator", "/old")
    webhook_events_dispatch()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as slow:
        slow.execute("SELECT pg_current_xact_id()")  # holds the horizon below everything that follows
        before = make_appeal(PESTRAVKA)
        assert webhook_events_dispatch().deliveries == 1  # to /old
        subscribe("cur_integrator", "/new", name="Новый портал")
        after = make_appeal(PESTRAVKA)
        report = webhook_events_dispatch()  # `before`'s event is read again, below the horizon
        assert report.events == 2 and report.deliveries == 2  # `after` to both; `before` is history to /new
        slow.rollback()
    webhook_deliveries_send()
    assert {r.json["data"]["appeal"]["id"] for r in receiver.accepted("/old")} == {before.pk, after.pk}
    assert {r.json["data"]["appeal"]["id"] for r in receiver.accepted("/new")} == {after.pk}
