"""What Open311 reads (docs/open311.md): the services — the region's subtopics with their answer term from the SLA
rules — and the service requests — the region's appeals, public fields only, newest first, at most a thousand
an answer, keyset-paged on (received_at, id) along the index `appeal_region_received`.

Reading is public (the spec asks no key for it), so nothing here depends on who asks: the region is the
installation's (`jurisdiction_id`), never another's, and the views show only what `serializers.py` makes public."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from appeals.lifecycle.deadlines import policies_by_subtopic
from appeals.models import OPEN_STATUSES, Appeal, Channel, Kind, Status
from appeals.privacy import MARGIN
from appeals.sources.open311 import Attribute, region_subtopics, service_attributes
from cur.models import FastTrack, SlaPolicy, Subtopic
from municipalities.models import Region
from structuring.lexicon import read_phrases

LIMIT = 1000  # the spec: «the first 1000 requests returned»
# A page of the window is PAGE requests unless `page_size` (our extension, 1…LIMIT) asks otherwise: a thousand
# descriptions masked is some 150 ms of the answer's 220 (docs/open311.md); the Link header leads on.
PAGE = 200
WINDOW = timedelta(days=90)  # the spec: «defaults to most recent 90 days», a range «may not span more than 90 days»
DESCRIPTION_LIMIT = 4000  # the spec: description «limited to 4,000 characters»
DESCRIPTION_READ = DESCRIPTION_LIMIT + MARGIN  # masked before it is cut (appeals/privacy.py)
KEYWORDS = 8  # lexicon phrases shown as a service's keywords
CLOSED_STATUSES = (Status.CLOSED, Status.LEFT_WITHOUT_ANSWER)
STATUSES = {"open": tuple(OPEN_STATUSES), "closed": CLOSED_STATUSES}
_UNITS = {
    SlaPolicy.Unit.WORKING_DAYS: "рабочий день,рабочих дня,рабочих дней",
    SlaPolicy.Unit.CALENDAR_DAYS: "календарный день,календарных дня,календарных дней",
    SlaPolicy.Unit.WORKING_HOURS: "рабочий час,рабочих часа,рабочих часов",
}
_CURSOR = re.compile(r"^(\d{1,20})_(\d{1,19})$")


class BadParameter(Exception):
    """A parameter the spec's 400 answers; the message names it."""


class UnknownJurisdiction(Exception):
    """A jurisdiction_id this installation does not serve (the spec's 404)."""


def jurisdiction(code: str | None) -> Region:
    """The region this installation serves (settings.CUR_REGION). `jurisdiction_id` is optional (one
    jurisdiction per endpoint); given, it must be that region's code — another region is never served here."""
    region = Region.objects.filter(code=settings.CUR_REGION).first()
    if region is None or (code and code != region.code):
        raise UnknownJurisdiction(f"jurisdiction_id «{(code or '')[:40]}» не обслуживается: "
                                  f"здесь {settings.CUR_REGION}")
    return region


# --- services ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: str
    attributes: list[Attribute]
    term: str  # «10 рабочих дней»; "" without a rule

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)


def _plural(n: int, forms: str) -> str:
    """«1 рабочий день», «3 рабочих дня», «10 рабочих дней» (`forms`: «one,few,many»)."""
    one, few, many = forms.split(",")
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


def term_phrase(policy: SlaPolicy | None) -> str:
    """«10 рабочих дней», «30 календарных дней» — the amount of a rule in words; "" for no rule."""
    if policy is None:
        return ""
    return f"{policy.amount} {_plural(policy.amount, _UNITS[policy.unit])}"


def answer_policies(*, region, subtopics) -> dict[int, SlaPolicy | None]:
    """Subtopic id → the rule of the answer's deadline of an Open311 request (a ПОС-style message of the
    `open311` channel, normal importance), as appeals.lifecycle.deadlines chooses it for an appeal."""
    return policies_by_subtopic(region_id=region.pk, subtopics=subtopics, kind=Kind.MESSAGE,
                                target=SlaPolicy.Target.FINAL, channel=Channel.OPEN311, importance="normal")


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[str]]:
    return read_phrases()


