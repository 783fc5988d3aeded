"""Local emulators of ПОС and «Инцидент Менеджмент» (`manage.py emulate_pos`, `emulate_im`).

Each serves its feed as docs/integrations.md defines it, from an append-only change log (the cursor
is a position in it), with realistic records made of our own demo corpus, and keeps its truth — the
latest version of every item and the ids of the records it sent broken — so that a test can compare
the database with it. Faults are injected per request (timeouts, 500s, 429 with Retry-After, cut
pages) and per record (malformed records, duplicates, out-of-order updates), from command options
or at run time through the control endpoint:

    GET  /_truth    → {"items": {id: version}, "malformed": [id, …], "log": n,
                       "answers": {answer_id: {"id", "item_id", "kind", "text", "agency", "answered_at",
                                               "received": POSTs that brought it, "rating"}}}
    GET  /_control  → the current faults and counters (requests, pages, answers and one per fault, by its name)
    POST /_control  {"faults": {"error_rate": 0.2, …}, "script": ["timeout", 500, 429, "garbled", "lost_reply"],
                     "add": 50, "update": 10, "not_satisfied_rate": 0.3}

It also takes the platform's answers (ПОС `POST /api/v1/answers`, ИМ `POST /api/v1/incidents/{id}/replies`),
deduplicated by the platform's answer id, and publishes the item's new status and the citizen's rating in its feed.

The servers are threaded stdlib `http.server`s: nothing to install, started in a thread by tests.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from appeals.demo import corpus, noise

FEEDS = {"pos": "/api/v1/feed", "im": "/api/v1/incidents"}
NETWORK_URLS = {
    "vk": "https://vk.com/wall-{a}_{b}", "ok": "https://ok.ru/group/{a}/topic/{b}",
    "telegram": "https://t.me/c/{a}/{b}", "max": "https://max.ru/c/{a}/{b}",
}
MALFORMATIONS = ("no_text", "bad_date", "wrong_type", "no_id", "html_only", "future_date", "bad_version")


@dataclass
class Faults:
    """How often each fault happens: a chance per request (`timeout`, `error` — a 500 —, `rate_limit` —
    a 429 with Retry-After —, `garbled` — a page cut in half) or per record (`malformed`, `duplicate`,
    `out_of_order`). Each fault is declared here once: its option is `<name>_rate`, its counter in
    the emulator's state is `<name>`.

    The request faults hit the answer endpoint too (a timeout, a 500 or a 429 before the answer is stored; a garbled
    response after), and one fault is its own: `lost_reply` — the answer is stored but the response is lost (a 500
    or a timeout), so the sender cannot know it arrived and sends it again."""

    timeout_rate: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    garbled_rate: float = 0.0
    malformed_rate: float = 0.0
    duplicate_rate: float = 0.0
    out_of_order_rate: float = 0.0
    lost_reply_rate: float = 0.0
    timeout_seconds: float = 3.0
    retry_after: float = 1.0


FAULT_NAMES = tuple(name.removesuffix("_rate") for name in Faults.__dataclass_fields__ if name.endswith("_rate"))
REQUEST_FAULTS = ("timeout", "error", "rate_limit", "garbled")
ANSWER_FAULTS = (*REQUEST_FAULTS, "lost_reply")  # a scripted `lost_reply` that meets a feed request is a 500
# Where the platform's answers arrive (docs/integrations.md «Ответы в источник»); ИМ names the incident in the path.
ANSWER_PATHS = {"pos": re.compile(r"/api/v1/answers"), "im": re.compile(r"/api/v1/incidents/([^/]+)/replies")}
ANSWER_KINDS = ("interim", "final")
# The item's state at the source after each kind of answer; a final answer is rated by the citizen at once.
STATUS_AFTER = {"interim": "in_progress", "final": "answered"}
SCRIPT_ALIASES = {500: "error", 429: "rate_limit"}  # a script may name a fault by the status it answers


@dataclass
class Place:
    oktmo: str
    settlement: str


class FeedEmulator:
    """One source: its items, its change log and its faults."""

    def __init__(self, kind: str, *, places: list[Place], seed: int = 5, token: str = "",
                 faults: Faults | None = None, now: datetime | None = None, epoch: str = "", files: bool = False,
                 not_satisfied_rate: float = 0.0):
        if kind not in FEEDS:
            raise ValueError(kind)
        self.kind = kind
        # A restarted emulator is a new feed: its cursors and ids carry the run's epoch, so a cursor of
        # the previous run starts the new feed from its beginning rather than skipping into it.
        self.epoch = epoch
        self.prefix = f"{epoch}-" if epoch else ""
        self.places = places or [Place("36632000", "с. Пестравка")]
        self.rng = random.Random(seed)
        self.token = token
        self.faults = faults or Faults()
        self.script: list = []
        # how many requests and pages were served and how often each fault happened
        self.counters = dict.fromkeys(("requests", "pages", "answers", *FAULT_NAMES), 0)
        self.items: dict[str, dict] = {}  # the truth: the latest version of each item
        self.malformed: set[str] = set()
        self.log: list[dict] = []
        self.lock = threading.RLock()
        self.next_number = 1
        self.clock = now or datetime.now(UTC) - timedelta(days=3)
        self.subtopics = sorted(corpus.APPEAL_TEXTS)
        # with `files`, some items name photos and PDF acts that the emulator serves itself (/files/…)
        self.files = files
        # the platform's answers by its answer id (what the citizen reads on the source), each with how many POSTs
        # brought it; the share of final answers the citizen is not satisfied with; the ratings' own random
        # stream, so that answering never changes the feed's items and faults of a seed
        self.answers: dict[str, dict] = {}
        self.not_satisfied_rate = not_satisfied_rate
        self.ratings_rng = random.Random(seed + 1)

    # the source's life -------------------------------------------------------------------------

    def add(self, count: int) -> None:
        with self.lock:
            for _ in range(count):
                if self.rng.random() < self.faults.malformed_rate:
                    self._append(self._broken())
                    continue
                record = self._new_record()
                self.items[record["id"]] = record
                self._append(record)
                if self.rng.random() < self.faults.duplicate_rate:
                    self.counters["duplicate"] += 1
                    self._append(record)

    def update(self, count: int) -> None:
        """Change `count` known items: a new version each (a new post under an incident, an edited text)."""
        with self.lock:
            if not self.items:
                return
            for external_id in self.rng.sample(sorted(self.items), min(count, len(self.items))):
                before = self.items[external_id]
                after = copy.deepcopy(before)
                after["version"] = before["version"] + 1
                after["updated_at"] = self._tick().isoformat()
                if self.kind == "im":
                    after["posts"].append(self._post(after))
                    if self.rng.random() < 0.3:
                        after["importance"] = "high"
                else:
                    after["text"] = before["text"] + " " + self.rng.choice(
                        ["Дополняю: ситуация не изменилась.", "Прошу ускорить решение.", "Фото прилагаю."])
                self._publish(before, after)

    def _publish(self, before: dict, after: dict) -> None:
        """A new version of an item into the truth and the log, with the feed's per-record faults."""
        self.items[after["id"]] = after
        self._append(after)
        if self.rng.random() < self.faults.out_of_order_rate:
            self.counters["out_of_order"] += 1
            self._append(before)  # the older version arrives after the newer one
        elif self.rng.random() < self.faults.duplicate_rate:
            self.counters["duplicate"] += 1
            self._append(after)

    def answer(self, item_id: str | None, body) -> tuple[int, dict]:
        """Take one of the platform's answers: (201, {"id"}) for a new `answer_id`, (200, the same id) for a
        repeat — the source deduplicates by the platform's id, so the citizen reads each answer once. Each
        stored answer publishes a new version of its item: its status, and after a final answer the citizen's
        rating (not satisfied in `not_satisfied_rate` of them). 400 for a body against the contract, 404 for an
        item the source does not have, 409 for an answer id already used for another item."""
        with self.lock:
            self.counters["answers"] += 1
            if not isinstance(body, dict):
                return 400, {"error": "the body must be a JSON object"}
            answer_id, kind, text = body.get("answer_id"), body.get("kind"), body.get("text")
            named = body.get("item_id")
            if not isinstance(answer_id, str) or not answer_id or len(answer_id) > 64:
                return 400, {"error": "answer_id: a string of 1–64 characters"}
            if kind not in ANSWER_KINDS:
                return 400, {"error": f"kind: one of {', '.join(ANSWER_KINDS)}"}
            if not isinstance(text, str) or not text.strip():
                return 400, {"error": "text: empty"}
            if item_id is not None and named not in (None, item_id):
                return 400, {"error": "item_id differs from the incident of the path"}
            item_id = item_id if item_id is not None else named
            if item_id not in self.items:
                return 404, {"error": f"no item {str(item_id)[:80]!r}"}
            held = self.answers.get(answer_id)
            if held is not None:
                held["received"] += 1
                if held["item_id"] != item_id:
                    return 409, {"error": "answer_id is already an answer to another item"}
                return 200, {"id": held["id"]}
            stored = {"id": f"{self.prefix}ANS-{len(self.answers) + 1:07d}", "item_id": item_id, "kind": kind,
                      "text": text, "agency": body.get("agency"), "answered_at": body.get("answered_at"),
                      "received": 1, "rating": None}
            self.answers[answer_id] = stored
            before = self.items[item_id]
            after = copy.deepcopy(before)
            after["version"] = before["version"] + 1
            after["updated_at"] = self._tick().isoformat()
            after["status"] = STATUS_AFTER[kind]
            if kind == "final":
                value = "not_satisfied" if self.ratings_rng.random() < self.not_satisfied_rate else "satisfied"
                stored["rating"] = value
                after["rating"] = {"answer_id": answer_id, "value": value, "at": datetime.now(UTC).isoformat()}
            self._publish(before, after)
            return 201, {"id": stored["id"]}

    def _append(self, record: dict) -> None:
        self.log.append(copy.deepcopy(record))

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.randint(20, 400))
        now = datetime.now(UTC)
        if self.clock > now:
            self.clock = now
        return self.clock

    def _new_record(self) -> dict:
        number = self.next_number
        self.next_number += 1
        code = self.rng.choice(self.subtopics)
        place = self.rng.choice(self.places)
        street = self.rng.choice(corpus.STREETS)
        house = self.rng.randint(1, 120)
        text = self.rng.choice(corpus.APPEAL_TEXTS[code]).format(
            place=place.settlement, street=street, house=house, org_no=self.rng.randint(1, 180),
            days=self.rng.randint(2, 40), date=f"{self.rng.randint(1, 28):02d}.{self.rng.randint(1, 12):02d}")
        if self.rng.random() < 0.4:
            text = noise.noisify(text, self.rng)
        when = self._tick().isoformat()
        name = self._name()
        territory = {"oktmo": place.oktmo, "settlement": place.settlement,
                     "address": f"{street}, д. {house}"}
        if self.kind == "pos":
            kind = "appeal" if self.rng.random() < 0.2 else "message"
            titles = corpus.TITLES.get(code) or [text[:80]]
            return self._with_files(number, {
                "id": f"POS-{self.prefix}{number:07d}", "type": kind, "version": 1,
                "created_at": when, "updated_at": when,
                "title": self.rng.choice(titles), "text": text,
                "category": code,
                "author": {"name": name, "email": f"user{self.rng.randint(1000, 99999)}@example.ru",
                           "phone": f"+7 9{self.rng.randint(10, 99)} {self.rng.randint(100, 999)}-"
                                    f"{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}",
                           "address": f"{place.settlement}, {street}, д. {house}" if kind == "appeal" else ""},
                "territory": territory,
                "url": f"https://pos.example.ru/messages/{number}",
            })
        network = self.rng.choice(sorted(NETWORK_URLS))
        record = {
            "id": f"IM-{self.prefix}{number:07d}", "version": 1, "detected_at": when, "updated_at": when,
            "network": network,
            "url": NETWORK_URLS[network].format(a=self.rng.randint(10000, 99999), b=number),
            "importance": "high" if self.rng.random() < 0.15 else "normal",
            "author": {"name": name.split()[1] + " " + name.split()[0],
                       "profile_url": f"https://{network}.example/id{self.rng.randint(1, 10**6)}"},
            "territory": territory,
            "posts": [],
        }
        record["posts"].append({"id": f"{number}-1", "url": record["url"], "author": record["author"]["name"],
                                "published_at": when, "text": text})
        for _ in range(self.rng.randint(0, 2)):
            record["posts"].append(self._post(record))
        return self._with_files(number, record)

    def _with_files(self, number: int, record: dict) -> dict:
        """Every third item names a photo, every sixth a PDF act too — by its number, not by the random
        stream, so the items and faults of a seed stay the same with or without files. The addresses
        are the emulator's own (made absolute when a page is served: the port is known only then)."""
        if not self.files or number % 3:
            return record
        links = [{"url": f"/files/{number}/photo.jpg", "name": f"фото-{number}.jpg"}]
        if number % 6 == 0:
            links.append({"url": f"/files/{number}/act.pdf", "name": f"акт-{number}.pdf"})
        if self.kind == "pos":
            record["attachments"] = links
        else:
            record["posts"][0]["attachments"] = links
        return record

    def _post(self, record: dict) -> dict:
        n = len(record["posts"]) + 1
        return {"id": f"{record['id']}-{n}", "url": f"{record['url']}?reply={n}", "author": self._name().split()[1],
                "published_at": self._tick().isoformat(),
                "text": self.rng.choice(["Подтверждаю, у нас то же самое!", "Когда уже сделают?",
                                         "Писали в администрацию, ответа нет", "+1, безобразие"])}

    def _name(self) -> str:
        return (f"{self.rng.choice(corpus.SURNAMES_MALE)} {self.rng.choice(corpus.MALE_FIRST)} "
                f"{self.rng.choice(corpus.MALE_PATRONYMICS)}")

    def _broken(self) -> dict:
        """A record the source itself sends broken; its id (when it has one) is in the truth's
        `malformed` list: it must end in the quarantine, not in the appeals and not lost."""
        self.counters["malformed"] += 1
        record = self._new_record()
        flaw = self.rng.choice(MALFORMATIONS)
        text_field = "text" if self.kind == "pos" else "posts"
        if flaw == "no_text":
            record[text_field] = "" if self.kind == "pos" else []
        elif flaw == "bad_date":
            record["created_at" if self.kind == "pos" else "detected_at"] = "31.02.2026 25:61"
        elif flaw == "wrong_type":
            record[text_field] = {"unexpected": True}
        elif flaw == "no_id":
            record["id"] = None
        elif flaw == "html_only":
            markup = "<script>alert(1)</script><p>&nbsp;</p>"
            if self.kind == "pos":
                record["text"] = markup
            else:
                record["posts"][0]["text"] = markup
        elif flaw == "future_date":
            record["created_at" if self.kind == "pos" else "detected_at"] = "2099-01-01T00:00:00+00:00"
        elif flaw == "bad_version":
            record["version"] = "v2"
        record["_flaw"] = flaw
        if record["id"]:
            self.malformed.add(record["id"])
        else:
            self.malformed.add(f"<no id #{self.counters['malformed']}>")
        return record

    # the HTTP side -----------------------------------------------------------------------------

    def page(self, cursor: str, limit: int) -> dict:
        with self.lock:
            epoch, _, offset = cursor.rpartition(".")
            start = int(offset) if offset.isdigit() and epoch == self.epoch else 0
            limit = max(1, min(limit, 1000))
            records = self.log[start:start + limit]
            end = start + len(records)
            self.counters["pages"] += 1
            next_cursor = f"{self.epoch}.{end}" if self.epoch else str(end)
            return {"items": copy.deepcopy(records), "next_cursor": next_cursor, "has_more": end < len(self.log)}

    def next_fault(self, *, answer: bool = False) -> str | None:
        """The fault this request gets (one of REQUEST_FAULTS — of ANSWER_FAULTS for a POST of an answer —,
        counted), or None: the script first, then a roll against the rates."""
        with self.lock:
            if self.script:
                fault = self.script.pop(0)
            else:
                roll, fault = self.rng.random(), None
                for name in ANSWER_FAULTS if answer else REQUEST_FAULTS:
                    rate = getattr(self.faults, f"{name}_rate")
                    if roll < rate:
                        fault = name
                        break
                    roll -= rate
            if fault is not None:
                self.counters[fault] += 1
            return fault

    def truth(self) -> dict:
        with self.lock:
            return {"items": {k: v["version"] for k, v in self.items.items()}, "malformed": sorted(self.malformed),
                    "log": len(self.log), "answers": copy.deepcopy(self.answers)}

    def control(self, command: dict) -> dict:
        with self.lock:
            for name, value in (command.get("faults") or {}).items():
                if not hasattr(self.faults, name):
                    raise ValueError(f"unknown fault {name!r}")
                setattr(self.faults, name, float(value))
            if "not_satisfied_rate" in command:
                self.not_satisfied_rate = float(command["not_satisfied_rate"])
            if "script" in command:
                script = [SCRIPT_ALIASES.get(fault, fault) for fault in command["script"]]
                unknown = [fault for fault in script if fault not in ANSWER_FAULTS]
                if unknown:
                    known = ", ".join(ANSWER_FAULTS)
                    raise ValueError(f"unknown request fault {unknown[0]!r}: one of {known}, 500, 429")
                self.script = script
            if command.get("add"):
                self.add(int(command["add"]))
            if command.get("update"):
                self.update(int(command["update"]))
            return self.state()

    def state(self) -> dict:
        return {"faults": asdict(self.faults), "script": self.script, "counters": dict(self.counters),
                "items": len(self.items), "log": len(self.log), "answers": len(self.answers),
                "not_satisfied_rate": self.not_satisfied_rate}


