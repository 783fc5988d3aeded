"""Рейтинги: bodies and municipalities of the user's territory for a period, a body's own page, the
methodology in force and the exports — thin views over ratings/selectors.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from appeals.lifecycle import deadlines
from cur.periods import KINDS, period_asked, period_navigation
from cur.scoping import scope_of, user_region
from cur.security import chart_page
from cur.spreadsheets import CSV_TYPE, XLSX_TYPE
from ratings import charts, exports
from ratings.models import PART_LABELS, PARTS
from ratings.scoring import ZONES
from ratings.selectors import body_page, methodologies_of, methodology_for, rated_agencies, rating
from rollups.selectors import MEASURES

# column → (its head, the row's value to sort by); the place is the default order
SORTS = {
    "place": "Место", "score": "Балл", **{part: PART_LABELS[part] for part in PARTS}, "received": "Поступило",
    "late": "С нарушением срока", "change": "Изменение места",
}


def _sort_key(sort: str):
    def key(row):
        rated = row.rated
        if sort == "place":
            return (not rated.ranked, rated.place or 0)
        if sort == "score":
            value = rated.score
        elif sort in PARTS:
            value = rated.values[sort]
        elif sort == "change":
            value = row.place_change
        else:
            value = getattr(row.sums, sort)
        return (value is None, -(value or 0))
    return key


def _board_context(request, level: str) -> dict:
    period, period_error = period_asked(request.GET)
    board = rating(request.user, period, level=level)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "place"
    groups = [(label, sorted(rows, key=_sort_key(sort))) for label, rows in board.groups]
    params = request.GET.copy()
    params.pop("sort", None)
    return {
        "board": board, "groups": groups, "period": period, "period_error": period_error, "kinds": KINDS,
        "parts": [(part, PART_LABELS[part]) for part in PARTS], "zones": ZONES, "sort": sort,
        "base_query": params.urlencode(), "level": level, "measures": MEASURES,
        **period_navigation(request.GET, period),
    }


@login_required
def index(request):
    """The bodies' rating; an executor goes to their own body's page."""
    scope = scope_of(request.user)
    if scope.agency_id:
        return redirect(reverse("ratings:agency", args=[scope.agency_id]) + _query(request))
    if user_region(request.user) is None:
        raise Http404
    return render(request, "ratings/index.html", _board_context(request, "agency"))


@login_required
def municipalities(request):
    if scope_of(request.user).agency_id or user_region(request.user) is None:
        raise Http404
    return render(request, "ratings/index.html", _board_context(request, "municipality"))


def _query(request) -> str:
    return "?" + request.GET.urlencode() if request.GET else ""


@chart_page
@login_required
def agency(request, pk: int):
    """A body's own page: its parts over time, where it does worst, its late and returned appeals."""
    body = get_object_or_404(rated_agencies(request.user), pk=pk)
    period, period_error = period_asked(request.GET)
    page = body_page(request.user, body, period)
    return render(request, "ratings/agency.html", {
        "page": page, "body": body, "period": period, "period_error": period_error, "kinds": KINDS,
        "parts": [(part, PART_LABELS[part]) for part in PARTS], "zones": ZONES, "measures": MEASURES,
        "chart": charts.parts_over_time(page), "is_own": scope_of(request.user).agency_id == body.pk,
        **period_navigation(request.GET, period),
    })


@login_required
def methodology(request):
    region = user_region(request.user)
    if region is None:
        raise Http404
    today = timezone.localdate()
    return render(request, "ratings/methodology.html", {
        "current": methodology_for(region, today), "history": methodologies_of(region), "region": region,
        "parts": [(part, PART_LABELS[part]) for part in PARTS], "today": today,
        "min_turn_days": deadlines.MIN_TURN_WORKING_DAYS,
    })


@login_required
def export(request):
    """?format=xlsx|csv&level=agency|municipality and the page's period: the page's rows as a file."""
    level = "municipality" if request.GET.get("level") == "municipality" else "agency"
    scope = scope_of(request.user)
    if (scope.agency_id and level == "municipality") or user_region(request.user) is None:
        raise Http404
    period, _ = period_asked(request.GET)
    board = rating(request.user, period, level=level)
    name = f"rating-{'municipalities' if level == 'municipality' else 'bodies'}-{period.first:%Y-%m-%d}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.csv_text_of(board), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(exports.xlsx_bytes(board, user=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
