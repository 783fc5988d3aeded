"""Сводка куратора: the home page of curators, heads and sector heads — a thin view over
heatmap/dashboard/selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cur.periods import KINDS, period_asked, period_navigation
from cur.scoping import scope_of, user_region
from cur.security import chart_page
from heatmap.cubes import Nothing
from heatmap.dashboard import charts
from heatmap.dashboard.selectors import dashboard


@chart_page
@login_required
def index(request, is_home: bool = False):
    region = user_region(request.user)
    if region is None or scope_of(request.user).nothing:
        raise Http404
    period, period_error = period_asked(request.GET)
    try:
        board = dashboard(request.user, region, period)
    except Nothing:
        raise Http404 from None
    return render(request, "heatmap/dashboard.html", {
        "board": board, "period": period, "is_home": is_home, "period_error": period_error, "kinds": KINDS,
        "region": region,
        **period_navigation(request.GET, period), "chart": charts.weekly_trend(board.trend),
    })
