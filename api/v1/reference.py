"""Reference data for integrators — the ids and codes the queue's filters and the actions take: sectors and
subtopics, municipalities and settlements, bodies. Read-only, any authenticated caller, its own region only;
bodies as the caller may route to them (cur.scoping.scope_agencies), like the card's picker. Each list is small
(tens to a few hundred rows) and read in a fixed number of queries; a municipality's boundary never is."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from appeals.lifecycle.deadlines import policies_by_subtopic
from cur.models import Agency, Sector, SlaPolicy, Subtopic
from cur.scoping import scope_agencies, scope_of, user_region
from municipalities.models import Municipality, Settlement
from municipalities.selectors import populations

TAGS = ["Справочники"]


def _region(user):
    """The caller's region; a caller who belongs to none gets 404 — there is no reference of theirs."""
    region = user_region(user)
    if region is None or scope_of(user).nothing:
        raise NotFound("Клиент не относится ни к одному региону.")
    return region


def _sectors(region):
    """The nine shared sectors and the ones the region's centres keep for blocks of their own."""
    return Sector.objects.filter(Q(centre__isnull=True) | Q(centre__region=region))


class SectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    is_socially_significant = serializers.BooleanField()
    own = serializers.SerializerMethodField(help_text="true — тематика собственного блока центра, не из общих девяти")

    def get_own(self, sector) -> bool:
        return sector.centre_id is not None


class SectorListApi(APIView):
    """GET /api/v1/reference/sectors/"""

    @extend_schema_serializer(component_name="SectorList")
    class OutputSerializer(serializers.Serializer):
        results = SectorSerializer(many=True)

    @extend_schema(operation_id="reference_sectors", summary="Отраслевые тематики", tags=TAGS,
                   responses=OutputSerializer)
    def get(self, request):
        sectors = _sectors(_region(request.user)).order_by("position", "name")
        return Response(self.OutputSerializer({"results": sectors}).data)


class DeadlineSerializer(serializers.Serializer):
    amount = serializers.IntegerField()
    unit = serializers.CharField(help_text="calendar_days, working_days или working_hours")


class SubtopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    sector_id = serializers.IntegerField()
    sector = serializers.CharField(source="sector.code", help_text="Код тематики")
    seasonal = serializers.CharField(help_text="Сезонность; пусто — круглый год")
    evidence_required = serializers.BooleanField(help_text="Ответ требует фотоотчёта или акта")
    is_active = serializers.BooleanField()
    message_deadline = DeadlineSerializer(
        allow_null=True, help_text="Срок ответа на сообщение ПОС по этой подтеме (правило подтемы; null — общее "
                                   "правило). Срок конкретного обращения — его due_at")


def _message_deadlines(region, subtopics) -> dict[int, dict]:
    """Each subtopic's own rule of the answer to a ПОС message (the rubricator gives every subtopic one) — the rule
    appeals.lifecycle.deadlines would choose, the region's over the all-regions one — where that rule is the
    subtopic's; one query over the rules, not one per subtopic."""
    chosen = policies_by_subtopic(region_id=region.pk, subtopics=subtopics, kind="message",
                                  target=SlaPolicy.Target.FINAL)
    return {pk: {"amount": rule.amount, "unit": rule.unit} for pk, rule in chosen.items()
            if rule is not None and rule.subtopic_id == pk}


