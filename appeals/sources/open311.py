"""Open311 GeoReport v2 intake (POST /open311/v2/requests.<format>, docs/open311.md): one service request of a
civic app taken in through the `open311` channel by an integration client — the same territory, rights and
idempotency as REST create (appeals/sources/rest.py), written by the one intake upsert.

What Open311 adds to a REST item, and so what this module decides:
- the service (`service_code` = Subtopic.code) is the citizen's choice of the topic: the appeal is written with
  that subtopic and its sector, recorded as events of the client, so structuring keeps them;
- the place comes from a point (lat/long inside one of the region's municipal boundaries), from `address_id`
  (a municipality's ОКТМО: the platform has no master address register) or from `address_string` (the
  gazetteer structuring uses); a place found so is recorded and kept the same way;
- the service's attributes (`service_attributes`), the same list the service definition shows;
- the item's key: derived from the client, the sender's device or account, the service, the place, the text and
  the day, so a repeated POST (a retry after a timeout) is the same appeal, never a second one.
The API view only parses the form and turns the outcomes below into the spec's errors."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from appeals.intake.items import IntakeItem, Invalid, OutOfTerritory, Territory, clean_text, join_notes, short
from appeals.intake.upsert import KEY_TAKEN, appeals_upsert
from appeals.models import Appeal, AppealEvent, Channel, Kind
from appeals.sources.rest import KeyTaken
from cur.models import FastTrack, Subtopic
from cur.permissions import Forbidden, intake_scope
from cur.scoping import OutsideTerritory, region_of
from municipalities.geometry import contains
from municipalities.models import Municipality
from structuring.gazetteer import decide
from structuring.lemmas import tokens
from structuring.selectors import gazetteer

SOURCE_LABEL = "Open311"
MAX_DESCRIPTION = 4_000  # the spec: «free form text limited to 4,000 characters»
MAX_ATTRIBUTE = 300
# The reason of the events that record what the citizen chose: not an operator's correction and not
# structuring's own guess, yet like an operator's it is kept by structuring (structuring/services.py _store).
CHOSEN_REASON = "Выбрано заявителем в Open311"
ADDRESS_DETAILS = "address_details"
PHOTO_URL = "photo_url"


class UnknownService(Invalid):
    """No active subtopic of the region has this code (the spec answers 404)."""


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (GeoReport v2 «attribute»): a string the citizen types."""

    code: str
    description: str
    required: bool
    order: int
    datatype: str = "string"
    datatype_description: str = ""


@dataclass(frozen=True)
class ServiceRequest:
    """A POST of the spec, its fields as sent (strings; the view has checked their types and lengths)."""

    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Taken:
    appeal_id: int
    created: bool  # False: the same request was taken in before (a retry)
    subtopic_id: int


def region_subtopics(region):
    """The subtopics a region's citizens may choose: active, of the shared sectors or of a sector a centre of
    this region added for itself (a centre's own block is not another region's service)."""
    return (Subtopic.objects.filter(is_active=True)
            .filter(Q(sector__centre__isnull=True) | Q(sector__centre__region=region)))


def service_attributes(*, region, subtopic, tracks: list | None = None) -> list[Attribute]:
    """What a citizen is asked beyond the text, decided by the data (nothing per subtopic in code):
    - `address_details` where a fast-track mechanism handles the subtopic: its body goes to the place within
      days, so the exact place is asked — required when the mechanism covers the whole region;
    - `photo_url` where the answer must carry a photo report or an act (the subtopic's or its mechanism's
      «нужен фотоотчёт»): a photo «before» lets the check compare — asked, not required.
    A subtopic with neither has no attributes. `tracks`: the region's active mechanisms with their subtopics
    prefetched, when the caller lists every service (one query instead of one per service)."""
    if tracks is None:
        tracks = list(FastTrack.objects.filter(region=region, is_active=True, agency__is_active=True,
                                               subtopics=subtopic)
                      .select_related("municipality").prefetch_related("subtopics"))
    mine = sorted((t for t in tracks if any(s.pk == subtopic.pk for s in t.subtopics.all())),
                  key=lambda t: (t.municipality_id is not None, t.deadline_days, t.pk))
    attributes: list[Attribute] = []
    if mine:
        track = mine[0]
        where = f" (действует: {track.municipality.name})" if track.municipality_id else ""
        attributes.append(Attribute(
            code=ADDRESS_DETAILS, order=len(attributes) + 1, required=track.municipality_id is None,
            description=(f"Точное место: дом, подъезд, ориентир. По этой подтеме действует ускоренное решение "
                         f"«{track.name}»{where}: {track.action.rstrip('.')} — до {track.deadline_days} "
                         "календарных дней."),
            datatype_description=f"Строка до {MAX_ATTRIBUTE} знаков"))
    if subtopic.evidence_required or any(t.evidence_required for t in mine):
        attributes.append(Attribute(
            code=PHOTO_URL, order=len(attributes) + 1, required=False,
            description=("Ссылка на фотографию проблемы. Ответ по этой подтеме подтверждается фотоотчётом или "
                         "актом; фото «до» помогает проверить результат."),
            datatype_description="Адрес http(s)"))
    return attributes


