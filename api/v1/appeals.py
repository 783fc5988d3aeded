"""Appeals for integrators: the queue's list and search, the card, and intake through the REST channel —
the same selectors, scoping and services as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.schema import example
from api.v1.serializers import AppealDetailSerializer, AppealSerializer, reader_context
from appeals.intake.items import Invalid, OutOfTerritory
from appeals.lifecycle.transitions import available_actions
from appeals.models import Importance, Kind
from appeals.sources.rest import KeyTaken, rest_item_take_in
from appeals.workspace import selectors
from appeals.workspace.filters import ORDERS, AppealFilter, queue_order
from cur.permissions import allowed_actions

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Ключ повтора (до 128 символов): тот же ключ с тем же телом вернёт первый ответ, ничего не создав "
                "второй раз (24 ч)")


def _filter_parameters() -> list[OpenApiParameter]:
    """The queue's filters as query parameters, each with its type and choices (appeals/workspace/filters.py)."""
    out = []
    for name, flt in AppealFilter.base_filters.items():
        kind, enum = OpenApiTypes.STR, None
        if flt.extra.get("choices") and not callable(flt.extra["choices"]):
            enum = [str(value) for value, _ in flt.extra["choices"]]
        if name in ("sector", "subtopic", "municipality", "agency", "due_within"):
            kind = OpenApiTypes.INT
        elif name in ("overdue", "low_confidence", "fast_track"):
            kind = OpenApiTypes.BOOL
        elif name in ("received_from", "received_to"):
            kind = OpenApiTypes.DATE
        description = str(flt.label or name)
        if name in ("sector", "subtopic", "municipality", "agency"):
            description += " — id из справочника (/api/v1/reference/…)"
        out.append(OpenApiParameter(name, kind, enum=enum, description=description))
    out += [
        OpenApiParameter("order", OpenApiTypes.STR, enum=list(ORDERS),
                         description="Порядок; с q по умолчанию relevance, иначе new"),
        OpenApiParameter("after", OpenApiTypes.STR, description="Курсор следующей страницы (next_after)"),
    ]
    return out


class AppealListApi(APIView):
    """GET /api/v1/appeals/ — 50 a page, keyset cursor `after`; with `q` (docs/search.md) by relevance."""

    class OutputSerializer(serializers.Serializer):
        results = AppealSerializer(many=True)
        next_after = serializers.CharField(allow_null=True, help_text="Курсор следующей страницы; null — последняя")
        count = inline_serializer("AppealCount", {
            "total": serializers.IntegerField(), "more": serializers.BooleanField(
                help_text="true — обращений больше total (точный счёт до CUR_QUEUE_COUNT_MAX)")},
            required=False, help_text="На первой странице без q")
        search = inline_serializer("AppealSearchSummary", {
            "searched": serializers.CharField(), "found": serializers.IntegerField(),
            "found_more": serializers.BooleanField(), "any_word": serializers.BooleanField(),
            "notes": serializers.ListField(child=serializers.CharField())}, required=False)

    @extend_schema(operation_id="appeals_list", summary="Список обращений (фильтры очереди, поиск)",
                   tags=["Обращения"], parameters=_filter_parameters(), responses=OutputSerializer)
    def get(self, request):
        params = request.query_params
        if params.get("order") and params["order"] not in ORDERS:
            raise ValidationError({"order": [f"одно из: {', '.join(ORDERS)}"]})
        page = selectors.appeal_list(user=request.user, params=params, after=params.get("after"),
                                     order=queue_order(params))
        if page.filter.errors:
            raise ValidationError(page.filter.errors)
        body = {"results": AppealSerializer(page.rows, many=True, context=reader_context(request.user)).data,
                "next_after": page.next_cursor}
        if page.total is not None:  # the first page counts what the filters leave, exactly up to a bound
            body["count"] = {"total": page.total, "more": page.total_more}
        if page.search:
            body["search"] = {"searched": page.search.searched, "found": page.found,
                              "found_more": page.found_more,  # more than `found` match (a very frequent word)
                              "any_word": page.any_word, "notes": page.search.notes}
        return Response(body)


