"""Ответы в источник (issue 18): an answer to a ПОС or «Инцидент Менеджмент» item goes back to where the citizen
wrote, through an outbox (`SourceReply`), so that none is lost and the citizen reads none twice.

- enqueue — `source_reply_enqueue`, called by the lifecycle services in the transaction where the answer reaches
  the citizen (an interim answer when it is given, the final one when the ЦУР/МЦУ accepts it): the reply exists
  exactly when the answer does; its send is scheduled once that transaction has committed;
- claim — a conditional UPDATE of `claimed_until` (a lease): one worker at a time sends a reply; a worker that
  dies leaves the lease to run out and the sweep to take the reply again;
- send — the POST of docs/integrations.md «Ответы в источник», outside any transaction, retried within the claim
  on timeouts, 5xx and 429 (the feeds' client: appeals/sources/client.py);
- record — status sent with the source's id, in a short transaction; a failed claim sets the next attempt with
  exponential backoff, and after CUR_REPLY_MAX_ATTEMPTS claims (or at once for a 4xx: retrying will not help) the
  reply is failed — the reason in the admin «Ответы в источники» and an event in the appeal's timeline;
- sweep — the beat job `send-source-replies` sends every due reply whose task was lost (the broker down, a worker
  killed) or whose next attempt has come.

The source deduplicates by our answer id (`SourceReply.key`): a worker killed after the POST and before the record
sends the same answer again on the next claim, the source answers 200 with the id it gave the first time, and the
citizen reads the answer once.
"""

from __future__ import annotations

import logging
import os
import random
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from appeals.models import Answer, Appeal, AppealEvent, Notice, SourceReply
from appeals.sources.client import ClientConfig, SourceClient, SourceUnavailable, _retry_after, _Retryable
from appeals.tasks import source_reply_send as source_reply_send_task

log = logging.getLogger(__name__)

Status = SourceReply.Status
# The answer endpoint of each source channel (its URL and token are the feed's: settings.CUR_SOURCES[channel]).
REPLY_PATHS = {"pos": "/api/v1/answers", "incident": "/api/v1/incidents/{item}/replies"}
# Test seam (tests/replies/test_outbox.py): with this variable set, the process ends right after the source's
# response has arrived and before it is recorded — the moment a killed worker leaves an answer sent but unrecorded.
DIE_AFTER_SEND = "CUR_REPLY_TEST_DIE_AFTER_SEND"


class ReplyRefused(Exception):
    """The source refused the answer (a 4xx other than 429): sending it again as it is will not help."""


def reply_key(answer: Answer, region_code: str) -> str:
    """Our id of an answer for the source's deduplication: the same on every retry, unique across regions."""
    return f"cur-{region_code}-{answer.pk}"


def source_reply_enqueue(*, appeal: Appeal, answer: Answer, at: datetime) -> SourceReply | None:
    """Put `answer` into the outbox of its appeal's source — ПОС and ИМ items only (None for every other channel,
    whose citizen is told by a notice). Called inside the transaction that gives the answer to the citizen; the
    send starts once it has committed, and the beat's sweep takes the reply if that start is lost."""
    if appeal.channel not in REPLY_PATHS or not appeal.external_id:
        return None
    reply, created = SourceReply.objects.get_or_create(answer=answer, defaults={
        "appeal": appeal, "region_id": appeal.region_id, "channel": appeal.channel,
        "external_id": appeal.external_id, "key": reply_key(answer, appeal.region.code),
        "next_attempt_at": at, "created_at": at,
    })
    if created:
        transaction.on_commit(lambda: _send_later(reply.pk))
    return reply


def _send_later(reply_id: int) -> None:
    try:
        source_reply_send_task.delay(reply_id)
    except Exception:  # the broker down must not undo an answer already given: the sweep sends it
        log.exception("source reply %s not queued; the sweep will send it", reply_id)


def source_reply_claim(*, reply_id: int, now: datetime | None = None) -> tuple[SourceReply, datetime] | None:
    """Claim a due pending reply for one send (a lease until now + CUR_REPLY_LEASE; the claim counts as an
    attempt): (the reply, the lease's end — the claim's token for the record) or None when it is not due, sent,
    failed or held by another worker."""
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.CUR_REPLY_LEASE)
    claimed = (SourceReply.objects.filter(pk=reply_id, status=Status.PENDING)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
               .update(claimed_until=until, attempts=F("attempts") + 1))
    if claimed != 1:
        return None
    reply = SourceReply.objects.select_related("answer__agency", "region").get(pk=reply_id)
    return reply, until