@dataclass(frozen=True)
class Place:
    municipality_id: int | None
    settlement_id: int | None
    how: str  # how it was found, for the CREATED event and the event that keeps it


def point_municipality(*, region, lat: float, lon: float) -> Municipality | None:
    """The region's municipality whose boundary holds the point (GeoJSON lon/lat), or None. The boxes of the
    shapes are checked first: a point is tested against one or two polygons, not all of them."""
    for municipality in Municipality.objects.filter(region=region, boundary__isnull=False).only(
            "pk", "name", "oktmo", "boundary"):
        shape = municipality.boundary
        if _in_box(shape, lon, lat) and contains(shape, lon, lat):
            return municipality
    return None


def _in_box(shape: dict, lon: float, lat: float) -> bool:
    polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
    xs = [x for polygon in polygons for x, _ in polygon[0]]
    ys = [y for polygon in polygons for _, y in polygon[0]]
    return min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys)


def _place(request: ServiceRequest, *, region, territory: Territory, own_municipality_id: int | None) -> Place:
    if request.lat is not None and request.long is not None:
        municipality = point_municipality(region=region, lat=request.lat, lon=request.long)
        if municipality is None:
            raise Invalid(f"lat: точка {request.lat:.6f}, {request.long:.6f} вне границ муниципальных "
                          f"образований региона «{region.name}»")
        return Place(municipality.pk, None, f"точка {request.lat:.6f}, {request.long:.6f} — в границах "
                                            f"«{municipality.name}»")
    if request.address_id:
        municipality_id = territory.by_oktmo.get(request.address_id)
        if municipality_id is None:
            raise Invalid(f"address_id: ОКТМО {request.address_id[:20]} нет в справочнике региона")
        return Place(municipality_id, None, f"address_id: ОКТМО {request.address_id}")
    if request.address_string:
        own = next((oktmo for oktmo, pk in territory.by_oktmo.items() if pk == own_municipality_id), None)
        found = decide(gazetteer(region).mentions(request.address_string, tokens(request.address_string),
                                                  shouting=False), source_oktmo=own)
        if found.oktmo is None or found.oktmo not in territory.by_oktmo:
            return Place(None, None, "")  # structuring (and the operators) look for it in the text
        return Place(territory.by_oktmo[found.oktmo], found.settlement_id, "адрес, указанный заявителем")
    raise Invalid("location: укажите lat и long, address_string или address_id")


def _external_id(request: ServiceRequest, *, client_key: int, day: str) -> str:
    """The item's key: the same request of the same sender on the same day is the same appeal."""
    sender = request.device_id or request.account_id or request.email or request.phone
    where = f"{request.lat},{request.long}" if request.lat is not None else request.address_id or request.address_string
    raw = "|".join([str(client_key), sender, request.service_code, where, request.description, day])
    return "o311-" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _check_point(request: ServiceRequest) -> None:
    if (request.lat is None) != (request.long is None):
        raise Invalid("lat: lat и long передаются вместе")
    if request.lat is not None:
        if not (math.isfinite(request.lat) and -90 <= request.lat <= 90):
            raise Invalid("lat: широта от -90 до 90")
        if not (math.isfinite(request.long) and -180 <= request.long <= 180):
            raise Invalid("long: долгота от -180 до 180")