def demo_photo(number: int) -> bytes:
    """A small JPEG photo made on the spot: a colour of its own, taken «sideways» (EXIF orientation 6)
    with a GPS position in its EXIF — what a phone sends and what the thumbnail must undo and drop."""
    from PIL import Image

    image = Image.new("RGB", (64, 40), ((number * 53) % 256, (number * 97) % 256, 160))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show
    exif[0x8825] = {1: "N", 2: (53.0, 12.0, 0.0), 3: "E", 4: (50.0, 9.0, 0.0)}  # GPS: Самара
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def demo_pdf(number: int) -> bytes:
    """A one-page PDF «act» with a valid cross-reference table."""
    text = f"Act {number}".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\nBT /F1 18 Tf 20 40 Td (" % (len(text) + 30) + text + b") Tj ET\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % index + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _absolute_files(records: list[dict], base: str) -> None:
    """The emulator's own file addresses made absolute for the client that asked."""
    for record in records:
        holders = [record] + [p for p in record.get("posts") or [] if isinstance(p, dict)]
        for holder in holders:
            for link in holder.get("attachments") or []:
                if isinstance(link, dict) and str(link.get("url", "")).startswith("/files/"):
                    link["url"] = base + link["url"]


class _Handler(BaseHTTPRequestHandler):
    emulator: FeedEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 — the stdlib's name
        pass

    def _send(self, status: int, body: dict | bytes, headers: dict | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout): fine
            pass

    def do_GET(self):  # noqa: N802 — http.server's naming
        emulator = self.emulator
        url = urlsplit(self.path)
        if url.path == "/_truth":
            return self._send(200, emulator.truth())
        if url.path == "/_control":
            return self._send(200, emulator.state())
        if url.path.startswith("/files/"):
            return self._file(url.path)
        if url.path != FEEDS[emulator.kind]:
            return self._send(404, {"error": "not found"})
        with emulator.lock:
            emulator.counters["requests"] += 1
        if emulator.token and self.headers.get("Authorization") != f"Bearer {emulator.token}":
            return self._send(401, {"error": "unauthorized"})
        fault = emulator.next_fault()
        if fault == "timeout":
            time.sleep(emulator.faults.timeout_seconds)
            return self._send(504, {"error": "gateway timeout"})
        if fault in ("error", "lost_reply"):
            return self._send(500, {"error": "internal error"})
        if fault == "rate_limit":
            return self._send(429, {"error": "too many requests"}, {"Retry-After": f"{emulator.faults.retry_after:g}"})
        query = parse_qs(url.query)
        try:
            limit = int(query.get("limit", ["100"])[0])
        except ValueError:
            return self._send(400, {"error": "limit must be an integer"})
        page = emulator.page(query.get("cursor", [""])[0], limit)
        host, port = self.server.server_address[:2]
        _absolute_files(page["items"], f"http://{self.headers.get('Host') or f'{host}:{port}'}")
        data = json.dumps(page, ensure_ascii=False).encode()
        return self._send(200, data[: len(data) // 2] if fault == "garbled" else data)  # garbled: cut in the middle

    def _file(self, path: str):
        """/files/<number>/photo.jpg or act.pdf: the demo files the items name."""
        parts = path.split("/")
        if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in ("photo.jpg", "act.pdf"):
            return self._send(404, {"error": "not found"})
        number = int(parts[2])
        if parts[3] == "photo.jpg":
            return self._send(200, demo_photo(number), content_type="image/jpeg")
        return self._send(200, demo_pdf(number), content_type="application/pdf")

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        route = ANSWER_PATHS[self.emulator.kind].fullmatch(path)
        if route is not None:
            return self._answer(unquote(route.group(1)) if route.re.groups else None)
        if path != "/_control":
            return self._send(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            command = json.loads(self.rfile.read(length) or b"{}")
            return self._send(200, self.emulator.control(command))
        except (ValueError, TypeError) as error:
            return self._send(400, {"error": str(error)})


    def _answer(self, item_id: str | None):
        """POST of an answer: the request faults before it is stored (timeout, 500, 429) or after (a garbled
        response; `lost_reply`: a 500 or a timeout — the sender cannot tell it arrived)."""
        emulator = self.emulator
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)  # read whatever comes next: the connection stays usable
        with emulator.lock:
            emulator.counters["requests"] += 1
        if emulator.token and self.headers.get("Authorization") != f"Bearer {emulator.token}":
            return self._send(401, {"error": "unauthorized"})
        fault = emulator.next_fault(answer=True)
        if fault == "timeout":
            time.sleep(emulator.faults.timeout_seconds)
            return self._send(504, {"error": "gateway timeout"})
        if fault == "error":
            return self._send(500, {"error": "internal error"})
        if fault == "rate_limit":
            return self._send(429, {"error": "too many requests"}, {"Retry-After": f"{emulator.faults.retry_after:g}"})
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self._send(400, {"error": "the body is not JSON"})
        status, answer = emulator.answer(item_id, body)
        if fault == "lost_reply":
            with emulator.lock:
                timed_out = emulator.ratings_rng.random() < 0.5
            if timed_out:
                time.sleep(emulator.faults.timeout_seconds)
                return self._send(504, {"error": "gateway timeout"})
            return self._send(500, {"error": "internal error"})
        data = json.dumps(answer, ensure_ascii=False).encode()
        return self._send(status, data[: len(data) // 2] if fault == "garbled" else data)


@dataclass
class RunningEmulator:
    emulator: FeedEmulator
    server: ThreadingHTTPServer
    threads: list = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


def serve(emulator: FeedEmulator, *, host: str = "127.0.0.1", port: int = 0, live_every: float = 0.0,
          live_add: int = 3, live_update: int = 1) -> RunningEmulator:
    """Start the emulator's HTTP server in a thread (port 0: any free port); with `live_every`,
    new items and updates keep arriving every that many seconds, as on a real platform."""
    handler = type("Handler", (_Handler,), {"emulator": emulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    running = RunningEmulator(emulator=emulator, server=server)
    thread = threading.Thread(target=server.serve_forever, name=f"emulate-{emulator.kind}", daemon=True)
    thread.start()
    running.threads.append(thread)
    if live_every > 0:
        def live():
            while not running.stop_event.wait(live_every):
                emulator.add(emulator.rng.randint(1, max(1, live_add)))
                emulator.update(live_update)

        feeder = threading.Thread(target=live, name=f"emulate-{emulator.kind}-live", daemon=True)
        feeder.start()
        running.threads.append(feeder)
    return running


def places_of_region(region_code: str) -> list[Place]:
    """Municipalities and their admin centres from the gazetteer (the emulator speaks OKTMO)."""
    from municipalities.models import Settlement

    rows = (Settlement.objects.filter(region__code=region_code, is_admin_centre=True)
            .select_related("municipality").order_by("municipality__oktmo"))
    return [Place(oktmo=s.municipality.oktmo, settlement=s.label) for s in rows]
