"""The POSTs (Celery: after each dispatch that made deliveries, and on beat for the retries).

A run claims the due deliveries in batches with one conditional UPDATE (`claimed_until`, SKIP LOCKED: two
workers never take the same one; a worker that died leaves its claim to expire), POSTs a batch concurrently
from a thread pool over one httpx client (keep-alive per receiver), and writes the batch's outcomes in one
statement that touches only the deliveries still claimed by this run. 2xx — delivered; anything else
(a redirect is not followed) — tried again after BACKOFF with ±20 % jitter, up to CUR_WEBHOOK_ATTEMPTS times,
then failed. At least once: a delivery whose outcome was not written (a crash) is sent again, with the same id
and body, for the receiver to recognise.

A subscription whose CUR_WEBHOOK_DISABLE_AFTER deliveries in a row failed (every attempt) is switched off, with a
notice (services.webhook_subscription_disable); a delivered one resets the count. A receiver that does not
answer or refuses the connection is not tried again within the same batch: its other deliveries there fail
their attempt at once instead of holding the pool for a timeout each.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from appeals.models import WebhookDelivery, WebhookSubscription
from appeals.webhooks.destinations import address_problem, public_only_transport
from appeals.webhooks.services import webhook_subscription_disable
from appeals.webhooks.signing import signed_headers
from cur.models import ApiClient

# Pauses after the 1st, 2nd … failed attempt: with 8 attempts the last comes some 22 hours after the first.
BACKOFF = (30, 120, 600, 3600, 3 * 3600, 6 * 3600, 12 * 3600)  # seconds
JITTER = 0.2
BATCH = 200  # deliveries claimed at once
LEASE = timedelta(minutes=10)  # a batch is written long before: a claim older than this is a dead worker's
RESPONSE_KEPT = 300  # characters of a refusal's body kept in last_error
RESPONSE_READ = 64 * 1024  # bytes of an answer read at most

DELIVERIES = WebhookDelivery._meta.db_table
SUBSCRIPTIONS = WebhookSubscription._meta.db_table
CLIENTS = ApiClient._meta.db_table
Status = WebhookDelivery.Status

CLAIM = f"""
WITH due AS (
    SELECT d.id FROM {DELIVERIES} d
    WHERE d.status = 'pending' AND d.next_attempt_at <= %(now)s
      AND (d.claimed_until IS NULL OR d.claimed_until < %(now)s)
      AND EXISTS (SELECT 1 FROM {SUBSCRIPTIONS} s JOIN {CLIENTS} c ON c.id = s.client_id
                  WHERE s.id = d.subscription_id AND s.is_active AND c.is_active)
    ORDER BY d.next_attempt_at  -- the partial index's order alone: a tie-break would sort every due row
    LIMIT %(size)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE {DELIVERIES} d SET claimed_until = %(lease)s
FROM due, {SUBSCRIPTIONS} s
WHERE d.id = due.id AND s.id = d.subscription_id
RETURNING d.id, d.delivery_id::text, d.event_type, d.body, d.attempts, d.subscription_id, s.url, s.secret
"""

RECORD = f"""
UPDATE {DELIVERIES} d
SET status = v.status, attempts = d.attempts + 1, next_attempt_at = v.next_at, last_status = v.code,
    last_error = v.error, delivered_at = v.delivered_at, claimed_until = NULL
FROM unnest(%(ids)s::bigint[], %(statuses)s::text[], %(next_ats)s::timestamptz[], %(codes)s::int[],
            %(errors)s::text[], %(delivered_ats)s::timestamptz[]) AS v(id, status, next_at, code, error, delivered_at)
WHERE d.id = v.id AND d.claimed_until = %(lease)s
RETURNING d.subscription_id, d.status
"""


@dataclass(frozen=True)
class Claimed:
    id: int
    delivery_id: str
    event_type: str
    body: str
    attempts: int  # before this one
    subscription_id: int
    url: str
    secret: str


@dataclass(frozen=True)
class Outcome:
    claimed: Claimed
    ok: bool
    code: int | None = None
    error: str = ""


@dataclass
class SendReport:
    delivered: int = 0
    retried: int = 0  # failed an attempt, to be tried again
    failed: int = 0  # failed the last attempt
    disabled: int = 0  # subscriptions switched off

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.failed


def retry_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """The pause after the `attempt`-th failed attempt (1-based), jittered ±20 % so that a receiver coming back
    after an outage is not hit by all its deliveries in the same second."""
    base = BACKOFF[min(attempt, len(BACKOFF)) - 1]
    return timedelta(seconds=base * (rng or random).uniform(1 - JITTER, 1 + JITTER))


def _claim(*, now: datetime, size: int) -> tuple[list[Claimed], datetime]:
    lease = now + LEASE
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, {"now": now, "size": size, "lease": lease})
        return [Claimed(*row) for row in cursor.fetchall()], lease


def _answer_head(response: httpx.Response) -> str:
    """The beginning of a refusal's body, for the log (a receiver may answer with anything, of any size)."""
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= RESPONSE_READ:
            break
    return " ".join(data[:RESPONSE_KEPT * 4].decode("utf-8", "replace").split())[:RESPONSE_KEPT]


def _post(http: httpx.Client, item: Claimed, *, resolved: dict[str, str], broken: dict[int, str]) -> Outcome:
    if item.subscription_id in broken:
        return Outcome(item, ok=False, error=f"Не отправлено в этом проходе: {broken[item.subscription_id]}")
    problem = address_problem(item.url, resolved=resolved)
    if problem:
        return Outcome(item, ok=False, error=problem)
    body = item.body.encode()
    # the moment of sending, not the run's `now`: the receiver compares it with its own clock
    headers = signed_headers(secret=item.secret, delivery_id=item.delivery_id, event_type=item.event_type,
                             timestamp=int(time.time()), body=body)
    try:
        with http.stream("POST", item.url, content=body, headers=headers) as response:
            code = response.status_code
            if 200 <= code < 300:
                for _ in response.iter_bytes():  # read to the end: the connection is kept for the next one
                    pass
                return Outcome(item, ok=True, code=code)
            head = _answer_head(response)
    except httpx.TimeoutException:
        broken[item.subscription_id] = error = f"нет ответа за {settings.CUR_WEBHOOK_TIMEOUT:g} с"
        return Outcome(item, ok=False, error=error.capitalize())
    except httpx.ConnectError as exc:
        broken[item.subscription_id] = error = f"нет соединения ({exc})"[:RESPONSE_KEPT]
        return Outcome(item, ok=False, error=error.capitalize())
    except httpx.HTTPError as exc:
        return Outcome(item, ok=False, error=f"Ошибка обмена: {exc}"[:RESPONSE_KEPT])
    note = "переадресация не выполняется" if 300 <= code < 400 else head
    return Outcome(item, ok=False, code=code, error=f"HTTP {code}" + (f": {note}" if note else ""))


@transaction.atomic
def _record(outcomes: list[Outcome], *, now: datetime, lease: datetime, report: SendReport) -> None:
    columns: dict[str, list] = {"ids": [], "statuses": [], "next_ats": [], "codes": [], "errors": [],
                                "delivered_ats": []}
    for outcome in outcomes:
        attempt = outcome.claimed.attempts + 1
        if outcome.ok:
            status, next_at = Status.DELIVERED, None
        elif attempt >= settings.CUR_WEBHOOK_ATTEMPTS:
            status, next_at = Status.FAILED, None
        else:
            status, next_at = Status.PENDING, now + retry_delay(attempt)
        columns["ids"].append(outcome.claimed.id)
        columns["statuses"].append(str(status))
        columns["next_ats"].append(next_at)
        columns["codes"].append(outcome.code)
        columns["errors"].append(outcome.error)
        columns["delivered_ats"].append(now if outcome.ok else None)
    with connection.cursor() as cursor:
        cursor.execute(RECORD, {**columns, "lease": lease})
        written = cursor.fetchall()  # a claim that expired meanwhile is another run's now: not written
    answered = {subscription for subscription, status in written if status == Status.DELIVERED}
    exhausted = Counter(subscription for subscription, status in written if status == Status.FAILED)
    report.delivered += sum(status == Status.DELIVERED for _, status in written)
    report.failed += sum(exhausted.values())
    report.retried += sum(status == Status.PENDING for _, status in written)
    if answered:
        WebhookSubscription.objects.filter(pk__in=answered, failures__gt=0).update(failures=0)
    # a batch where a subscriber also took a delivery does not count its failures against it: it answers
    for subscription_id, count in sorted(exhausted.items()):
        if subscription_id in answered:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {SUBSCRIPTIONS} SET failures = failures + %s WHERE id = %s "
                           "RETURNING failures, is_active", [count, subscription_id])
            failures, active = cursor.fetchone()
        if active and failures >= settings.CUR_WEBHOOK_DISABLE_AFTER:
            last = next(o.error for o in reversed(outcomes) if o.claimed.subscription_id == subscription_id)
            reason = (f"{failures} доставок подряд не приняты после всех попыток "
                      f"({settings.CUR_WEBHOOK_ATTEMPTS}). Последняя ошибка: {last}")
            report.disabled += webhook_subscription_disable(subscription_id=subscription_id, reason=reason, now=now)


