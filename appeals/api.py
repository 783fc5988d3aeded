"""REST API of appeals for integrators: the same selectors and scoping as the HTML pages."""

from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals import selectors
from appeals.filters import ORDERS, queue_order
from appeals.models import Channel, Importance, Kind


class AppealOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    importance = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    sector = serializers.CharField(source="sector.code", default=None)
    subtopic = serializers.CharField(source="subtopic.code", default=None)
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None)
    settlement = serializers.CharField(source="settlement.name", default=None)
    address = serializers.CharField()
    agency = serializers.CharField(source="agency.code", default=None)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField()
    is_overdue = serializers.BooleanField()
    satisfaction = serializers.CharField()


class AppealListApi(APIView):
    """GET /api/v1/appeals/?q=&status=&sector=&municipality=…&order=new|deadline|relevance&after=<cursor>
    — 50 a page; with `q` (full-text search, docs/search.md) relevance first by default."""

    def get(self, request):
        params = request.query_params
        if params.get("order") and params["order"] not in ORDERS:
            raise ValidationError({"order": f"one of {sorted(ORDERS)}"})
        page = selectors.appeal_list(user=request.user, params=params, after=params.get("after"),
                                     order=queue_order(params))
        if page.filter.errors:
            raise ValidationError(page.filter.errors)
        results = AppealOutputSerializer(page.rows, many=True).data
        for item, appeal in zip(results, page.rows, strict=True):  # 152-ФЗ: masked inside the text too
            item["text"] = selectors.appeal_text(appeal=appeal, user=request.user)
        body = {"results": results, "next_after": page.next_cursor}
        if page.search:
            body["search"] = {"searched": page.search.searched, "found": page.found,
                              "any_word": page.any_word, "notes": page.search.notes}
        return Response(body)


class AppealDetailApi(APIView):
    """GET /api/v1/appeals/<id>/ — with the citizen block masked for roles without access."""

    def get(self, request, pk: int):
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        data = AppealOutputSerializer(appeal).data
        data["citizen"] = selectors.appeal_personal_data(appeal=appeal, user=request.user)
        data["text"] = selectors.appeal_text(appeal=appeal, user=request.user)
        return Response(data)


class AppealCreateApi(APIView):
    """POST /api/v1/appeals/ — take one item in through the REST channel, idempotent on `external_id`:
    the same item posted again answers 200 with the appeal it already is (a newer `version` updates
    it); a new one answers 201. The body is the neutral format of docs/integrations.md."""

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
        importance = serializers.ChoiceField(choices=Importance.choices, default=Importance.NORMAL)
        source_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
        version = serializers.IntegerField(min_value=0, required=False)

    OutputSerializer = AppealOutputSerializer

    def post(self, request):
        from appeals.intake import appeals_upsert
        from appeals.sources.common import Invalid, Territory
        from appeals.sources.files import parse_file_row
        from cur.scoping import can_create_via_api, region_of, scope_of

        if not can_create_via_api(request.user):
            raise PermissionDenied("Создание обращений через API доступно интегратору и операторам центра.")
        region = region_of(request.user)
        if region is None:
            raise PermissionDenied("У пользователя нет региона.")
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        values.setdefault("received_at", timezone.now())
        territory = Territory.of(region)
        oktmo = values.get("municipality_oktmo")
        if oktmo and oktmo not in territory.by_oktmo:
            raise ValidationError({"municipality_oktmo": [f"ОКТМО {oktmo} нет в справочнике региона."]})
        mine = scope_of(request.user).municipality_id
        if mine and oktmo and territory.by_oktmo[oktmo] != mine:
            raise PermissionDenied("Это МО вне вашей территории.")
        try:
            item = parse_file_row(values, territory, municipality_id=mine, channel=Channel.API)
        except Invalid as error:
            raise ValidationError({"non_field_errors": [str(error)]}) from error
        written = appeals_upsert(region=region, items=[item], by=request.user, source_label="REST API")
        appeal = selectors.appeal_get(user=request.user, pk=written.ids[(item.channel, item.external_id)])
        return Response(self.OutputSerializer(appeal).data,
                        status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK)


class AppealCollectionApi(AppealListApi, AppealCreateApi):
    """/api/v1/appeals/: GET lists (AppealListApi), POST creates (AppealCreateApi) — one address,
    two operations, each defined once."""
