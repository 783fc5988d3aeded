"""Integration clients and their tokens (issue 18): who a machine is, and how it proves it.

A token is 256 random bits shown once; only its SHA-256 is kept (a random secret needs no slow hash: there is
nothing to guess). Rotation issues a new token and lets the old ones run for CUR_API_TOKEN_GRACE_HOURS, so an
integrator switches without an outage; revocation stops a token at once. The last use is written at most once
a minute per token (a conditional UPDATE), so a busy client does not turn every read into a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from cur.models import Agency, ApiClient, ApiToken, Centre, IdempotencyKey, Membership

PREFIX = "cur_"
LAST_USE_EVERY = timedelta(minutes=1)
CLIENT_ROLES = (Membership.Role.INTEGRATOR, Membership.Role.OPERATOR, Membership.Role.EXECUTOR)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # the secret itself: shown once, never stored


def api_client_check(*, role: str, centre: Centre | None, agency: Agency | None) -> None:
    """Raise ValidationError unless the role and the organisation fit (the admin form asks before saving)."""
    if role not in CLIENT_ROLES:
        raise ValidationError({"role": "Клиент интеграции — интегратор, оператор центра или исполнитель органа."})
    if (role == Membership.Role.EXECUTOR) != (agency is not None) or (centre is None) == (agency is None):
        raise ValidationError({"role": "Исполнитель относится к органу, интегратор и оператор — к центру."})


@transaction.atomic
def api_client_create(*, name: str, role: str, centre: Centre | None = None, agency: Agency | None = None,
                      contact: str = "", rate: str = "") -> ApiClient:
    """A client with its own user and role: an integrator or an operator of a centre (ЦУР — the region, МЦУ —
    its municipality), or an executor's system of an agency. The user has no password: it signs in by token only."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Укажите название клиента."})
    api_client_check(role=role, centre=centre, agency=agency)
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError({"name": "Клиент с таким названием уже есть."})
    base = f"api-{slugify(name, allow_unicode=False) or 'client'}"[:140]
    username, n = base, 1
    User = get_user_model()
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username, first_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=role, centre=centre, agency=agency)
    return ApiClient.objects.create(name=name, user=user, contact=contact, rate=rate)


def api_token_issue(*, client: ApiClient, expires_at: datetime | None = None,
                    now: datetime | None = None) -> IssuedToken:
    """A new token of the client; the secret is in the result only."""
    now = now or timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": "Срок действия токена должен быть в будущем."})
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(client=client, prefix=raw[:12], key_hash=token_hash(raw), created_at=now,
                                    expires_at=expires_at)
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_rotate(*, client: ApiClient, now: datetime | None = None) -> IssuedToken:
    """A new token; the client's other live tokens stop after the grace period (sooner if they expire sooner)."""
    now = now or timezone.now()
    grace_end = now + timedelta(hours=settings.CUR_API_TOKEN_GRACE_HOURS)
    live = client.tokens.filter(revoked_at=None)
    live.filter(Q(expires_at=None) | Q(expires_at__gt=grace_end)).update(expires_at=grace_end)
    return api_token_issue(client=client, now=now)


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> None:
    """The token stops at once (kept, with its last use, for the audit)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=now or timezone.now())


def api_token_authenticate(raw: str, *, address: str | None = None, now: datetime | None = None) -> ApiToken | None:
    """The live token `raw` is, with its client and the client's user; None for an unknown, revoked or expired
    token or a client switched off. Records the last use (at most once a minute)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    now = now or timezone.now()
    token = (ApiToken.objects.select_related("client__user").filter(key_hash=token_hash(raw)).first())
    if (token is None or token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now)
            or not token.client.is_active or not token.client.user.is_active):
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at=None) | Q(last_used_at__lte=now - LAST_USE_EVERY)
        ).update(last_used_at=now, last_used_ip=address)
    return token


def client_of(user) -> ApiClient | None:
    """The integration client a user is, or None for a person."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return None
    try:
        return user.api_client
    except ApiClient.DoesNotExist:
        return None


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget the kept answers of Idempotency-Key requests older than CUR_API_IDEMPOTENCY_HOURS (api/idempotency.py;
    a daily beat job); returns how many."""
    horizon = (now or timezone.now()) - timedelta(hours=settings.CUR_API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=horizon).delete()
    return deleted
