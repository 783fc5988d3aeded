"""The reader of the event log that turns new events into deliveries (Celery beat, every few seconds).

It reads the log, not hooks in the services: every path that writes an event — the services, the overdue
sweep's SQL, COPY of a bulk import — is covered, and a delivery exists only for an event that committed.

The watermark (EventReader «webhooks») is a transaction id, as the rollups keep theirs (rollups/services.py).
A run reads the events with `xact >=` the watermark — with no upper bound, so an event is sent as soon as it is
committed, even while an older transaction (a rebuild, a big import) still runs — and then moves the watermark
to the horizon taken before reading: the oldest transaction still running, below which all have finished. An
event of a transaction at or above the horizon that commits later is read by a later run; one already read is
read again until the horizon passes it, and the pair (subscription, event) is delivered once all the same: the
pairs already made are skipped, and the unique constraint with INSERT … ON CONFLICT DO NOTHING stands behind it.
A subscription keeps the snapshot it was made in (`since_snapshot`): an event read again that had committed
before the subscription existed is history to it and is not sent (`Since.news`).

Events are read in batches of BATCH with one statement each; the subscribers' scopes are resolved once per run
and judged in memory by `Scope.covers` — the rule of `cur/scoping.py` — so a run costs a few statements per
thousands of events, whatever the number of subscriptions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, EventReader, WebhookDelivery, WebhookSubscription
from appeals.tasks import webhooks_deliver
from appeals.webhooks.events import SENT_KINDS, TYPE_OF_KIND, EventRow, appeal_url_template, delivery_body
from cur.models import Agency, Sector, Subtopic
from cur.scoping import Scope, scope_of
from municipalities.models import Municipality

READER = "webhooks"
LOCK = 0x77656268  # one dispatch at a time: pg_try_advisory_xact_lock(LOCK)
BATCH = 5000  # events per statement
DELIVERIES = WebhookDelivery._meta.db_table
SCRATCH = "webhook_dispatch_rows"  # a temporary table of this session

EVENTS = f"""
SELECT e.id, e.kind, e.at, a.id, a.region_id, a.municipality_id, a.sector_id, a.agency_id, a.status, a.kind,
       a.channel, a.due_at, a.is_overdue, s.code, t.code, m.oktmo, g.code, e.xact
FROM {AppealEvent._meta.db_table} e
JOIN {Appeal._meta.db_table} a ON a.id = e.appeal_id
LEFT JOIN {Sector._meta.db_table} s ON s.id = a.sector_id
LEFT JOIN {Subtopic._meta.db_table} t ON t.id = a.subtopic_id
LEFT JOIN {Municipality._meta.db_table} m ON m.id = a.municipality_id
LEFT JOIN {Agency._meta.db_table} g ON g.id = a.agency_id
WHERE e.id = ANY(%s)
ORDER BY e.id
"""


@dataclass
class DispatchReport:
    events: int = 0  # events read (of the kinds that are sent)
    deliveries: int = 0  # deliveries made
    busy: bool = False  # another dispatch was running: this one did nothing


def _horizon(cursor) -> int:
    """The oldest transaction still running (our own included): everything below it has finished."""
    cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class Since:
    """The snapshot a subscription was made in: an event of a transaction visible in it (committed before the
    subscription existed) is history, not news. The subscribing transaction's own events are news."""

    xmin: int = 0
    xmax: int = 0
    running: frozenset[int] = frozenset()
    own: int | None = None

    @classmethod
    def parse(cls, text: str) -> Since:
        if not text:
            return cls()  # no snapshot kept: every event
        snapshot, _, own = text.partition("|")
        xmin, xmax, running = snapshot.split(":")
        return cls(int(xmin), int(xmax), frozenset(int(x) for x in running.split(",") if x),
                   int(own) if own else None)

    def news(self, xact: int | None) -> bool:
        if xact is None or xact == self.own:
            return True
        return not (xact < self.xmin or (xact < self.xmax and xact not in self.running))


