"""Health of the parts the platform stands on: database, broker and (on request) a worker."""

import hmac
import os
import socket
import time

import redis
from django.conf import settings
from django.db import connection

from cur.tasks import ping


def database_status() -> dict:
    """{'ok': bool, 'latency_ms': float, 'version'|'error': str} after one round trip."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version')")
            version = cursor.fetchone()[0]
    except Exception as exc:  # noqa: BLE001 — health reports any failure, never raises
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1), "version": version}


def broker_status() -> dict:
    """{'ok': bool, 'latency_ms': float} after a PING to the Redis broker."""
    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def worker_status(timeout: float = 5.0) -> dict:
    """Send a task through the broker and wait for a worker's reply: proves the whole chain."""
    started = time.perf_counter()
    try:
        reply = ping.delay().get(timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": reply["database"]["ok"], "latency_ms": round((time.perf_counter() - started) * 1000, 1), **reply}


def worker_identity() -> dict:
    """What a worker tells about itself in reply to ping."""
    return {"hostname": socket.gethostname(), "pid": os.getpid(), "database": database_status()}


WORKER_CHECK_FORBIDDEN = (
    "Проверка worker и подробности состояния доступны администратору (вход в систему) "
    "или системе мониторинга с токеном (Authorization: Bearer …)."
)


def may_see_detail(request) -> bool:
    """Staff, or a monitoring system presenting `Authorization: Bearer <CUR_HEALTHZ_TOKEN>` (when set)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    expected = settings.CUR_HEALTHZ_TOKEN
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())
