"""Open311 GeoReport v2 (docs/open311.md): one APIView per operation, each answering in the format its path's
suffix names (`services.json`, `requests/0001234.xml`), errors included, in the spec's shape.

Reading is public and needs no key (the spec); every request is counted per client address
(Open311Throttle, settings.CUR_OPEN311_RATE). Creating needs `api_key` — a token of an integration client
(cur/api_clients.py): the request then acts as the client's user, with its role's rights and territory, through
the one intake path (appeals/sources/open311.py). These operations are not in the OpenAPI description of
/api/v1/ (`schema = None`): Open311 is described by its own specification."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, QueryDict
from django.urls import reverse
from rest_framework import exceptions, serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.auth import RequestRateThrottle
from api.open311 import selectors
from api.open311.renderers import open311_error, open311_response
from api.open311.serializers import (
    CreatedSerializer,
    ServiceDefinitionSerializer,
    ServiceRequestSerializer,
    ServiceSerializer,
)
from appeals.intake.items import Invalid, OutOfTerritory
from appeals.sources.open311 import ServiceRequest, UnknownService, open311_request_take_in
from appeals.sources.rest import KeyTaken
from cur.api_clients import api_token_authenticate
from cur.models import Centre
from cur.scoping import region_of
from cur.security import client_address

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00+00:00"  # when this endpoint's behaviour last changed (discovery)


class Open311Error(Exception):
    """An answer of the spec's error list: the HTTP status and its description (in Russian)."""

    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


class Open311Throttle(RequestRateThrottle):
    """Requests per client address (cur.security.client_address: the proxies' own entry of X-Forwarded-For,
    never what a client wrote there itself) at settings.CUR_OPEN311_RATE. Over the limit: 429 with Retry-After, in
    the spec's error shape."""

    scope = "open311"

    def rate_for(self, request) -> str:
        return settings.CUR_OPEN311_RATE

    def get_cache_key(self, request, view):
        return f"throttle_{self.scope}_{client_address(request) or 'unknown'}"


class _SuffixNegotiation(DefaultContentNegotiation):
    """The format is the path's suffix, not the Accept header: a client asking `text/xml` of `services.xml`
    (or anything of anything) is never refused with 406 before the view."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _error_of(exc) -> tuple[int, str, dict] | None:
    """(status, description, headers) of an exception in the spec's terms; None for an unexpected one (500)."""
    if isinstance(exc, Open311Error):
        return exc.code, exc.description, {}
    if isinstance(exc, selectors.BadParameter):
        return 400, str(exc), {}
    if isinstance(exc, selectors.UnknownJurisdiction):
        return 404, str(exc), {}
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return 429, f"Слишком много запросов с вашего адреса: повторите через {wait} с.", {"Retry-After": str(wait)}
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType | TooManyFieldsSent):
        return 400, "Тело запроса не читается: ожидается application/x-www-form-urlencoded или JSON.", {}
    if isinstance(exc, RequestDataTooBig):
        return 413, "Тело запроса слишком большое.", {}
    if isinstance(exc, Http404 | exceptions.NotFound):
        return 404, "Не найдено.", {}
    if isinstance(exc, PermissionDenied):
        return 403, str(exc) or "Действие недоступно.", {}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, str(exc.detail), {}
    return None


