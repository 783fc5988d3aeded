"""`Idempotency-Key` on a POST that creates something: the same key sent again by the same caller gets the
first answer again (with `Idempotent-Replayed: true`) and nothing is created twice.

The key's row is inserted in the transaction that does the work: a repeat arriving while the first is still
running waits on the unique index until it commits (then replays its answer) or rolls back (then does the
work itself) — no window in which both create. Only a success is kept; an error leaves nothing, so a caller
who fixes the body may retry with the same key. The same key with another body or address is refused (422).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response

from cur.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 128


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "Этот Idempotency-Key уже использован с другим запросом: для нового запроса — новый ключ."


def _fingerprint(request) -> str:
    """The method, the address and a hash of what was sent. A multipart upload is hashed from its parsed fields
    and files, read in chunks: `request.body` of a file over DATA_UPLOAD_MAX_MEMORY_SIZE would be refused (413)."""
    digest = hashlib.sha256()
    if request.content_type.startswith("multipart/"):
        for name, value in sorted(request.POST.lists()):
            digest.update(f"{name}={value!r};".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}:{upload.name}:{upload.size};".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return f"{request.method} {request.path} {digest.hexdigest()}"


def _claim(*, user_id: int, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Insert the key (an expired one is taken over); None when a live row holds it — read it then."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cur_idempotencykey (user_id, key, fingerprint, status_code, body, created_at)
            VALUES (%(user)s, %(key)s, %(fingerprint)s, NULL, NULL, %(now)s)
            ON CONFLICT (user_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, status_code = NULL, body = NULL,
                    created_at = EXCLUDED.created_at
                WHERE cur_idempotencykey.created_at < %(expired)s
            RETURNING id
            """,
            {"user": user_id, "key": key, "fingerprint": fingerprint, "now": now,
             "expired": now - timedelta(hours=settings.CUR_API_IDEMPOTENCY_HOURS)},
        )
        row = cursor.fetchone()
    return IdempotencyKey(pk=row[0]) if row else None


def idempotent(post):
    """Decorate an APIView's `post`: with the header, run it at most once per caller and key."""

    @wraps(post)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return post(view, request, *args, **kwargs)
        if len(key) > MAX_LENGTH or not key.isprintable():
            raise exceptions.ValidationError({HEADER: [f"Не длиннее {MAX_LENGTH} печатных символов."]})
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            claimed = _claim(user_id=request.user.pk, key=key, fingerprint=fingerprint)
            if claimed is None:
                held = IdempotencyKey.objects.get(user_id=request.user.pk, key=key)
                if held.fingerprint != fingerprint:
                    raise KeyReused()
                replay = Response(held.body, status=held.status_code)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = post(view, request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)  # keep nothing of a refusal: the caller may fix it and retry
                return response
            IdempotencyKey.objects.filter(pk=claimed.pk).update(
                status_code=response.status_code, body=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)))
        return response

    return wrapper