def reply_body(reply: SourceReply) -> dict:
    """What the source receives: the full text of the answer (the citizen reads it there) and our id for dedup."""
    answer = reply.answer
    return {
        "answer_id": reply.key, "item_id": reply.external_id, "kind": "interim" if answer.is_interim else "final",
        "text": answer.text, "agency": answer.agency.name if answer.agency_id else "",
        "answered_at": answer.created_at.isoformat(),
    }


def reply_path(reply: SourceReply) -> str:
    return REPLY_PATHS[reply.channel].format(item=quote(reply.external_id, safe=""))


class ReplyClient(SourceClient):
    """The feeds' client (timeouts, backoff with jitter, 429 / Retry-After, pacing) posting answers."""

    def __init__(self, config: ClientConfig, transport: httpx.BaseTransport | None = None):
        super().__init__(config, transport)
        self._http.headers["User-Agent"] = "cur-platform/replies"

    def post_answer(self, path: str, body: dict) -> str:
        """POST one answer; the source's id of it (201 new, 200 a repeat of the same answer_id). Retries
        timeouts, transport errors, 5xx, 429 and unreadable answers; SourceUnavailable after the last one,
        ReplyRefused for another 4xx."""
        retrying = Retrying(stop=stop_after_attempt(self.config.attempts), wait=self._wait,
                            retry=retry_if_exception_type(_Retryable), reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    return self._post(path, body)
        except _Retryable as error:
            raise SourceUnavailable(f"{self.config.base_url}{path}: {error}") from error
        raise AssertionError("unreachable")

    def _post(self, path: str, body: dict) -> str:
        self._pace()
        self.requests += 1
        try:
            response = self._http.post(path, json=body)
        except httpx.TimeoutException as error:  # it may have arrived: the retry's answer_id makes that harmless
            raise _Retryable(f"timeout: {error!r}") from error
        except httpx.TransportError as error:
            raise _Retryable(f"transport: {error!r}") from error
        if response.status_code == 429:
            raise _Retryable("429 rate limited", retry_after=_retry_after(response))
        if response.status_code >= 500:
            raise _Retryable(f"{response.status_code} from the source", retry_after=_retry_after(response, None))
        if response.status_code not in (200, 201):
            raise ReplyRefused(f"{response.status_code}: {response.text[:300]}")
        try:
            remote_id = response.json()["id"]
            if isinstance(remote_id, bool) or not isinstance(remote_id, str | int) or remote_id == "":
                raise ValueError("id must be a non-empty string")
        except (ValueError, KeyError, TypeError) as error:  # stored or not, the repeat tells us its id
            raise _Retryable(f"unreadable answer: {error!r}") from error
        return str(remote_id)[:100]


def _client(channel: str) -> ReplyClient:
    conf = settings.CUR_SOURCES[channel]
    return ReplyClient(ClientConfig(base_url=conf["url"], token=conf["token"], timeout=conf["timeout"],
                                    attempts=settings.CUR_REPLY_ATTEMPTS, backoff=conf["backoff"],
                                    min_interval=conf["min_interval"]))


def source_reply_send(*, reply_id: int) -> str:
    """Claim, send and record one reply. Returns what happened: `sent`; `retry` (the source did not take it,
    the next attempt is set); `failed` (refused, or the last attempt); `skipped` (not due, done, held by another
    worker, or the source has no URL configured — it waits for one)."""
    channel = SourceReply.objects.filter(pk=reply_id).values_list("channel", flat=True).first()
    if channel is None or not settings.CUR_SOURCES[channel]["url"]:
        return "skipped"
    claim = source_reply_claim(reply_id=reply_id)
    if claim is None:
        return "skipped"
    reply, until = claim
    try:
        with _client(channel) as client:
            remote_id = client.post_answer(reply_path(reply), reply_body(reply))
    except ReplyRefused as error:
        return _record_failure(reply, until, str(error), final=True)
    except SourceUnavailable as error:
        return _record_failure(reply, until, str(error))
    if os.environ.get(DIE_AFTER_SEND):
        os._exit(1)  # the test seam above: sent, not recorded
    _record_sent(reply, remote_id)
    return "sent"


def _record_sent(reply: SourceReply, remote_id: str) -> None:
    """Sent is what happened whoever holds the claim now (a second sender got the same id from the source). A final
    answer delivered is the citizen's «answered» notice delivered: it goes through the source (Notice.Via.SOURCE),
    which nothing else sends, so it is marked sent here rather than left pending."""
    now = timezone.now()
    with transaction.atomic():
        marked = SourceReply.objects.filter(pk=reply.pk).exclude(status=Status.SENT).update(
            status=Status.SENT, sent_at=now, remote_id=remote_id, claimed_until=None, next_attempt_at=None,
            last_error="")
        if marked and not reply.answer.is_interim:
            Notice.objects.filter(appeal_id=reply.appeal_id, kind=Notice.Kind.ANSWERED, via=Notice.Via.SOURCE,
                                  state=Notice.State.PENDING, created_at__lte=now).update(
                state=Notice.State.SENT, sent_at=now)


def retry_delay(attempts: int) -> float:
    """Seconds until the next claim after `attempts` failed ones: CUR_REPLY_RETRY_DELAY doubled each time, up to
    CUR_REPLY_RETRY_MAX_DELAY, with up to a tenth more at random so that replies of one outage do not return at once."""
    delay = min(settings.CUR_REPLY_RETRY_DELAY * 2 ** max(attempts - 1, 0), settings.CUR_REPLY_RETRY_MAX_DELAY)
    return delay * (1 + random.random() / 10)


def _record_failure(reply: SourceReply, until: datetime, error: str, *, final: bool = False) -> str:
    """The next attempt, or failed (final, or the attempts are used up) with the reason and a timeline event.
    Only under our own claim: a worker whose lease ran out does not overwrite the fate of the next one."""
    now = timezone.now()
    with transaction.atomic():
        fresh = (SourceReply.objects.select_for_update()
                 .filter(pk=reply.pk, status=Status.PENDING, claimed_until=until).first())
        if fresh is None:
            return "skipped"
        fresh.last_error = error[:2000]
        fresh.claimed_until = None
        if final or fresh.attempts >= settings.CUR_REPLY_MAX_ATTEMPTS:
            fresh.status, fresh.next_attempt_at = Status.FAILED, None
            fresh.save(update_fields=["status", "last_error", "claimed_until", "next_attempt_at"])
            AppealEvent.objects.create(
                appeal_id=fresh.appeal_id, region_id=fresh.region_id, at=now, kind=AppealEvent.Kind.REPLY_FAILED,
                field="source_reply", new_value=fresh.key,
                reason=f"{fresh.get_channel_display()}: ответ не принят, попыток: {fresh.attempts}. {error}"[:2000])
            log.warning("source reply %s failed after %s attempt(s): %s", fresh.key, fresh.attempts, error)
            return "failed"
        fresh.next_attempt_at = now + timedelta(seconds=retry_delay(fresh.attempts))
        fresh.save(update_fields=["last_error", "claimed_until", "next_attempt_at"])
        return "retry"


def source_replies_due(*, now: datetime | None = None, limit: int = 500) -> list[tuple[int, str]]:
    """(id, channel) of pending replies whose next attempt has come and that no worker holds, oldest first."""
    now = now or timezone.now()
    return list(SourceReply.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                .order_by("next_attempt_at", "pk").values_list("pk", "channel")[:limit])


def source_replies_send_due(*, limit: int = 500) -> dict[str, int]:
    """The sweep (beat job): send the due replies one by one. A source that did not take one after its retries
    is left alone for the rest of this run (its replies wait for their next attempt), and a source without a URL
    is not tried at all. Returns the counts by outcome. Runs at once are safe: each reply is claimed."""
    counts: Counter[str] = Counter()
    down: set[str] = set()
    for reply_id, channel in source_replies_due(limit=limit):
        if channel in down or not settings.CUR_SOURCES[channel]["url"]:
            counts["skipped"] += 1
            continue
        outcome = source_reply_send(reply_id=reply_id)
        counts[outcome] += 1
        if outcome == "retry":
            down.add(channel)
    return dict(counts)


def source_replies_resend(*, reply_ids, at: datetime | None = None) -> int:
    """«Отправить снова» (the admin): the replies are pending again with their attempts reset and sent once this
    commits. A reply the source already has is harmless to send again: it deduplicates by our id. Returns how many."""
    at = at or timezone.now()
    ids = list(reply_ids)
    with transaction.atomic():
        count = SourceReply.objects.filter(pk__in=ids).update(
            status=Status.PENDING, attempts=0, next_attempt_at=at, claimed_until=None)
        for reply_id in ids:
            transaction.on_commit(lambda reply_id=reply_id: _send_later(reply_id))
    return count
