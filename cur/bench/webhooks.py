"""Webhooks (issue 18): deliveries per second of the real sender (appeals/webhooks/delivery.py) to a local
receiver that checks every signature, beside the bare minimum — raw httpx POSTs of the same signed bodies to the
same receiver with the same concurrency — and the dispatcher's events per second on the way.

The receiver is a `http.server.ThreadingHTTPServer` (keep-alive) in a process of its own, so that it does not
share the sender's interpreter lock: `python -m cur.bench.webhooks receive PORT SECRETS.json`. The figures are
printed by `manage.py bench_webhooks` (appeals/management/commands/), run on the bench database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cur.bench.runner import BASE_DIR, BenchDatabase, Result, benchmark

EVENTS = 5000  # events written at once; each goes to every region-wide subscription
SUBSCRIPTIONS = 4  # region-wide (ЦУР integrators), plus one МЦУ operator's


@benchmark
def webhooks_bench(db: BenchDatabase) -> Iterator[Result]:
    # appeals/management/commands/bench_webhooks.py prints its own BENCH lines, in a process of its own
    db.manage("bench_webhooks", "--events", str(EVENTS), "--subscriptions", str(SUBSCRIPTIONS))
    yield from ()


# --- the receiver ------------------------------------------------------------------------------------------

def _receive(port: int, secrets_path: str) -> None:
    secrets = json.loads(Path(secrets_path).read_text())
    counts = {"received": 0, "bad": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = self.headers.get("X-Cur-Timestamp", "")
            secret = secrets.get(self.path, "")
            expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            good = bool(secret) and abs(time.time() - int(timestamp or 0)) <= 300 and \
                hmac.compare_digest(expected, self.headers.get("X-Cur-Signature", ""))
            counts["received" if good else "bad"] += 1
            self._answer(200 if good else 401, b"{}")

        def do_GET(self):  # noqa: N802 — the bench reads the counts
            self._answer(200, json.dumps(counts).encode())

        def _answer(self, code: int, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalReceiver:
    """The receiver process, started and stopped by the bench (bounded: it lives as long as the bench)."""

    def __init__(self, port: int, secrets: dict[str, str]):
        self.port = port
        self._folder = tempfile.TemporaryDirectory(prefix="bench-webhooks-", dir=BASE_DIR / "var")
        path = Path(self._folder.name) / "secrets.json"
        path.write_text(json.dumps(secrets))
        self.process = subprocess.Popen([sys.executable, "-m", "cur.bench.webhooks", "receive", str(port), str(path)],
                                        stdout=subprocess.PIPE, text=True, cwd=BASE_DIR)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the bench receiver did not start")

    def counts(self) -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=10) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._folder.cleanup()


def raw_posts_per_s(requests: list[tuple[str, bytes, dict[str, str]]], *, concurrency: int) -> float:
    """The bare minimum: the same signed POSTs, prepared beforehand, from the same pool over one httpx client."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    with httpx.Client(timeout=10, follow_redirects=False, limits=limits) as http, \
            ThreadPoolExecutor(max_workers=concurrency) as pool:
        def post(item):
            url, body, headers = item
            return http.post(url, content=body, headers=headers).status_code

        started = time.perf_counter()
        codes = list(pool.map(post, requests))
        seconds = time.perf_counter() - started
    if any(code != 200 for code in codes):
        raise RuntimeError("the receiver refused a raw POST")
    return len(requests) / seconds


if __name__ == "__main__" and sys.argv[1:2] == ["receive"]:
    _receive(int(sys.argv[2]), sys.argv[3])