def _service(subtopic, *, policy, tracks) -> Service:
    term = term_phrase(policy)
    attributes = service_attributes(region=None, subtopic=subtopic, tracks=tracks)
    description = subtopic.name + (f". Срок ответа — {term}" if term else "") + "."
    return Service(code=subtopic.code, name=subtopic.name, description=description, group=subtopic.sector.name,
                   keywords=", ".join(_phrases().get(subtopic.code, [])[:KEYWORDS]), attributes=attributes, term=term)


def _tracks(region) -> list[FastTrack]:
    return list(FastTrack.objects.filter(region=region, is_active=True, agency__is_active=True)
                .select_related("municipality").prefetch_related("subtopics"))


def services_catalogue(*, region) -> list[Service]:
    """Every service of the region, in the rubricator's order (four queries whatever their number)."""
    subtopics = list(region_subtopics(region).select_related("sector").order_by("sector__position", "name"))
    policies = answer_policies(region=region, subtopics=subtopics)
    tracks = _tracks(region)
    return [_service(subtopic, policy=policies[subtopic.pk], tracks=tracks) for subtopic in subtopics]


def service_get(*, region, code: str) -> Service | None:
    subtopic = region_subtopics(region).select_related("sector").filter(code=code).first()
    if subtopic is None:
        return None
    return _service(subtopic, policy=answer_policies(region=region, subtopics=[subtopic])[subtopic.pk],
                    tracks=_tracks(region))


