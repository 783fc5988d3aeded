"""Writes of webhooks: subscribing, switching a subscription off (with a notice) and on again, retrying a
delivery, pruning the delivery log. The admin calls these; the dispatcher and the sender call the disabling."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from appeals.models import WebhookDelivery, WebhookSubscription
from appeals.tasks import webhooks_deliver
from appeals.webhooks.destinations import address_problem
from appeals.webhooks.signing import new_secret
from cur.models import ApiClient, Centre, Membership
from cur.notifications import staff_notify

log = logging.getLogger(__name__)
Event = WebhookSubscription.Event
Status = WebhookDelivery.Status
PRUNE_BATCH = 10_000
EMAIL_LIKE = re.compile(r"[^\s<>,;:()\"']+@[^\s<>,;:()\"']+\.[^\s<>,;:()\"']+")


def webhook_events_check(events: Iterable[str]) -> list[str]:
    """The event types asked for, each once in the order of Event; ValidationError for an unknown or none."""
    asked = {str(e) for e in events or ()}
    unknown = sorted(asked - set(Event.values))
    if unknown:
        raise ValidationError({"events": f"Нет таких событий: {', '.join(unknown)}."})
    if not asked:
        raise ValidationError({"events": "Выберите хотя бы одно событие."})
    return [value for value in Event.values if value in asked]


def webhook_url_check(url: str) -> str:
    """The address, stripped; ValidationError unless it may receive (destinations.address_problem)."""
    url = (url or "").strip()
    problem = address_problem(url) if url else "Укажите адрес."
    if problem:
        raise ValidationError({"url": problem})
    return url


@transaction.atomic
def webhook_subscribe(*, client: ApiClient, url: str, events: Iterable[str]) -> WebhookSubscription:
    """A subscription of the client to the events (types of WebhookSubscription.Event) at the address, with a
    new signing secret (`subscription.secret`: the admin shows it once, on creation). The client receives
    the events of the appeals its role and territory see, as it would read them through the API."""
    if not client.is_active:
        raise ValidationError({"client": "Клиент отключён: подписка ему не нужна."})
    subscription = WebhookSubscription.objects.create(client=client, url=webhook_url_check(url),
                                                      events=webhook_events_check(events), secret=new_secret())
    with connection.cursor() as cursor:  # after the INSERT: this transaction has its own id by now
        cursor.execute("SELECT pg_current_snapshot()::text || '|' "
                       "|| coalesce(pg_current_xact_id_if_assigned()::text, '')")
        subscription.since_snapshot = cursor.fetchone()[0]
    WebhookSubscription.objects.filter(pk=subscription.pk).update(since_snapshot=subscription.since_snapshot)
    return subscription


def _recipients(client: ApiClient) -> list[int]:
    """The heads of the client's region's ЦУР and the administrators: who switches a subscription on again."""
    membership = Membership.objects.select_related("centre", "agency").filter(user_id=client.user_id).first()
    region_id = None
    if membership is not None:
        region_id = membership.agency.region_id if membership.agency_id else membership.centre.region_id
    heads = Membership.objects.filter(role=Membership.Role.HEAD, centre__level=Centre.Level.REGION,
                                      centre__region_id=region_id, user__is_active=True)
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    return sorted(set(heads.values_list("user_id", flat=True)) | set(admins.values_list("pk", flat=True)))


def contact_address(contact: str) -> str:
    """The e-mail address in a client's contact («Иванов И. И., ivanov@portal.ru, +7 …»), or empty."""
    for candidate in EMAIL_LIKE.findall(contact or ""):
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate
    return ""


def _mail_client(address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, None, [address])
    except Exception:  # the switch-off stands; the notice in the product has been made
        log.exception("webhook: the letter to %s about a switched-off subscription was not sent", address)


@transaction.atomic
def webhook_subscription_disable(*, subscription_id: int, reason: str, now: datetime | None = None) -> int:
    """Switch a subscription off (it keeps failing): its pending deliveries wait, the heads of the region's ЦУР
    and the administrators get a notice, the client's contact a letter. Returns 1, or 0 when it was off already
    (the conditional update: two workers never notify twice)."""
    now = now or timezone.now()
    switched = WebhookSubscription.objects.filter(pk=subscription_id, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason)
    if not switched:
        return 0
    # parked: the sender's index of due deliveries does not walk over them while the subscription is off
    WebhookDelivery.objects.filter(subscription_id=subscription_id, status=Status.PENDING).update(
        next_attempt_at=None, claimed_until=None)
    subscription = WebhookSubscription.objects.select_related("client").get(pk=subscription_id)
    client = subscription.client
    title = f"Отключена подписка на события клиента «{client}»: {subscription.url}"
    staff_notify(_recipients(client), title=title,
                 url=reverse("admin:appeals_webhooksubscription_change", args=[subscription_id]), at=now)
    address = contact_address(client.contact)
    if address:
        text = (f"Платформа ЦУР перестала отправлять события на адрес {subscription.url}.\n\n"
                f"Причина: {reason}\n\nКогда адрес снова будет принимать события, попросите администратора ЦУР "
                "включить подписку: события, накопившиеся за это время, будут доставлены.")
        transaction.on_commit(lambda: _mail_client(address, "ЦУР: подписка на события отключена", text))
    return 1


@transaction.atomic
def webhook_subscription_enable(*, subscription: WebhookSubscription, now: datetime | None = None) -> int:
    """Switch a subscription on again: the count of failures starts anew, the deliveries that waited are sent.
    Returns how many deliveries were waiting."""
    now = now or timezone.now()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(is_active=True, failures=0, disabled_at=None,
                                                                  disabled_reason="")
    waiting = WebhookDelivery.objects.filter(subscription_id=subscription.pk, status=Status.PENDING).update(
        next_attempt_at=now, claimed_until=None)
    if waiting:
        transaction.on_commit(webhooks_deliver.delay)
    return waiting


@transaction.atomic
def webhook_deliveries_retry(*, delivery_ids: Iterable[int], now: datetime | None = None) -> int:
    """Send the deliveries again now (the admin's «Повторить доставку»), with the same id and body: a failed one
    gets one attempt more, a pending one stops waiting; a delivered one is sent again too — the receiver
    recognises its id. Returns how many were queued."""
    now = now or timezone.now()
    queued = WebhookDelivery.objects.filter(pk__in=list(delivery_ids)).update(
        status=Status.PENDING, next_attempt_at=now, claimed_until=None, delivered_at=None)
    if queued:
        transaction.on_commit(webhooks_deliver.delay)
    return queued


def webhook_deliveries_prune(*, now: datetime | None = None) -> int:
    """Delete the delivered and failed deliveries older than CUR_WEBHOOK_KEEP_DAYS (daily, in batches along the
    log's index per subscription); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.CUR_WEBHOOK_KEEP_DAYS)
    deleted = 0
    for subscription_id in WebhookSubscription.objects.values_list("pk", flat=True):
        while True:
            ids = list(WebhookDelivery.objects.filter(subscription_id=subscription_id, created_at__lt=cutoff)
                       .exclude(status=Status.PENDING).order_by("created_at").values_list("pk", flat=True)
                       [:PRUNE_BATCH])
            if not ids:
                break
            deleted += WebhookDelivery.objects.filter(pk__in=ids).delete()[0]
    return deleted


@transaction.atomic
def webhook_secret_rotate(*, subscription: WebhookSubscription) -> str:
    """A new signing secret (the old one stops at once: the receiver must take the new one); returns it."""
    secret = new_secret()
    WebhookSubscription.objects.filter(pk=subscription.pk).update(secret=secret)
    return secret
