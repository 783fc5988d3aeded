"""What every adapter shares: cleaning and validating a raw record, the territory lookup, and the
poll loop of a cursor-paged feed (read a page → validate → one transaction with the cursor)."""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from appeals.intake.upsert import CursorMove, CursorMoved, IntakeItem, Rejected, UpsertResult, appeals_upsert
from municipalities.models import Municipality, Settlement

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 200_000  # a longer "text" is an attachment or garbage: an operator trims it
MAX_EXTERNAL_ID = 64
FUTURE_TOLERANCE = timedelta(days=1)  # clocks of sources drift; a date further ahead is an error

_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_DROP_BLOCKS = re.compile(r"<(script|style|head|template)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
# Anything _clean would change: markup, entities, control characters and lone surrogates, runs of
# blanks, blanks at line ends, more than one empty line.
_DIRTY = re.compile(r"[<&\x00-\x09\x0b-\x1f\x7f\u00a0\ud800-\udfff]|  | \n|\n |\n\n\n")


class Invalid(Exception):
    """A record that cannot be taken in as it is; the message is the reason shown in the quarantine."""


class OutOfTerritory(Invalid):
    """A record of a municipality outside the writer's territory (REST answers it with 403)."""


def clean_text(value, *, name: str = "text", required: bool = True, limit: int | None = MAX_TEXT_CHARS) -> str:
    """Plain text from what a source sent: HTML tags and scripts removed, entities decoded, control
    characters (PostgreSQL refuses NUL) dropped, blank lines squeezed. Raises Invalid when a required
    text is empty after cleaning or longer than the limit."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        else:
            raise Invalid(f"{name}: ожидалась строка, получено {type(value).__name__}")
    if _DIRTY.search(value) is None and not value[:1].isspace() and not value[-1:].isspace():
        cleaned = value  # nothing below would change it: most records take this path (ingest ≥ 2 000/s)
    else:
        cleaned = _clean(value)
    if required and not cleaned:
        raise Invalid(f"{name}: пусто")
    if limit is not None and len(cleaned) > limit:
        raise Invalid(f"{name}: {len(cleaned):,} знаков — больше допустимых {limit:,}".replace(",", " "))
    return cleaned


def _clean(value: str) -> str:
    if _TAG.search(value):
        value = _DROP_BLOCKS.sub(" ", value)
        value = _BREAKS.sub("\n", value)
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    value = _CONTROL.sub("", value).encode("utf-8", "replace").decode("utf-8")
    lines = [_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def short(value, limit: int, *, name: str = "") -> str:
    """An optional short field: cleaned and cut to the column's length (never a reason to reject)."""
    text = clean_text(value, name=name, required=False, limit=None)
    return " ".join(text.split())[:limit]


def external_id_of(value, *, name: str = "id") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(f"{name}: не указан внешний номер")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Invalid(f"{name}: неверный внешний номер {value!r}")
    value = str(value).strip()
    if len(value) > MAX_EXTERNAL_ID or _CONTROL.search(value):
        raise Invalid(f"{name}: неверный внешний номер (не длиннее {MAX_EXTERNAL_ID} печатных знаков)")
    return value


def moment(value, *, name: str, now: datetime | None = None) -> datetime:
    """An aware datetime from ISO 8601 (a date alone is midnight UTC); Invalid otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{name}: не указана дата")
    text = value.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Invalid(f"{name}: неверная дата «{text[:40]}»")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return plausible_moment(parsed, name=name, now=now)


def plausible_moment(value: datetime, *, name: str = "", now: datetime | None = None) -> datetime:
    """`value` when an item can have been received then: not before settings.CUR_EARLIEST_DATE (its
    midnight in the region's zone) and not later than now plus FUTURE_TOLERANCE (the senders' clocks
    drift). Invalid otherwise, with the reason in Russian. The one rule of every intake path — the
    feeds, files, REST and the staff form — so an item received «in 1900» is never overdue at arrival."""
    earliest = timezone.make_aware(datetime.combine(date.fromisoformat(settings.CUR_EARLIEST_DATE), time()),
                                   timezone.get_default_timezone())
    shown = f"{value.day:02d}.{value.month:02d}.{value.year}"  # as sent: no zone conversion near year 1 or 9999
    if value < earliest:
        reason = f"дата {shown} раньше {earliest:%d.%m.%Y} — проверьте год"
    elif value > (now or timezone.now()) + FUTURE_TOLERANCE:
        reason = f"дата {shown} в будущем — проверьте дату"
    else:
        return value
    raise Invalid(f"{name}: {reason}" if name else reason[:1].upper() + reason[1:])


def version_of(value, *, name: str = "version") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise Invalid(f"{name}: версия должна быть целым неотрицательным числом, получено {value!r}")
    return value


def to_json(raw) -> str:
    """The raw record as the quarantine keeps it: JSON when it is JSON-able, its repr otherwise."""
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError):
        return repr(raw)


@dataclass
class Territory:
    """The gazetteer of one region as plain dicts, read once per poll or import."""

    region_id: int
    by_oktmo: dict[str, int] = field(default_factory=dict)
    settlements: dict[tuple[int, str], int] = field(default_factory=dict)

    @classmethod
    def of(cls, region) -> Territory:
        territory = cls(region_id=region.pk)
        territory.by_oktmo = dict(Municipality.objects.filter(region=region).values_list("oktmo", "pk"))
        for pk, municipality_id, name in Settlement.objects.filter(region=region).values_list(
                "pk", "municipality_id", "name"):
            territory.settlements.setdefault((municipality_id, _key(name)), pk)
        return territory

    def place(self, *, oktmo, settlement) -> tuple[int | None, int | None, str]:
        """(municipality_id, settlement_id, note): an unknown OKTMO or settlement is left for the
        structuring pipeline to find in the text, and said in the note — never a reason to reject."""
        notes = []
        municipality_id = settlement_id = None
        oktmo = str(oktmo).strip() if oktmo not in (None, "") else ""
        if oktmo:
            municipality_id = self.by_oktmo.get(oktmo[:8])
            if municipality_id is None:
                notes.append(f"ОКТМО {oktmo[:20]} нет в справочнике региона — МО не указано")
        name = short(settlement, 200) if settlement else ""
        if name and municipality_id:
            settlement_id = self.settlements.get((municipality_id, _key(name)))
            if settlement_id is None:
                notes.append(f"населённый пункт «{name}» не найден в МО")
        return municipality_id, settlement_id, "; ".join(notes)

    def settlement_in(self, municipality_id: int, name) -> int | None:
        return self.settlements.get((municipality_id, _key(short(name, 200)))) if name else None


_PREFIX = re.compile(r"^(г|с|п|пос|пгт|д|ст|село|город|посёлок|поселок|деревня)\.?\s+", re.IGNORECASE)


def _key(name: str) -> str:
    return _PREFIX.sub("", name.strip()).replace("ё", "е").replace("Ё", "Е").lower()


@dataclass
class PollResult:
    """What one poll of a feed did (returned by the beat task, shown in the worker's log)."""

    pages: int = 0
    items: int = 0
    written: UpsertResult = field(default_factory=UpsertResult)
    stopped: str = ""  # why the poll ended early: the source's fault, a concurrent poll

    def as_dict(self) -> dict:
        return {"pages": self.pages, "items": self.items, "created": self.written.created,
                "updated": self.written.updated, "unchanged": self.written.unchanged,
                "quarantined": self.written.quarantined, "stopped": self.stopped}


def configured_poll(*, region, source: str, path: str, parse, source_label: str, client=None,
                    max_pages: int | None = None) -> PollResult:
    """`feed_poll` with the source's settings (settings.CUR_SOURCES[source]); a client of its own is
    made from them when none is given, and closed afterwards."""
    from appeals.sources.client import ClientConfig, SourceClient

    conf = settings.CUR_SOURCES[source]
    own = client is None
    if own:
        client = SourceClient(ClientConfig(base_url=conf["url"], token=conf["token"], timeout=conf["timeout"],
                                           attempts=conf["attempts"], backoff=conf["backoff"],
                                           min_interval=conf["min_interval"]))
    try:
        return feed_poll(region=region, source=source, path=path, parse=parse, client=client,
                         limit=conf["page_size"], max_pages=max_pages or conf["max_pages"],
                         source_label=source_label)
    finally:
        if own:
            client.close()


def feed_poll(*, region, source: str, path: str, parse, client, limit: int, max_pages: int,
              source_label: str) -> PollResult:
    """Read a cursor-paged feed from our cursor on: each page is validated and committed together
    with the cursor's move, so the next page is read only after the previous one is in the database.

    `parse(raw, territory)` returns an IntakeItem or raises Invalid. A source that stays down after
    the client's retries ends the poll with the cursor where it was; the next beat run goes on.
    """
    from appeals.intake.upsert import source_cursor_fail, source_cursor_get
    from appeals.sources.client import SourceUnavailable

    territory = Territory.of(region)
    result = PollResult()
    position = source_cursor_get(region=region, source=source).cursor
    for _ in range(max_pages):
        try:
            page = client.page(path, cursor=position, limit=limit)
        except SourceUnavailable as error:
            log.warning("%s poll stopped: %s", source, error)
            source_cursor_fail(region=region, source=source, error=str(error))
            result.stopped = str(error)
            break
        items, rejected = parse_page(page.items, parse=parse, territory=territory, source=source)
        try:
            written = appeals_upsert(region=region, items=items, rejected=rejected,
                                     cursor=CursorMove(source=source, expected=position, to=page.next_cursor),
                                     source_label=source_label)
        except CursorMoved as error:
            result.stopped = str(error)  # another worker is reading this feed: leave it to it
            break
        result.pages += 1
        result.items += len(page.items)
        result.written.add(written)
        position = page.next_cursor
        if not page.has_more:
            break
    result.written.ids = {}  # the ids are for single-item callers; a poll's result stays small
    return result


def parse_page(records: list, *, parse, territory: Territory, source: str) -> tuple[list[IntakeItem], list[Rejected]]:
    """Validate every record of a page; a broken one becomes a Rejected with the reason."""
    items, rejected = [], []
    for raw in records:
        try:
            items.append(parse(raw, territory))
        except Invalid as error:
            rejected.append(_rejected(source, raw, str(error), territory))
    return items, rejected


def _rejected(source: str, raw, reason: str, territory: Territory) -> Rejected:
    external_id = ""
    municipality_id = None
    if isinstance(raw, dict):
        value = raw.get("id", raw.get("external_id"))
        external_id = str(value)[:200] if value not in (None, "") else ""
        place = raw.get("territory") if isinstance(raw.get("territory"), dict) else raw
        oktmo = place.get("oktmo", place.get("municipality_oktmo")) if isinstance(place, dict) else None
        municipality_id = territory.by_oktmo.get(str(oktmo)[:8]) if oktmo else None
    return Rejected(source=source, payload=to_json(raw), reason=reason, external_id=external_id,
                    municipality_id=municipality_id)