@transaction.atomic
def open311_request_take_in(*, request: ServiceRequest, by, now: datetime | None = None) -> Taken:
    """Take one service request in for the client's user `by`. Raises Forbidden (no right, no region),
    UnknownService (404 of the spec), Invalid (the field before the colon; OutOfTerritory for a place outside
    a МЦУ's own municipality) or KeyTaken — all before anything is written. A repeat of a request taken in
    before answers the same appeal and writes nothing new."""
    within = intake_scope(by, api=True)
    region = region_of(by)
    if region is None:
        raise Forbidden("У клиента нет региона.")
    now = now or timezone.now()
    subtopic = (region_subtopics(region).select_related("sector").filter(code=request.service_code).first()
                if request.service_code else None)
    if subtopic is None:
        raise UnknownService(f"service_code: услуги «{request.service_code[:64]}» нет")
    _check_point(request)
    attributes = {a.code: a for a in service_attributes(region=region, subtopic=subtopic)}
    values = {code: " ".join(v.strip() for v in given if v.strip()) for code, given in request.attributes.items()}
    for code, attribute in attributes.items():
        if attribute.required and not values.get(code):
            raise Invalid(f"attribute[{code}]: обязательный атрибут услуги «{subtopic.name}»")
    for code, value in values.items():
        if code in attributes and len(value) > MAX_ATTRIBUTE:
            raise Invalid(f"attribute[{code}]: не длиннее {MAX_ATTRIBUTE} знаков")
    ignored = sorted(code for code in values if code not in attributes)

    territory = Territory.of(region)
    place = _place(request, region=region, territory=territory, own_municipality_id=within.municipality_id)
    try:
        municipality_id = within.impose(place.municipality_id)
    except OutsideTerritory as error:
        raise OutOfTerritory(f"location: место обращения ({place.how}) — вне территории вашего МЦУ") from error

    description = clean_text(request.description, name="description", required=False, limit=None)
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"description: {len(description)} знаков — больше {MAX_DESCRIPTION} (спецификация Open311)")
    address = short(", ".join(part for part in (request.address_string, values.get(ADDRESS_DETAILS, "")) if part), 300)
    text = description or ". ".join(part for part in (subtopic.name, address) if part)
    photos = [url for url in (request.media_url, values.get(PHOTO_URL, "")) if url]
    for url in photos:
        if not url.startswith(("http://", "https://")):
            raise Invalid("media_url: адрес http(s)")
    day = now.astimezone(timezone.get_default_timezone()).date().isoformat()
    item = IntakeItem(
        channel=Channel.OPEN311, kind=Kind.MESSAGE, external_id=_external_id(request, client_key=by.pk, day=day),
        received_at=now, text=text, source_url=short(request.media_url or values.get(PHOTO_URL, ""), 500),
        citizen_name=short(f"{request.last_name} {request.first_name}", 300),
        citizen_email=short(request.email, 254), citizen_phone=short(request.phone, 32),
        municipality_id=municipality_id, settlement_id=place.settlement_id if municipality_id == place.municipality_id
        else None, address=address,
        note=join_notes(f"Open311, услуга «{subtopic.name}»", place.how,
                        f"атрибуты не из описания услуги не взяты: {', '.join(ignored)[:200]}" if ignored else ""),
        attachments=tuple({"url": url, "name": ""} for url in dict.fromkeys(photos)),
    )
    written = appeals_upsert(region=region, items=[item], by=by, within=within, source_label=SOURCE_LABEL)
    key = (item.channel, item.external_id)
    if key in written.refused or key not in written.ids:
        raise KeyTaken(written.refused.get(key, KEY_TAKEN))
    appeal_id = written.ids[key]
    if written.created:
        _record_choice(appeal_id=appeal_id, region=region, subtopic=subtopic, by=by, now=now,
                       municipality_id=municipality_id if place.municipality_id else None, place=place)
    return Taken(appeal_id=appeal_id, created=bool(written.created), subtopic_id=subtopic.pk)


def _record_choice(*, appeal_id: int, region, subtopic, by, now: datetime, municipality_id: int | None,
                   place: Place) -> None:
    """The new appeal gets the chosen topic; the topic and a place found from the request's location are
    events of the client (the history says who decided them), which structuring keeps (never overwrites)."""
    updated = Appeal.objects.filter(pk=appeal_id, subtopic__isnull=True).update(
        sector_id=subtopic.sector_id, subtopic_id=subtopic.pk, version=F("version") + 1, updated_at=now)
    if not updated:
        return
    events = [
        AppealEvent(appeal_id=appeal_id, region_id=region.pk, at=now, actor=by, kind=AppealEvent.Kind.FIELD_CHANGED,
                    field="sector", new_value=str(subtopic.sector), reason=CHOSEN_REASON),
        AppealEvent(appeal_id=appeal_id, region_id=region.pk, at=now, actor=by, kind=AppealEvent.Kind.FIELD_CHANGED,
                    field="subtopic", new_value=str(subtopic),
                    reason=f"{CHOSEN_REASON} (service_code {subtopic.code})"),
    ]
    if municipality_id is not None:
        name = Municipality.objects.filter(pk=municipality_id).values_list("name", flat=True).first() or ""
        events.append(AppealEvent(appeal_id=appeal_id, region_id=region.pk, at=now, actor=by,
                                  kind=AppealEvent.Kind.FIELD_CHANGED, field="municipality", new_value=name,
                                  reason=f"{SOURCE_LABEL}: {place.how}"))
    AppealEvent.objects.bulk_create(events)
