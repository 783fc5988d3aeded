"""REST API of appeals for integrators: the same selectors and scoping as the HTML pages."""

from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals.intake.items import Invalid, OutOfTerritory
from appeals.models import Importance, Kind
from appeals.privacy import visible_text
from appeals.sources.rest import KeyTaken, rest_item_take_in
from appeals.workspace import selectors
from appeals.workspace.filters import ORDERS, queue_order
from cur.scoping import can_see_personal_data


class AppealOutputSerializer(serializers.Serializer):
    """An appeal as the API answers it. Its title and text are shown as the reader may read them
    (152-ФЗ, appeals/privacy.py): in full only when the view says the reader may see personal data
    (`context["personal"]`), masked otherwise — so an answer that does not say never shows them."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    importance = serializers.CharField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    sector = serializers.CharField(source="sector.code", default=None)
    subtopic = serializers.CharField(source="subtopic.code", default=None)
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None)
    settlement = serializers.CharField(source="settlement.name", default=None)
    address = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.code", default=None)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    is_overdue = serializers.BooleanField()
    satisfaction = serializers.CharField()

    def get_title(self, appeal) -> str:
        return visible_text(appeal.title, personal=self.context.get("personal", False))

    def get_text(self, appeal) -> str:
        return visible_text(appeal.text, personal=self.context.get("personal", False))

    def get_address(self, appeal) -> str:  # the place of the problem; with a flat it is a home address
        return visible_text(appeal.address, personal=self.context.get("personal", False))


def output_context(user) -> dict:
    """What AppealOutputSerializer needs to know about the reader."""
    return {"personal": can_see_personal_data(user)}


class AppealListApi(APIView):
    """GET /api/v1/appeals/?q=&status=&sector=&municipality=…&received_from=&received_to=&period=
    &order=new|old|deadline|deadline_desc|relevance&after=<cursor> — 50 a page; with `q` (full-text search,
    docs/search.md) relevance first by default. The first page without `q` carries `count`: `total`, exact
    up to CUR_QUEUE_COUNT_MAX, and `more` past it."""

    def get(self, request):
        params = request.query_params
        if params.get("order") and params["order"] not in ORDERS:
            raise ValidationError({"order": f"one of {sorted(ORDERS)}"})
        page = selectors.appeal_list(user=request.user, params=params, after=params.get("after"),
                                     order=queue_order(params))
        if page.filter.errors:
            raise ValidationError(page.filter.errors)
        results = AppealOutputSerializer(page.rows, many=True, context=output_context(request.user)).data
        body = {"results": results, "next_after": page.next_cursor}
        if page.total is not None:  # the first page counts what the filters leave, exactly up to a bound
            body["count"] = {"total": page.total, "more": page.total_more}
        if page.search:
            body["search"] = {"searched": page.search.searched, "found": page.found,
                              "found_more": page.found_more,  # more than `found` match (a very frequent word)
                              "any_word": page.any_word, "notes": page.search.notes}
        return Response(body)


class AppealDetailApi(APIView):
    """GET /api/v1/appeals/<id>/ — with the citizen block masked for roles without access."""

    def get(self, request, pk: int):
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = AppealOutputSerializer(appeal, context=output_context(request.user)).data
        data["citizen"] = selectors.appeal_personal_data(appeal=appeal, user=request.user)
        return Response(data)


class Conflict(APIException):
    """409: the external id is held outside the caller's territory (said without naming the item)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Внешний номер уже занят: укажите другой."


class AppealCreateApi(APIView):
    """POST /api/v1/appeals/ — take one item in through the REST channel, idempotent on `external_id`:
    the same item posted again answers 200 with the appeal it already is (a newer `version` updates
    it, fields absent from the body are kept); a new one answers 201; a key held outside the caller's
    territory answers 409 and changes nothing. The body is the neutral format of docs/integrations.md."""

    class InputSerializer(serializers.Serializer):
        external_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
        kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.APPEAL)
        received_at = serializers.DateTimeField(required=False)
        title = serializers.CharField(max_length=300, required=False, allow_blank=True)
        text = serializers.CharField(trim_whitespace=True)
        citizen_name = serializers.CharField(max_length=300, required=False, allow_blank=True)
        citizen_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
        citizen_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
        citizen_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        municipality_oktmo = serializers.RegexField(r"^\d{8}$", required=False, allow_blank=True)
        settlement = serializers.CharField(max_length=200, required=False, allow_blank=True)
        address = serializers.CharField(max_length=300, required=False, allow_blank=True)
        importance = serializers.ChoiceField(choices=Importance.choices, required=False)  # absent: kept / normal
        source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
        version = serializers.IntegerField(min_value=0, required=False)

    OutputSerializer = AppealOutputSerializer

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
        return Response(self.OutputSerializer(appeal, context=output_context(request.user)).data,
                        status=status.HTTP_201_CREATED if taken.created else status.HTTP_200_OK)


class AppealCollectionApi(AppealListApi, AppealCreateApi):
    """/api/v1/appeals/: GET lists (AppealListApi), POST creates (AppealCreateApi) — one address,
    two operations, each defined once."""