def webhook_deliveries_send(*, now: datetime | None = None, limit: int | None = None,
                            budget: float | None = None, concurrency: int | None = None) -> SendReport:
    """Send the due deliveries, batch after batch, until none is due, `limit` were attempted or `budget` seconds
    have passed (checked between batches). `now` — the run's clock for what is due and when to retry (a test's;
    the present by default, read again for each batch); the signature's timestamp is always the real time."""
    report = SendReport()
    started = time.monotonic()
    workers = concurrency or settings.CUR_WEBHOOK_CONCURRENCY
    resolved: dict[str, str] = {}
    limits = httpx.Limits(max_connections=workers * 2, max_keepalive_connections=workers * 2)
    with httpx.Client(timeout=settings.CUR_WEBHOOK_TIMEOUT, follow_redirects=False,
                      transport=public_only_transport(limits=limits)) as http, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook") as pool:
        while limit is None or report.attempted < limit:
            moment = now or timezone.now()
            size = BATCH if limit is None else min(BATCH, limit - report.attempted)
            claimed, lease = _claim(now=moment, size=size)
            if not claimed:
                break
            post = partial(_post, http, resolved=resolved, broken={})  # a receiver found down: this batch only
            outcomes = list(pool.map(post, claimed))
            _record(outcomes, now=moment, lease=lease, report=report)
            if budget is not None and time.monotonic() - started >= budget:
                break
    return report