# --- service requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestsFilter:
    """GET requests' parameters, parsed: either ids (which override all the rest, as the spec says) or a window."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    after: tuple[datetime, int] | None = None  # the keyset cursor (our extension, given in the Link header)
    limit: int = PAGE  # requests a page (our extension `page_size`)


@dataclass
class RequestsPage:
    rows: list[PublicRequest]
    next_after: str | None  # the cursor of the next page, None on the last


def request_number(value: str) -> int | None:
    """Our appeal number («0001234», or without the zeros) as an id; None when it is not one."""
    value = value.strip()
    if not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def _moment(value: str, *, name: str, tz: ZoneInfo, end: bool) -> datetime:
    text = value.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime.combine(day, time.max if end else time.min)  # a day alone: the whole day
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadParameter(f"{name}: неверная дата «{text[:40]}» — нужен формат ISO 8601 (W3C), например "
                           "2026-12-01T00:00:00+04:00")
    return timezone.make_aware(parsed, tz) if timezone.is_naive(parsed) else parsed


def requests_filter(params: Mapping[str, str], *, region, now: datetime) -> RequestsFilter:
    """Parse GET requests' parameters (raises BadParameter): `service_request_id` (comma list, at most LIMIT),
    `service_code` (comma list), `start_date` / `end_date` (ISO 8601; a window of at most 90 days, the last 90
    by default), `status` (open, closed; comma list) and our extensions: the cursor `after`, `page_size`."""
    if raw_ids := (params.get("service_request_id") or "").strip():
        parts = [part for part in raw_ids.split(",") if part.strip()]
        if len(parts) > LIMIT:
            raise BadParameter(f"service_request_id: не больше {LIMIT} номеров в запросе")
        ids = [request_number(part) for part in parts]
        if None in ids:
            raise BadParameter("service_request_id: номера обращений — цифры через запятую")
        return RequestsFilter(ids=tuple(dict.fromkeys(ids)))
    tz = ZoneInfo(region.timezone)
    start = _moment(params["start_date"], name="start_date", tz=tz, end=False) if params.get("start_date") else None
    end = _moment(params["end_date"], name="end_date", tz=tz, end=True) if params.get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if start > end:
        raise BadParameter("start_date: позже end_date")
    if end - start > WINDOW:
        raise BadParameter("end_date: период не длиннее 90 дней (спецификация Open311)")
    statuses = tuple(dict.fromkeys(s.strip().lower() for s in (params.get("status") or "").split(",") if s.strip()))
    if unknown := [s for s in statuses if s not in STATUSES]:
        raise BadParameter(f"status: «{unknown[0][:20]}» — ожидается open или closed")
    codes = tuple(dict.fromkeys(c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()))
    after = None
    if raw_after := (params.get("after") or "").strip():
        match = _CURSOR.match(raw_after)
        if not match:
            raise BadParameter("after: неверный курсор — возьмите его из заголовка Link предыдущего ответа")
        micros, pk = int(match[1]), int(match[2])
        try:
            after = (datetime.fromtimestamp(micros / 1_000_000, tz=ZoneInfo("UTC")), pk)
        except (OverflowError, OSError, ValueError):
            raise BadParameter("after: неверный курсор") from None
    limit = PAGE
    if raw_size := (params.get("page_size") or "").strip():
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= LIMIT:
            raise BadParameter(f"page_size: число от 1 до {LIMIT}")
        limit = int(raw_size)
    return RequestsFilter(service_codes=codes, start=start, end=end, statuses=statuses, after=after, limit=limit)


@dataclass(frozen=True, slots=True)
class PublicRequest:
    """One appeal as Open311 may show it to anyone: its public columns only — no citizen's name or contacts are
    even read. The text is its beginning (`excerpt`), as far as the description shows it."""

    pk: int
    kind: str
    channel: str
    status: str
    received_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    due_at: datetime | None
    address: str
    source_url: str
    excerpt: str
    subtopic_code: str | None
    subtopic_name: str | None
    agency_name: str | None
    oktmo: str | None
    fast_track_action: str | None

    @property
    def number(self) -> str:
        return f"{self.pk:07d}"

    @property
    def status_label(self) -> str:
        return Status(self.status).label


_COLUMNS = ("pk", "kind", "channel", "status", "received_at", "updated_at", "closed_at", "due_at", "address",
            "source_url", "excerpt", "subtopic__code", "subtopic__name", "agency__name", "municipality__oktmo",
            "fast_track__action")


def _cursor(row: PublicRequest) -> str:
    micros = (row.received_at - datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))) // timedelta(microseconds=1)
    return f"{micros}_{row.pk}"


def _public_rows(qs, limit: int) -> list[PublicRequest]:
    """The public columns of the first `limit` appeals of `qs`, newest first, as tuples (no model instances: a
    page of a thousand is read in milliseconds); the text only as far as the description shows it (a megabyte
    letter is not read to show 4 000 characters)."""
    rows = (qs.annotate(excerpt=Substr("text", 1, DESCRIPTION_READ)).order_by("-received_at", "-id")
            .values_list(*_COLUMNS)[:limit])
    return [PublicRequest(*row) for row in rows]


def requests_page(region, params: Mapping[str, str], *, now: datetime | None = None) -> RequestsPage:
    """GET requests: a page (PAGE, or `page_size` up to LIMIT) of the region's appeals matching `params` (see
    requests_filter), newest first; listed ids come all at once (at most LIMIT). One query: `region = … AND
    received_at BETWEEN …` walks the index (region, received_at) backwards from the window's end (or the cursor)
    and stops after a page + 1 rows (the one more says whether a next page exists); the status is checked along
    it; a service code lets the planner read the subtopic's index (subtopic, municipality, received_at) instead.
    Raises BadParameter."""
    flt = requests_filter(params, region=region, now=now or timezone.now())
    rows = Appeal.objects.filter(region=region)
    if flt.ids:
        return RequestsPage(rows=_public_rows(rows.filter(pk__in=flt.ids), LIMIT), next_after=None)
    rows = rows.filter(received_at__gte=flt.start, received_at__lte=flt.end)
    if flt.statuses:
        rows = rows.filter(status__in=[s for name in flt.statuses for s in STATUSES[name]])
    if flt.service_codes:  # by id, so the planner may read the subtopic's own index when it is a rare one
        subtopic_ids = list(Subtopic.objects.filter(code__in=flt.service_codes).values_list("pk", flat=True))
        if not subtopic_ids:
            return RequestsPage(rows=[], next_after=None)
        rows = rows.filter(subtopic_id__in=subtopic_ids)
    if flt.after:
        moment, pk = flt.after
        # the bound on received_at alone is what the index range uses; the tie on the same moment is by id
        rows = rows.filter(received_at__lte=moment).exclude(received_at=moment, id__gte=pk)
    found = _public_rows(rows, flt.limit + 1)
    more = len(found) > flt.limit
    found = found[:flt.limit]
    return RequestsPage(rows=found, next_after=_cursor(found[-1]) if more else None)


def request_get(*, region, number: str) -> PublicRequest | None:
    """One of the region's appeals by its number, or None (another region's number included)."""
    pk = request_number(number)
    found = _public_rows(Appeal.objects.filter(region=region, pk=pk), 1) if pk is not None else []
    return found[0] if found else None
