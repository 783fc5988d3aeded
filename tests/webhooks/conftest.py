"""A receiver of webhooks written from docs/webhooks.md alone — a real HTTP server on a loopback port, in a
thread, that checks the signature with hmac/hashlib only — and the helpers the webhook tests share."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from appeals.webhooks.services import webhook_subscribe
from cur.api_clients import CLIENT_ROLES, api_client_create
from cur.models import Membership
from tests.personas import user

ALL_EVENTS = ["appeal.created", "appeal.assigned", "appeal.answered", "appeal.closed", "appeal.reopened",
              "appeal.overdue"]


def verify(secret: str, headers, body: bytes, *, now: float | None = None) -> bool:
    """docs/webhooks.md «Подпись: как проверить», steps 1–2, as the document gives them."""
    timestamp = headers.get("X-Cur-Timestamp", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > 300:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Cur-Signature", ""))


@dataclass
class Received:
    path: str
    event_id: str
    headers: dict
    body: bytes
    verified: bool
    processed: bool = False  # verified, answered 200, and new to the receiver

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the server got, per path (one path per subscription); `secrets[path]` is the secret it checks with;
    `answers[path]` — status codes to answer with next (200 when none is left); `seen` — ids already processed
    (docs step 3)."""

    base: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    answers: dict[str, list[int]] = field(default_factory=dict)
    got: list[Received] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def at(self, path: str) -> list[Received]:
        return [r for r in self.got if r.path == path]

    def accepted(self, path: str) -> list[Received]:
        """Verified requests that were answered 2xx and were new (the receiver's processed events)."""
        return [r for r in self.at(path) if r.processed]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

        def do_POST(self):  # noqa: N802 — http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: v for k, v in self.headers.items()}
            secret = receiver.secrets.get(self.path, "")
            record = Received(self.path, headers.get("X-Cur-Event-Id", ""), headers, body,
                              bool(secret) and verify(secret, headers, body))
            with receiver.lock:
                receiver.got.append(record)
                planned = receiver.answers.get(self.path) or []
                code = planned.pop(0) if planned else 200
                if not record.verified:
                    code = 401
                elif code == 200:
                    record.processed = record.event_id not in receiver.seen
                    receiver.seen.add(record.event_id)
            reply = b"{}" if code < 300 else b"{\"error\": \"nope\"}"
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    box = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    server.daemon_threads = True
    box.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def webhook_settings():
    """The receivers of the tests listen on loopback: allowed here, as in DEBUG and the demo."""
    with override_settings(CUR_WEBHOOK_ALLOW_PRIVATE=True, CUR_WEBHOOK_ATTEMPTS=8, CUR_WEBHOOK_DISABLE_AFTER=5):
        yield


def client_like(username: str, *, name: str | None = None, contact: str = ""):
    """An integration client with the organisation of the demo account and its role — an operator's where the
    account's role is not one a client may have (Пестравка's «ответственный за ИМ/ПОС»)."""
    membership = user(username).membership
    role = membership.role if membership.role in CLIENT_ROLES else Membership.Role.OPERATOR
    return api_client_create(name=name or f"Система {username}", role=role, centre=membership.centre,
                             agency=membership.agency, contact=contact)


@pytest.fixture
def subscribe(receiver):
    """subscribe(username, path, events=ALL) → a subscription of a client like that account at the receiver."""

    def make(username: str, path: str, events=None, **client):
        subscription = webhook_subscribe(client=client_like(username, **client), url=receiver.url(path),
                                         events=events or ALL_EVENTS)
        receiver.secrets[path] = subscription.secret
        return subscription

    return make