def _targets() -> dict[str, list[tuple[WebhookSubscription, Scope, Since]]]:
    """The active subscriptions of active clients by the type they want, each with its client's scope (resolved
    once per client: the client's user has its Membership like a person of that role)."""
    subscriptions = (WebhookSubscription.objects.filter(is_active=True, client__is_active=True,
                                                        client__user__is_active=True)
                     .select_related("client__user").order_by("pk"))
    scopes: dict[int, Scope] = {}
    targets: dict[str, list[tuple[WebhookSubscription, Scope, Since]]] = defaultdict(list)
    for subscription in subscriptions:
        user = subscription.client.user
        if user.pk not in scopes:
            scopes[user.pk] = scope_of(user)
        since = Since.parse(subscription.since_snapshot)
        for event_type in set(subscription.events):
            targets[event_type].append((subscription, scopes[user.pk], since))
    return targets


@transaction.atomic
def webhook_events_dispatch(*, now: datetime | None = None) -> DispatchReport:
    """Make the deliveries of the events committed since the last run, for every active subscription that
    wants the event's type and whose client's scope covers the appeal; returns the counts. A run that finds
    another one running returns at once (the running one reads the same events)."""
    now = now or timezone.now()
    report = DispatchReport()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            report.busy = True
            return report
        horizon = _horizon(cursor)
        # The first run starts from the present: the history before webhooks existed is not sent.
        EventReader.objects.get_or_create(name=READER, defaults={"xact": horizon})
        reader = EventReader.objects.select_for_update().get(name=READER)
        targets = _targets()
        if targets:
            cursor.execute(f"SELECT id FROM {AppealEvent._meta.db_table} WHERE xact >= %s AND kind = ANY(%s)",
                           [reader.xact, list(SENT_KINDS)])
            event_ids = sorted(row[0] for row in cursor.fetchall())
            report.events = len(event_ids)
            subscription_ids = sorted({s.pk for pairs in targets.values() for s, _, _ in pairs})
            url_template = appeal_url_template()
            for start in range(0, len(event_ids), BATCH):
                report.deliveries += _dispatch_batch(cursor, event_ids[start:start + BATCH], targets=targets,
                                                     subscription_ids=subscription_ids, now=now,
                                                     url_template=url_template)
        reader.xact, reader.read_at = max(reader.xact, horizon), now
        reader.save(update_fields=["xact", "read_at"])
    if report.deliveries:
        transaction.on_commit(webhooks_deliver.delay)
    return report


def _dispatch_batch(cursor, event_ids: list[int], *, targets, subscription_ids: list[int], now: datetime,
                    url_template: str) -> int:
    cursor.execute(EVENTS, [event_ids])
    rows = [EventRow(*row) for row in cursor.fetchall()]
    # pairs made by an earlier run (an event read again below the horizon): skipped before any body is built
    cursor.execute(f"SELECT subscription_id, appeal_event_id FROM {DELIVERIES} "
                   "WHERE subscription_id = ANY(%s) AND appeal_event_id = ANY(%s)", [subscription_ids, event_ids])
    made = set(cursor.fetchall())
    # COPY into a scratch table, then one INSERT … ON CONFLICT DO NOTHING: a list of 20 000 bodies bound as
    # parameters costs more to quote on the client than to write
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {SCRATCH} (subscription_id bigint, appeal_event_id bigint, "
                   "delivery_id uuid, event_type text, body text) ON COMMIT DELETE ROWS")
    cursor.execute(f"TRUNCATE {SCRATCH}")
    count = 0
    with cursor.cursor.copy(f"COPY {SCRATCH} FROM STDIN") as copy:
        for row in rows:
            event_type = TYPE_OF_KIND[row.kind]
            for subscription, scope, since in targets.get(event_type, ()):
                if (subscription.pk, row.event_id) in made or not scope.covers(row) or not since.news(row.xact):
                    continue
                delivery_id = uuid.uuid4()
                copy.write_row((subscription.pk, row.event_id, delivery_id, event_type,
                                delivery_body(row, delivery_id=delivery_id, created_at=now, url_template=url_template)))
                count += 1
    if not count:
        return 0
    cursor.execute(
        f"""
        INSERT INTO {DELIVERIES} (subscription_id, appeal_event_id, delivery_id, event_type, body, status, attempts,
                                  next_attempt_at, last_error, created_at)
        SELECT subscription_id, appeal_event_id, delivery_id, event_type, body, %(pending)s, 0, %(now)s, '', %(now)s
        FROM {SCRATCH} ORDER BY appeal_event_id, subscription_id
        ON CONFLICT DO NOTHING
        """,
        {"pending": WebhookDelivery.Status.PENDING.value, "now": now},
    )
    return cursor.rowcount