class SubtopicListApi(APIView):
    """GET /api/v1/reference/subtopics/[?sector=<id>]"""

    @extend_schema_serializer(component_name="SubtopicQuery")
    class InputSerializer(serializers.Serializer):
        sector = serializers.IntegerField(required=False, help_text="Только подтемы тематики (id)")

    @extend_schema_serializer(component_name="SubtopicList")
    class OutputSerializer(serializers.Serializer):
        results = SubtopicSerializer(many=True)

    @extend_schema(operation_id="reference_subtopics", summary="Подтемы (со сроком ответа ПОС)", tags=TAGS,
                   parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request):
        region = _region(request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        subtopics = list(Subtopic.objects.filter(sector__in=_sectors(region)).select_related("sector")
                         .order_by("sector__position", "name", "pk"))
        if "sector" in query.validated_data:
            subtopics = [s for s in subtopics if s.sector_id == query.validated_data["sector"]]
        deadlines = _message_deadlines(region, subtopics)
        for subtopic in subtopics:
            subtopic.message_deadline = deadlines.get(subtopic.pk)
        return Response(self.OutputSerializer({"results": subtopics}).data)


class MunicipalitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    oktmo = serializers.CharField()
    name = serializers.CharField()
    official_name = serializers.CharField()
    kind = serializers.CharField(help_text="urban_okrug, municipal_district или municipal_okrug")
    population = serializers.IntegerField(source="inhabitants", allow_null=True,
                                          help_text="Численность на последнее 1 января (Росстат)")


class MunicipalityListApi(APIView):
    """GET /api/v1/reference/municipalities/ — without the boundaries (tens of kilobytes each)."""

    @extend_schema_serializer(component_name="MunicipalityList")
    class OutputSerializer(serializers.Serializer):
        results = MunicipalitySerializer(many=True)

    @extend_schema(operation_id="reference_municipalities", summary="Муниципальные образования региона", tags=TAGS,
                   responses=OutputSerializer)
    def get(self, request):
        region = _region(request.user)
        places = list(Municipality.objects.filter(region=region).only("pk", "oktmo", "name", "official_name", "kind")
                      .order_by("name"))
        people = populations(region.pk, timezone.localdate().year)
        for place in places:
            place.inhabitants = people.get(place.pk)  # `population` is the related rows' name
        return Response(self.OutputSerializer({"results": places}).data)


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    municipality_id = serializers.IntegerField()
    is_admin_centre = serializers.BooleanField()
    population = serializers.IntegerField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class SettlementListApi(APIView):
    """GET /api/v1/reference/settlements/?municipality=<id> — a municipality's settlements (a region has
    thousands: one municipality at a time)."""

    @extend_schema_serializer(component_name="SettlementQuery")
    class InputSerializer(serializers.Serializer):
        municipality = serializers.IntegerField(help_text="id муниципального образования (/reference/municipalities/)")

    @extend_schema_serializer(component_name="SettlementList")
    class OutputSerializer(serializers.Serializer):
        results = SettlementSerializer(many=True)

    @extend_schema(operation_id="reference_settlements", summary="Населённые пункты муниципального образования",
                   tags=TAGS, parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request):
        region = _region(request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        municipality = query.validated_data["municipality"]
        if not Municipality.objects.filter(region=region, pk=municipality).exists():
            raise NotFound("Нет такого муниципального образования в вашем регионе.")
        settlements = Settlement.objects.filter(municipality_id=municipality).order_by("name", "pk")
        return Response(self.OutputSerializer({"results": settlements}).data)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Код для assign / forward")
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField(help_text="oiv, omsu, institution или organisation")
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None, allow_null=True,
                                               help_text="Территория органа; null — весь регион")
    parent = serializers.CharField(source="parent.code", default=None, allow_null=True,
                                   help_text="Код вышестоящего органа")
    sectors = serializers.SerializerMethodField(help_text="Коды тематик органа")
    is_active = serializers.BooleanField()

    def get_sectors(self, agency) -> list[str]:
        return [sector.code for sector in agency.sectors.all()]


class AgencyListApi(APIView):
    """GET /api/v1/reference/agencies/ — the bodies the caller may route to: the region's own and those of
    its territory (an executor: its own body)."""

    @extend_schema_serializer(component_name="AgencyList")
    class OutputSerializer(serializers.Serializer):
        results = AgencySerializer(many=True)

    @extend_schema(operation_id="reference_agencies", summary="Органы и организации-исполнители", tags=TAGS,
                   responses=OutputSerializer)
    def get(self, request):
        region = _region(request.user)
        agencies = (scope_agencies(Agency.objects.filter(region=region), request.user)
                    .select_related("municipality", "parent").defer("municipality__boundary")
                    .prefetch_related("sectors").order_by("name", "pk"))
        return Response(self.OutputSerializer({"results": agencies}).data)