class Open311Api(APIView):
    """What every Open311 operation shares: no session or header authentication (a POST carries `api_key` in
    its body), public reading, the per-address rate, the spec's errors in the requested format."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (Open311Throttle,)
    parser_classes = (FormParser, MultiPartParser, JSONParser)
    content_negotiation_class = _SuffixNegotiation
    schema = None  # not in the OpenAPI description of /api/v1/

    @property
    def fmt(self) -> str:
        return self.kwargs.get("fmt") or "xml"

    def jurisdiction(self, data=None):
        code = (data or {}).get("jurisdiction_id") or self.request.query_params.get("jurisdiction_id")
        return selectors.jurisdiction(code or None)

    def handle_exception(self, exc):
        known = _error_of(exc)
        if known is None:
            return super().handle_exception(exc)
        code, description, headers = known
        return open311_error(fmt=self.fmt, code=code, description=description, headers=headers)


class DiscoveryApi(Open311Api):
    """GET discovery.<format>: where the endpoint is, which specification and formats, whom to ask for a key."""

    def get(self, request, fmt: str):
        region = self.jurisdiction()
        centre = Centre.objects.filter(region=region, level=Centre.Level.REGION).first()
        contacts = ", ".join(part for part in (centre.phone, centre.email, centre.address) if part) if centre else ""
        url = request.build_absolute_uri(reverse("open311-discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
        return open311_response({
            "changeset": CHANGESET,
            "contact": f"{centre.name}: {contacts}" if centre else region.name,
            "key_service": ("Ключ (api_key) выдаёт администратор ЦУР клиенту интеграции — запросите его"
                            + (f": {centre.email}" if centre and centre.email else ".")),
            "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}],
        }, fmt=fmt, root="discovery")


class ServiceListApi(Open311Api):
    """GET services.<format>: the region's subtopics, each with its answer term."""

    def get(self, request, fmt: str):
        services = selectors.services_catalogue(region=self.jurisdiction())
        return open311_response(ServiceSerializer(services, many=True).data, fmt=fmt, root="services")


class ServiceDefinitionApi(Open311Api):
    """GET services/<service_code>.<format>: the service's attributes (an empty list when it has none)."""

    def get(self, request, code: str, fmt: str):
        service = selectors.service_get(region=self.jurisdiction(), code=code)
        if service is None:
            raise Open311Error(404, f"service_code «{code[:64]}» не найден")
        return open311_response(ServiceDefinitionSerializer(service).data, fmt=fmt, root="service_definition")


def _requests_response(rows, *, region, fmt: str, status: int = 200, headers: dict | None = None):
    data = ServiceRequestSerializer(rows, many=True, context={"tz": ZoneInfo(region.timezone)}).data
    return open311_response(data, fmt=fmt, root="service_requests", status=status, headers=headers)


class RequestListApi(Open311Api):
    """GET requests.<format>: at most 1 000 of the region's requests, newest first; the next ones by the URL of
    the `Link: <…>; rel="next"` header (our extension: a cursor `after`, the spec has no paging)."""

    def get(self, request, fmt: str):
        region = self.jurisdiction()
        page = selectors.requests_page(region, request.query_params)
        headers = {}
        if page.next_after:
            query = request.query_params.copy()
            query["after"] = page.next_after
            headers["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
        return _requests_response(page.rows, region=region, fmt=fmt, headers=headers)


def _flat(data) -> tuple[dict, dict[str, list[str]]]:
    """(the body's single values, its attributes code → values): form fields `attribute[code]` and
    `attribute[code][]` (several values of a multivaluelist), or a JSON object `"attribute": {code: value}`. An
    empty value counts as absent (the spec: a null parameter is a parameter not declared)."""
    values: dict[str, object] = {}
    attributes: dict[str, list[str]] = {}
    pairs = data.lists() if isinstance(data, QueryDict) else ((k, v if isinstance(v, list) else [v])
                                                              for k, v in dict(data).items())
    for name, given in pairs:
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute["):name.index("]")]
            attributes.setdefault(code, []).extend(str(v) for v in given if v not in (None, ""))
        elif name == "attribute" and given and isinstance(given[0], dict):
            for code, value in given[0].items():
                attributes.setdefault(str(code), []).extend(
                    str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, ""))
        elif given and given[-1] not in (None, ""):
            values[name] = given[-1]
    return values, attributes


