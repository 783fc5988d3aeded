"""The heat map's figures as JSON: the matrix of municipalities × sectors (or × the subtopics of one sector)
and a municipality's own page — the page's selectors (heatmap/map/selectors.py) over the area rollups, the
same parameters, the same scope, the same numbers. Every figure carries `area`, the value of the queue's
filter that lists exactly the appeals it counted: GET /api/v1/appeals/?area=<area>."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cur.periods import KINDS, CalendarPeriod, PeriodError, calendar_period
from cur.scoping import scope_municipalities, scope_of, user_region
from cur.vocabulary import Channel, Kind
from heatmap.cubes import Nothing, filters_asked
from heatmap.map.selectors import FILTERS, PAGE_MEASURES, compared_with, heat_map, municipality_page
from heatmap.measures import CHANGES, MEASURES
from municipalities.models import Municipality

TAGS = ["Рейтинги и карта"]
HEAT_MEASURES = (*MEASURES, *CHANGES)


def area_of(url: str) -> str | None:
    """The queue filter `area` of a figure's link (the selectors give the whole link to the queue page)."""
    found = parse_qs(urlsplit(url).query).get("area")
    return found[0] if found else None


def _region(user):
    region = user_region(user)
    if region is None or scope_of(user).nothing:
        raise NotFound("Клиент не относится ни к одному региону.")
    return region


def _period(params) -> CalendarPeriod:
    try:
        return calendar_period(params)
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from None


def _period_body(period: CalendarPeriod) -> dict:
    return {"kind": period.kind, "first": period.first, "last": period.last, "label": period.label}


class PeriodQuery(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(KINDS), required=False,
                                     help_text="По умолчанию month — месяц вчерашнего дня")
    on = serializers.DateField(required=False, help_text="День внутри периода")
    # `from` is a keyword: declared below under its own name
    to = serializers.DateField(required=False, help_text="Конец (period=custom)")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, help_text="Вид обращения")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="Начало (period=custom)")
        return fields


@extend_schema_serializer(component_name="HeatMapPeriod")
class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    label = serializers.CharField()


@extend_schema_serializer(component_name="HeatMapFigure")
class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="Значение показателя; null — не из чего считать")
    count = serializers.IntegerField(help_text="Поступило обращений")
    area = serializers.CharField(allow_null=True, help_text="Фильтр очереди: GET /api/v1/appeals/?area=…")


def _figure(value, count: int, url: str) -> dict:
    return {"value": value, "count": count, "area": area_of(url)}


def _cell(cell) -> dict:
    return _figure(cell.value, cell.count, cell.url)


@extend_schema_serializer(component_name="HeatMapPlace")
class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    oktmo = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="HeatMapColumn")
class ColumnSerializer(FigureSerializer):
    """A column of the matrix (a sector or a subtopic) with its total over the rows."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="HeatMapRow")
class RowSerializer(FigureSerializer):
    """A municipality: its figure (the map's colour), the change of its count, and a cell per column."""

    municipality = PlaceSerializer()
    population = serializers.IntegerField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True, help_text="Изменение числа обращений к прошлому периоду, %")
    cells = FigureSerializer(many=True, help_text="По столбцам columns, в их порядке")


def _unit(measure: str) -> str:
    return MEASURES[measure].unit if measure in MEASURES else "%" if measure == "change_pct" else ""


