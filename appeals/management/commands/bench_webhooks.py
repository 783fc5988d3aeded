"""Webhook timings for `make bench` (run by cur/bench/webhooks.py on the bench database).

- `webhook_dispatch_events_per_s`: events of the log turned into deliveries per second by the dispatcher
  (appeals/webhooks/dispatch.py) — N region-wide subscriptions and one МЦУ's, EVENTS events in one transaction;
- `webhook_deliveries_per_s`: deliveries per second of the real sender (appeals/webhooks/delivery.py: claim,
  sign, POST from the pool, record) to a local receiver in its own process that checks every signature;
- beside it `webhook_raw_posts_per_s`: the same signed bodies POSTed by the same pool and client, nothing else —
  the bare minimum of sending them at all.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import override_settings

from appeals.models import AppealEvent, WebhookDelivery, WebhookSubscription
from appeals.webhooks.delivery import webhook_deliveries_send
from appeals.webhooks.dispatch import webhook_events_dispatch
from appeals.webhooks.events import SENT_KINDS
from appeals.webhooks.services import webhook_subscribe
from appeals.webhooks.signing import signed_headers
from cur.api_clients import api_client_create
from cur.bench.webhooks import LocalReceiver, free_port, raw_posts_per_s
from cur.models import Centre, Membership
from municipalities.models import Region

EVENTS_SQL = f"""
WITH a AS (
    SELECT id, region_id, agency_id, row_number() OVER (ORDER BY id DESC) - 1 AS n
    FROM appeals_appeal WHERE region_id = %(region)s ORDER BY id DESC LIMIT %(events)s
), k AS (SELECT count(*) AS k FROM a)
INSERT INTO {AppealEvent._meta.db_table} (appeal_id, region_id, agency_id, at, kind, field, old_value, new_value,
                                          reason)
SELECT a.id, a.region_id, a.agency_id, now(), (%(kinds)s::text[])[1 + g %% cardinality(%(kinds)s::text[])],
       '', '', '', ''
FROM generate_series(0, %(events)s - 1) g CROSS JOIN k JOIN a ON a.n = g %% k.k
"""


class Command(BaseCommand):
    help = "Time the webhook dispatcher and sender against a local receiver; print BENCH lines."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=5000)
        parser.add_argument("--subscriptions", type=int, default=4)
        parser.add_argument("--concurrency", type=int, default=32)

    def handle(self, *args, events: int, subscriptions: int, concurrency: int, **options):
        with override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=True, CUR_WEBHOOK_CONCURRENCY=concurrency):
            self._run(events=events, subscriptions=subscriptions, concurrency=concurrency)

    def _run(self, *, events: int, subscriptions: int, concurrency: int) -> None:
        region = Region.objects.get(code="samara")
        region_centre = Centre.objects.get(level=Centre.Level.REGION, region=region)
        mcu = Centre.objects.filter(level=Centre.Level.MUNICIPAL, region=region).order_by("pk").first()
        port = free_port()
        made = []
        for n in range(subscriptions + 1):
            centre, role = (region_centre, Membership.Role.INTEGRATOR) if n < subscriptions else \
                (mcu, Membership.Role.OPERATOR)
            client = api_client_create(name=f"Бенчмарк вебхуков {time.time_ns()}-{n}", role=role, centre=centre)
            made.append(webhook_subscribe(client=client, url=f"http://127.0.0.1:{port}/hook/{n}",
                                          events=WebhookSubscription.Event.values))
        receiver = LocalReceiver(port, {f"/hook/{n}": s.secret for n, s in enumerate(made)})
        try:
            webhook_events_dispatch()  # the reader starts after the generated history
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(EVENTS_SQL, {"region": region.pk, "events": events, "kinds": list(SENT_KINDS)})
                written = cursor.rowcount
            started = time.perf_counter()
            dispatched = webhook_events_dispatch()
            dispatch_s = time.perf_counter() - started
            self.stdout.write(f"# {written} events × {subscriptions} region-wide subscriptions + 1 МЦУ: "
                              f"{dispatched.deliveries} deliveries made in {dispatch_s:.2f} s")
            self._line("webhook_dispatch_events_per_s", dispatched.events / dispatch_s, "events/s")

            started = time.perf_counter()
            delivered = 0
            while True:
                report = webhook_deliveries_send()
                delivered += report.delivered
                if not report.attempted:
                    break
            deliver_s = time.perf_counter() - started
            counts = receiver.counts()
            self.stdout.write(f"# {delivered} delivered in {deliver_s:.2f} s with {concurrency} at once; the receiver "
                              f"verified {counts['received']}, refused {counts['bad']}")
            self._line("webhook_deliveries_per_s", delivered / deliver_s, "deliveries/s")

            secrets = {s.pk: s.secret for s in made}
            urls = {s.pk: s.url for s in made}
            requests = []
            for subscription_id, delivery_id, event_type, body in WebhookDelivery.objects.filter(
                    subscription__in=made).values_list("subscription_id", "delivery_id", "event_type", "body"):
                data = body.encode()
                requests.append((urls[subscription_id], data, signed_headers(
                    secret=secrets[subscription_id], delivery_id=str(delivery_id), event_type=event_type,
                    timestamp=int(time.time()), body=data)))
            self._line("webhook_raw_posts_per_s", raw_posts_per_s(requests, concurrency=concurrency), "posts/s")
        finally:
            receiver.stop()
            WebhookSubscription.objects.filter(pk__in=[s.pk for s in made]).delete()  # a next run starts clean

    def _line(self, name: str, value: float, unit: str) -> None:
        self.stdout.write(f"BENCH {name} {value:.0f} {unit}")
        self.stdout.flush()