class RequestCreateApi(Open311Api):
    """POST requests.<format>: one service request, form-encoded (the spec) or JSON. Synchronous: the answer
    carries the new request's id (201), the same id for a repeat of a request taken in before (200)."""

    class InputSerializer(serializers.Serializer):
        api_key = serializers.CharField(max_length=200)
        service_code = serializers.CharField(max_length=64)
        lat = serializers.FloatField(required=False)
        long = serializers.FloatField(required=False)
        address_string = serializers.CharField(max_length=300, required=False)
        address_id = serializers.CharField(max_length=20, required=False)
        email = serializers.EmailField(max_length=254, required=False)
        device_id = serializers.CharField(max_length=200, required=False)
        account_id = serializers.CharField(max_length=200, required=False)
        first_name = serializers.CharField(max_length=150, required=False)
        last_name = serializers.CharField(max_length=150, required=False)
        phone = serializers.CharField(max_length=32, required=False)
        description = serializers.CharField(max_length=20_000, required=False, trim_whitespace=True)
        media_url = serializers.URLField(max_length=500, required=False)

    def post(self, request, fmt: str):
        values, attributes = _flat(request.data)
        region = self.jurisdiction(values)
        body = self.InputSerializer(data=values)
        if not body.is_valid():
            name, problems = next(iter(body.errors.items()))
            required = any(getattr(p, "code", "") == "required" for p in problems)
            raise Open311Error(400, f"{name}: {'обязательный параметр' if required else problems[0]}")
        data = dict(body.validated_data)
        token = api_token_authenticate(data.pop("api_key"), address=client_address(request) or None)
        if token is None:
            raise Open311Error(403, "api_key неизвестен, отозван или истёк.")
        by = token.client.user
        own = region_of(by)
        if own is None or own.pk != region.pk:
            raise Open311Error(403, "Ключ выдан не для этого региона.")
        try:
            taken = open311_request_take_in(request=ServiceRequest(attributes=attributes, **data), by=by)
        except UnknownService as error:
            raise Open311Error(404, str(error)) from error
        except OutOfTerritory as error:
            raise Open311Error(403, str(error)) from error
        except Invalid as error:
            raise Open311Error(400, str(error)) from error
        except KeyTaken as error:
            raise Open311Error(409, str(error)) from error
        number = f"{taken.appeal_id:07d}"
        service = selectors.service_get(region=region, code=data["service_code"])
        term = f" Срок ответа — {service.term} с регистрации." if service and service.term else ""
        notice = (f"Обращение № {number} принято.{term}" if taken.created
                  else f"Этот запрос уже принят: обращение № {number}.")
        answer = CreatedSerializer({"service_request_id": number, "service_notice": notice,
                                    "account_id": data.get("account_id")}).data
        return open311_response([answer], fmt=fmt, root="service_requests", status=201 if taken.created else 200)


class RequestCollectionApi(RequestListApi, RequestCreateApi):
    """requests.<format>: GET lists (RequestListApi), POST creates (RequestCreateApi) — one address, two operations."""


class RequestDetailApi(Open311Api):
    """GET requests/<service_request_id>.<format>: one request (a list of one, as the spec writes it)."""

    def get(self, request, request_id: str, fmt: str):
        region = self.jurisdiction()
        appeal = selectors.request_get(region=region, number=request_id)
        if appeal is None:
            raise Open311Error(404, f"service_request_id «{request_id[:40]}» не найден")
        return _requests_response([appeal], region=region, fmt=fmt)


class TokenApi(Open311Api):
    """GET tokens/<token>.<format>: our POST answers with the id at once and issues no tokens; a client that asks
    anyway gets the spec's mapping for a token equal to an id of the region's request, else 404."""

    def get(self, request, token: str, fmt: str):
        region = self.jurisdiction()
        appeal = selectors.request_get(region=region, number=token)
        if appeal is None:
            raise Open311Error(404, f"token «{token[:40]}» не найден: идентификатор запроса выдаётся сразу в ответе "
                                    "на POST requests")
        return open311_response([{"service_request_id": appeal.number, "token": token}], fmt=fmt,
                                root="service_requests")


class NotFoundApi(Open311Api):
    """Any other address under /open311/v2/ (an unknown resource or format): 404 in the spec's shape — JSON when
    the path ends in .json, XML (the spec's required format) otherwise."""

    @property
    def fmt(self) -> str:
        return "json" if self.request.path.endswith(".json") else "xml"

    def _missing(self, request, *args, **kwargs):
        raise Open311Error(404, "Нет такого ресурса Open311: /discovery, /services, /services/<код>, /requests, "
                                "/requests/<номер>, /tokens/<токен> с суффиксом .json или .xml.")

    get = post = put = patch = delete = _missing
