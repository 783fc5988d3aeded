"""The signature of a delivery (docs/webhooks.md «Подпись»), which a receiver checks with its secret:

    X-Cur-Signature: sha256=<hex HMAC-SHA256(secret, f"{X-Cur-Timestamp}.{body}")>

The timestamp is signed with the body, so a captured request cannot be replayed later than the receiver's
window (5 minutes); the delivery id (X-Cur-Event-Id, also the body's `id`) is the receiver's deduplication key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_PREFIX = "sha256="


def new_secret() -> str:
    """A subscription's signing secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of the HMAC-SHA256 of «<timestamp>.<body>» under the secret (both as UTF-8 bytes)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def signed_headers(*, secret: str, delivery_id: str, event_type: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one POST."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "CUR-Webhooks/1.0",
        "X-Cur-Event-Id": delivery_id,
        "X-Cur-Event-Type": event_type,
        "X-Cur-Timestamp": str(timestamp),
        "X-Cur-Signature": signature(secret, timestamp, body),
    }