class HeatMapApi(APIView):
    """GET /api/v1/heatmap/ — the figure per municipality of the caller's part of the region (the choropleth),
    the matrix by sector (with `sector`: by its subtopics), the column totals and the total."""

    @extend_schema_serializer(component_name="HeatMapQuery")
    class InputSerializer(PeriodQuery):
        measure = serializers.ChoiceField(choices=list(HEAT_MEASURES), required=False,
                                          help_text="Показатель; по умолчанию count")
        sector = serializers.IntegerField(required=False, help_text="id тематики: столбцы — её подтемы")
        subtopic = serializers.IntegerField(required=False, help_text="id подтемы")

    @extend_schema_serializer(component_name="HeatMap")
    class OutputSerializer(serializers.Serializer):
        period = PeriodSerializer()
        compared_with = PeriodSerializer(help_text="С чем сравнивается изменение: прошлый период (идущий — "
                                                   "столько же его первых дней)")
        measure = serializers.CharField()
        label = serializers.CharField(help_text="Название показателя")
        unit = serializers.CharField()
        filters = serializers.DictField(help_text="Применённые фильтры (id тематики и подтемы, канал, вид)")
        column_dimension = serializers.CharField(help_text="sector или subtopic")
        columns = ColumnSerializer(many=True)
        rows = RowSerializer(many=True)
        total = FigureSerializer()

    @extend_schema(operation_id="heatmap", summary="Тепловая карта: показатель по муниципалитетам и тематикам",
                   tags=TAGS, parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request):
        region = _region(request.user)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = _period(request.query_params)
        try:
            heat = heat_map(request.user, region, period, measure=query.validated_data.get("measure", "count"),
                            filters=filters_asked(request.query_params, FILTERS))
        except Nothing:
            raise NotFound() from None
        return Response(self.OutputSerializer({
            "period": _period_body(period), "compared_with": _period_body(compared_with(period)),
            "measure": heat.measure, "label": heat.label, "unit": _unit(heat.measure),
            "filters": heat.filters, "column_dimension": heat.column_dimension,
            "columns": [{"id": column.pk, "code": column.code, "name": column.name, **_cell(total)}
                        for column, total in zip(heat.columns, heat.totals, strict=True)],
            "rows": [{"municipality": row.municipality, "population": row.population, "change_pct": row.change,
                      **_figure(row.value, row.now["received"], row.url),
                      "cells": [_cell(cell) for cell in row.cells]} for row in heat.rows],
            "total": _cell(heat.total),
        }).data)


@extend_schema_serializer(component_name="HeatMapLine")
class LineSerializer(serializers.Serializer):
    """A subtopic or a settlement of a municipality's page, with every measure of the page."""

    id = serializers.IntegerField(allow_null=True, help_text="id подтемы / населённого пункта; null — не определён")
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Поступило обращений")
    values = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                   help_text=f"Показатель → значение: {', '.join(PAGE_MEASURES)}")
    areas = serializers.DictField(child=serializers.CharField(),
                                  help_text="Показатель → фильтр очереди area обращений, которые он считает")


@extend_schema_serializer(component_name="HeatMapSettlement")
class SettlementLineSerializer(LineSerializer):
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


@extend_schema_serializer(component_name="HeatMapSector")
class SectorLineSerializer(LineSerializer):
    subtopics = LineSerializer(many=True)


def _line(line, **extra) -> dict:
    return {"id": line.key, "name": line.name, "count": line.now["received"], "values": line.values,
            "areas": {measure: area_of(url) for measure, url in line.urls.items()}, **extra}


class HeatMapMunicipalityApi(APIView):
    """GET /api/v1/heatmap/municipalities/<id>/ — a municipality's sectors with their subtopics and its
    settlements, each with every measure of the page."""

    @extend_schema_serializer(component_name="HeatMapMunicipalityQuery")
    class InputSerializer(PeriodQuery):
        pass

    @extend_schema_serializer(component_name="HeatMapMunicipality")
    class OutputSerializer(serializers.Serializer):
        municipality = PlaceSerializer()
        period = PeriodSerializer()
        compared_with = PeriodSerializer()
        population = serializers.IntegerField(allow_null=True)
        filters = serializers.DictField(help_text="Применённые фильтры (канал, вид)")
        measures = serializers.DictField(child=serializers.CharField(), help_text="Показатель → его название")
        total = LineSerializer()
        sectors = SectorLineSerializer(many=True)
        settlements = SettlementLineSerializer(many=True)

    @extend_schema(operation_id="heatmap_municipality", summary="Тепловая карта муниципалитета: тематики и "
                   "населённые пункты", tags=TAGS, parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request, pk: int):
        region = _region(request.user)
        place = get_object_or_404(scope_municipalities(Municipality.objects.filter(region=region), request.user)
                                  .defer("boundary"), pk=pk)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = _period(request.query_params)
        try:
            page = municipality_page(request.user, place, period, filters=filters_asked(request.query_params, FILTERS))
        except Nothing:
            raise NotFound() from None
        return Response(self.OutputSerializer({
            "municipality": place, "period": _period_body(period), "compared_with": _period_body(compared_with(period)),
            "population": page.population, "filters": page.filters, "measures": dict(page.measure_labels),
            "total": _line(page.total),
            "sectors": [_line(sector, subtopics=[_line(child) for child in sector.children])
                        for sector in page.sectors],
            "settlements": [_line(settlement, lat=settlement.lat, lon=settlement.lon)
                            for settlement in page.settlements],
        }).data)
