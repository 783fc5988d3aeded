"""Механизмы ускоренного решения: the rules of the region and what each handled — a thin view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cur.periods import KINDS, period_asked, period_navigation
from cur.scoping import scope_of, user_region
from heatmap.cubes import Nothing
from reports.fasttrack.selectors import fast_track_figures


@login_required
def index(request):
    region = user_region(request.user)
    if region is None or scope_of(request.user).nothing:
        raise Http404
    period, period_error = period_asked(request.GET)
    try:
        figures = fast_track_figures(request.user, region, period)
    except Nothing:
        raise Http404 from None
    return render(request, "reports/fast_tracks.html", {
        "figures": figures, "period": period, "period_error": period_error, "kinds": KINDS, "region": region,
        **period_navigation(request.GET, period),
    })