class AppealDetailApi(APIView):
    """GET /api/v1/appeals/<id>/ — the card: the citizen block, history and answers as the reader may read them."""

    @extend_schema(operation_id="appeals_detail", summary="Карточка обращения: история и ответы",
                   tags=["Обращения"], responses=AppealDetailSerializer)
    def get(self, request, pk: int):
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = AppealSerializer(appeal, context=reader_context(request.user)).data
        data["citizen"] = selectors.appeal_personal_data(appeal=appeal, user=request.user)
        data["timeline"] = AppealDetailSerializer().fields["timeline"].to_representation(
            selectors.appeal_timeline(appeal=appeal, user=request.user))
        data["answers"] = AppealDetailSerializer().fields["answers"].to_representation(
            selectors.appeal_answers(appeal=appeal, user=request.user))
        mine = allowed_actions(request.user)
        data["actions"] = [name for name in available_actions(appeal) if name in mine]
        data["version"] = appeal.version
        return Response(data)


class Conflict(APIException):
    """409: the external id is held outside the caller's territory (said without naming the item)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Внешний номер уже занят: укажите другой."


class AppealCreateApi(APIView):
    """POST /api/v1/appeals/ — one item through the REST channel, idempotent on `external_id` (docs/integrations.md)
    and on Idempotency-Key: a known item answers 200 (a newer `version` updates it, fields absent are kept), a
    new one 201, a key held outside the caller's territory 409, changing nothing."""

    class InputSerializer(serializers.Serializer):
        external_id = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                            help_text="Ваш номер; повтор с тем же номером — то же обращение")
        kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.APPEAL)
        received_at = serializers.DateTimeField(required=False, help_text="По умолчанию — сейчас")
        title = serializers.CharField(max_length=300, required=False, allow_blank=True)
        text = serializers.CharField(trim_whitespace=True, max_length=200_000)
        citizen_name = serializers.CharField(max_length=300, required=False, allow_blank=True)
        citizen_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        citizen_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        citizen_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        municipality_oktmo = serializers.RegexField(r"^\d{8}$", required=False, allow_blank=True)
        settlement = serializers.CharField(max_length=200, required=False, allow_blank=True)
        address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        importance = serializers.ChoiceField(choices=Importance.choices, required=False)  # absent: kept / normal
        source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
        version = serializers.IntegerField(min_value=0, max_value=2**62, required=False)

    @extend_schema(
        operation_id="appeals_create", summary="Принять обращение через REST", tags=["Обращения"],
        request=InputSerializer, parameters=[IDEMPOTENCY],
        responses={201: AppealSerializer, 200: AppealSerializer},
        examples=[example("Сообщение о фонарях", {
            "external_id": "EXT-1", "kind": "message", "text": "На ул. Мира не горят фонари",
            "citizen_name": "Орлов Пётр", "municipality_oktmo": "36632000", "version": 1}, request=True)],
    )
    @idempotent
    def post(self, request):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            taken = rest_item_take_in(values=dict(body.validated_data), by=request.user)
        except OutOfTerritory as error:
            raise PermissionDenied(str(error)) from error
        except Invalid as error:
            field, _, _ = str(error).partition(":")
            raise ValidationError({field if field in body.fields else "non_field_errors": [str(error)]}) from error
        except KeyTaken as error:
            raise Conflict({"external_id": [str(error)]}) from error
        appeal = selectors.appeal_get(user=request.user, pk=taken.appeal_id)
        return Response(AppealSerializer(appeal, context=reader_context(request.user)).data,
                        status=status.HTTP_201_CREATED if taken.created else status.HTTP_200_OK)


class AppealCollectionApi(AppealListApi, AppealCreateApi):
    """/api/v1/appeals/: GET lists (AppealListApi), POST creates (AppealCreateApi) — one address, two operations."""


