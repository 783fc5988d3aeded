"""Разрезы: the pivot builder, its saved slices, its files and the growth drivers — thin views over
heatmap/slices/{selectors,services,exports}.py."""

from __future__ import annotations

from urllib.parse import urlencode

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from appeals.models import Status
from cur.models import Agency, Sector, Subtopic
from cur.periods import KINDS, period_asked, period_navigation
from cur.scoping import scope_agencies, scope_municipalities, scope_of, user_region
from cur.security import chart_page
from cur.spreadsheets import CSV_TYPE, XLSX_TYPE
from cur.vocabulary import Channel, Kind
from heatmap.cubes import Nothing, filters_asked
from heatmap.measures import MEASURES
from heatmap.slices import exports
from heatmap.slices.selectors import (
    AXES,
    FILTERABLE,
    SLICE_MEASURES,
    TIME_AXES,
    TOTAL,
    growth_drivers,
    pivot,
    slices_of,
)
from heatmap.slices.services import SliceRefused, slice_save
from municipalities.models import Municipality


def _build(request):
    region = user_region(request.user)
    if region is None or scope_of(request.user).nothing:
        raise Http404
    period, period_error = period_asked(request.GET)
    try:
        table = pivot(request.user, region.pk, period, rows=request.GET.get("rows", "subtopic"),
                      columns=request.GET.get("cols") or None, measure=request.GET.get("measure", "count"),
                      filters=filters_asked(request.GET, FILTERABLE))
    except Nothing:
        raise Http404 from None
    return region, period, period_error, table


@chart_page
@login_required
def index(request):
    region, period, period_error, table = _build(request)
    drivers = growth_drivers(request.user, region.pk, period, filters=table.filters)
    query = request.GET.urlencode()
    return render(request, "heatmap/slices.html", {
        "table": table, "rows": table.table(), "period": period, "period_error": period_error, "kinds": KINDS,
        **period_navigation(request.GET, period), "region": region, "drivers": drivers,
        "axes": AXES, "measures": [(key, MEASURES[key].label) for key in SLICE_MEASURES],
        "cells": _cells(table), "chart": _chart(table), "saved": slices_of(request.user),
        "can_save": getattr(scope_of(request.user), "agency_id", None) is None,
        "choices": _choices(request.user, region), "query": query,
        "xlsx": f"{reverse('heatmap:slice_export')}?{query}{'&' if query else ''}format=xlsx",
        "csv": f"{reverse('heatmap:slice_export')}?{query}{'&' if query else ''}format=csv",
    })


def _cells(table) -> list[list]:
    """The page's body: each row's cells as (value, url), the totals last."""
    columns = [*table.column_keys, TOTAL] if table.columns_axis else [TOTAL]
    return [(table.label(table.rows_axis, r), [(table.values.get((r, c)), table.urls.get((r, c))) for c in columns])
            for r in [*table.row_keys, TOTAL]]


def _choices(user, region) -> dict:
    return {
        "sector": Sector.objects.filter(centre__isnull=True).order_by("name"),
        "subtopic": Subtopic.objects.filter(is_active=True).order_by("name"),
        "municipality": scope_municipalities(Municipality.objects.filter(region=region).defer("boundary"), user)
        .order_by("name"),
        "agency": scope_agencies(Agency.objects.filter(region=region, is_active=True), user).order_by("short_name"),
        "channel": Channel.choices, "kind": Kind.choices, "status": Status.choices,
    }


def _chart(table) -> dict:
    """Bars per row (or, with a time split, a line per row over time) — the busiest rows only."""
    figure = go.Figure()
    shown = table.row_keys[:12]
    if table.columns_axis:
        columns = table.column_keys[:24]
        timeline = table.columns_axis in TIME_AXES
        for r in shown:
            values = [table.values.get((r, c)) for c in columns]
            labels = [table.label(table.columns_axis, c) for c in columns]
            figure.add_trace(go.Scatter(x=labels, y=values, name=table.label(table.rows_axis, r), mode="lines+markers")
                             if timeline else go.Bar(x=labels, y=values, name=table.label(table.rows_axis, r)))
    else:
        figure.add_trace(go.Bar(x=[table.label(table.rows_axis, r) for r in shown],
                                y=[table.values.get((r, TOTAL)) for r in shown], marker={"color": "#1c4396"}))
    figure.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 80}, height=360, legend={"orientation": "h"},
                         font={"family": "PT Sans, sans-serif", "size": 12}, plot_bgcolor="#fff",
                         paper_bgcolor="#fff", yaxis={"title": table.measure_label, "rangemode": "tozero"})
    return figure.to_plotly_json()


@login_required
def export(request):
    _, period, _, table = _build(request)
    name = f"slice-{table.rows_axis}-{table.columns_axis or 'total'}-{period.first:%Y-%m-%d}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.csv_text_of(table), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(exports.xlsx_bytes(table, user=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_POST
@login_required
def save(request):
    params = {key: request.POST.get(key, "") for key in request.POST}
    try:
        saved = slice_save(by=request.user, name=request.POST.get("name", ""), params=params)
    except SliceRefused as refused:
        messages.error(request, str(refused))
        return redirect(reverse("heatmap:slices") + "?" + urlencode({k: v for k, v in params.items()
                                                                     if k not in ("name", "csrfmiddlewaretoken")}))
    messages.success(request, f"Разрез «{saved.name}» сохранён для центра.")
    return redirect(reverse("heatmap:slices") + "?" + urlencode(saved.params))
