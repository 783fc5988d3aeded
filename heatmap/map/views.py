"""Тепловая карта: the choropleth and the matrix of the user's part of the region, a municipality's own page,
and the municipalities' shapes as GeoJSON — thin views over heatmap/map/selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cur.models import Sector, Subtopic
from cur.periods import KINDS, period_asked, period_navigation
from cur.scoping import scope_municipalities, scope_of, user_region
from cur.security import chart_page
from cur.vocabulary import Channel, Kind
from heatmap.cubes import Nothing, filters_asked
from heatmap.map import charts
from heatmap.map.selectors import FILTERS, heat_map, municipality_page
from heatmap.measures import CHANGES, MAP_MEASURES, MEASURES
from municipalities.geometry import rewound
from municipalities.models import Municipality

SORTS = ("name", "value", "total")


def _context(request, region, heat_or_page) -> dict:
    period = heat_or_page.period
    return {
        "period": period, "kinds": KINDS, **period_navigation(request.GET, period),
        "measures": [(key, CHANGES.get(key) or MEASURES[key].label) for key in MAP_MEASURES],
        "sectors": Sector.objects.filter(centre__isnull=True).order_by("name"),
        "subtopics": Subtopic.objects.filter(sector_id=heat_or_page.filters.get("sector")).order_by("name")
        if heat_or_page.filters.get("sector") else [],
        "channels": Channel.choices, "appeal_kinds": Kind.choices, "region": region,
    }


def _region(request):
    region = user_region(request.user)
    if region is None or scope_of(request.user).nothing:
        raise Http404
    return region


@chart_page
@login_required
def index(request):
    region = _region(request)
    period, period_error = period_asked(request.GET)
    try:
        heat = heat_map(request.user, region, period, measure=request.GET.get("measure", "count"),
                        filters=filters_asked(request.GET, FILTERS))
    except Nothing:
        raise Http404 from None
    query = request.GET.urlencode()
    for row in heat.rows:
        row.page = reverse("heatmap:municipality", args=[row.municipality.pk]) + (f"?{query}" if query else "")
    sort = request.GET.get("sort", "")
    column = int(sort[1:]) if sort[:1] == "c" and sort[1:].isdigit() and int(sort[1:]) < len(heat.columns) else None
    if sort not in SORTS and column is None:
        sort = "total"
    rows = sorted(heat.rows, key=_sort_key(sort, column))
    for index, item in enumerate(heat.columns):
        item.sort_key = f"c{index}"
    params = request.GET.copy()
    params.pop("sort", None)
    unit = MEASURES[heat.measure].unit if heat.measure in MEASURES else "%" if heat.measure == "change_pct" else ""
    return render(request, "heatmap/index.html", {
        **_context(request, region, heat), "heat": heat, "rows": rows, "sort": sort, "period_error": period_error,
        "base_query": params.urlencode(), "unit": unit,
        "chart": charts.choropleth(heat, geojson_url=reverse("heatmap:geo"), unit=unit),
    })


@chart_page
@login_required
def municipality(request, pk: int):
    """A municipality's page: its settlements on the map, its sectors and subtopics with every measure."""
    region = _region(request)
    place = get_object_or_404(scope_municipalities(Municipality.objects.filter(region=region), request.user), pk=pk)
    period, period_error = period_asked(request.GET)
    try:
        page = municipality_page(request.user, place, period, filters=filters_asked(request.GET, FILTERS))
    except Nothing:
        raise Http404 from None
    return render(request, "heatmap/municipality.html", {
        **_context(request, region, page), "page": page, "place": place, "period_error": period_error,
        "chart": charts.settlements(page, geojson_url=reverse("heatmap:geo")),
    })


def _sort_key(sort: str, column: int | None):
    """Territories by name, by the measure, by their count, or by the measure in one column of the matrix."""
    def by_value(value):
        return (value is None, -(value or 0))

    if column is not None:
        return lambda r: by_value(r.cells[column].value)
    return {"name": lambda r: r.municipality.name, "value": lambda r: by_value(r.value),
            "total": lambda r: -r.now["received"]}[sort]


@require_GET
@login_required
def geo(request):
    """The shapes of the municipalities the user sees, as a GeoJSON FeatureCollection whose feature ids are
    the municipalities' ids (© OpenStreetMap contributors, ODbL). Cached by the browser for an hour."""
    region = _region(request)
    places = scope_municipalities(Municipality.objects.filter(region=region, boundary__isnull=False), request.user)
    response = JsonResponse({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": str(m.pk), "properties": {"name": m.name},
                      "geometry": rewound(m.boundary)} for m in places.order_by("pk")],
    })
    response.private_max_age = 3600  # public reference data: cur/middleware.py lets the browser keep it
    return response
