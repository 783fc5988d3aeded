"""What intake takes in: the item types (IntakeItem, Rejected) and the validation every source and
every person's path applies to a raw record — cleaning of texts, external ids, plausible dates, the
territory lookup. A record that fails becomes Invalid with the reason the quarantine shows."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from municipalities.models import Municipality, Settlement

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


MAX_ATTACHMENT_LINKS = 20


def attachment_links(value, *, name: str = "attachments") -> tuple[tuple[dict, ...], str]:
    """(the files an item names as {"url", "name"}, a note). The source's list of {"url", "name"} objects
    (a bare URL string is taken too); an entry without an http(s) address is left out and said in the
    note — a broken link is never a reason to refuse the item itself."""
    if value in (None, "", []):
        return (), ""
    if not isinstance(value, list):
        return (), f"{name}: ожидался список файлов — вложения не взяты"
    links, skipped, seen = [], 0, set()
    for entry in value:
        url, label = (entry, "") if isinstance(entry, str) else (
            (entry.get("url"), entry.get("name")) if isinstance(entry, dict) else (None, None))
        url = short(url, 500) if isinstance(url, str) else ""
        if not url.startswith(("http://", "https://")) or url in seen:
            skipped += 1 if url not in seen else 0
            continue
        seen.add(url)
        links.append({"url": url, "name": short(label, 255) if isinstance(label, str) else ""})
    notes = []
    if skipped:
        notes.append(f"{name}: {skipped} без адреса http(s) — не взяты")
    if len(links) > MAX_ATTACHMENT_LINKS:
        notes.append(f"{name}: взяты первые {MAX_ATTACHMENT_LINKS} из {len(links)}")
        links = links[:MAX_ATTACHMENT_LINKS]
    return tuple(links), "; ".join(notes)


def join_notes(*notes: str) -> str:
    return "; ".join(note for note in notes if note)


def version_of(value, *, name: str = "version") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise Invalid(f"{name}: версия должна быть целым неотрицательным числом, получено {value!r}")
    return value


SATISFACTION_VALUES = ("satisfied", "not_satisfied")  # appeals.models.Satisfaction, as the feeds spell it


@dataclass(frozen=True)
class SourceRating:
    """The citizen's rating of one of our answers, as the source's feed gives it (docs/integrations.md «Ответы в
    источник»): which answer (our answer id, empty when the source does not say — then the item's last final
    answer), the value, and when the citizen gave it."""

    answer_id: str
    value: str
    at: datetime


def source_status_of(value, *, name: str = "status") -> str:
    """The item's state at the source (its own words: `answered`, `closed` …), cut to 32; empty when absent."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name}: ожидалась строка, получено {type(value).__name__}")
    return short(value, 32)


def source_rating_of(value, *, name: str = "rating") -> SourceRating | None:
    """The citizen's rating from a feed record, None when there is none; Invalid for one against the contract
    (the record waits in the quarantine: a rating is never dropped silently)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(f"{name}: ожидался объект JSON, получено {type(value).__name__}")
    if value.get("value") not in SATISFACTION_VALUES:
        raise Invalid(f"{name}.value: неизвестная оценка «{str(value.get('value'))[:30]}» "
                      f"(ожидается {' или '.join(SATISFACTION_VALUES)})")
    answer_id = value.get("answer_id")
    if answer_id not in (None, "") and (not isinstance(answer_id, str) or len(answer_id) > 64):
        raise Invalid(f"{name}.answer_id: неверный номер ответа")
    return SourceRating(answer_id=answer_id or "", value=value["value"], at=moment(value.get("at"), name=f"{name}.at"))


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
class IntakeItem:
    """One validated item of any channel, ready to be written."""

    channel: str
    kind: str
    external_id: str
    received_at: datetime
    text: str
    title: str = ""
    importance: str = "normal"
    source_url: str = ""
    citizen_name: str = ""
    citizen_email: str = ""
    citizen_phone: str = ""
    citizen_address: str = ""
    municipality_id: int | None = None
    settlement_id: int | None = None
    address: str = ""
    source_version: int | None = None
    note: str = ""  # why something was left out (an unknown OKTMO …): the CREATED event's reason
    # SOURCE_FIELDS the sender did not send (a REST body without them, a file without the column): an
    # update keeps what is held there — a partial retry never blanks the citizen's contacts
    absent: frozenset[str] = frozenset()
    # files the source names ({"url", "name"} each): fetched and checked after the batch has committed
    # (appeals/attachments/services.py attachments_fetch), never inside the intake transaction
    attachments: tuple[dict, ...] = ()
    # what a feed says back about our answers — the item's state at the source and the citizen's rating — applied
    # in the batch's own transaction (appeals/intake/feedback.py)
    source_status: str = ""
    rating: SourceRating | None = None


@dataclass
class Rejected:
    """An item that failed validation: kept raw, with the reason, for the quarantine."""

    source: str
    payload: str
    reason: str
    external_id: str = ""
    municipality_id: int | None = None
