"""Roadmaps: the list, a new one from a situation / a Problem / a heat-map cell, one roadmap (measures, approval,
the effect chart), its exports — thin views over reports/roadmaps/{selectors,services}.py."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from appeals.models import Appeal, Problem
from appeals.privacy import visible_text
from cur.models import Agency, Sector, Subtopic
from cur.permissions import ROADMAP_APPROVE, ROADMAP_EDIT, Forbidden, rights_of
from cur.scoping import (
    can_see_personal_data,
    reads_documents,
    scope_agencies,
    scope_appeals,
    scope_municipalities,
)
from cur.security import chart_page
from cur.spreadsheets import XLSX_TYPE
from heatmap.conflicts.selectors import situations_visible
from municipalities.models import Municipality
from reports.models import Roadmap, RoadmapMeasure
from reports.roadmaps import exports, services
from reports.roadmaps.selectors import roadmap_effect, roadmaps_visible

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _visible(request):
    if not reads_documents(request.user):
        raise Http404
    return roadmaps_visible(request.user)


@login_required
def index(request):
    roadmaps = _visible(request)
    status = request.GET.get("status")
    if status in Roadmap.Status.values:
        roadmaps = roadmaps.filter(status=status)
    return render(request, "reports/roadmaps.html", {
        "roadmaps": roadmaps[:200], "status": status, "statuses": Roadmap.Status.choices,
        "can_open": ROADMAP_EDIT in rights_of(request.user),
        "municipalities": scope_municipalities(Municipality.objects.defer("boundary"), request.user).order_by("name"),
        "sectors": Sector.objects.all(), "today": timezone.localdate(),
    })


def _origin(request, params):
    """The situation, Problem or cell a new roadmap is opened from, inside the user's scope."""
    situation = problem = municipality = sector = subtopic = None
    if params.get("situation", "").isdigit():
        situation = get_object_or_404(situations_visible(request.user), pk=int(params["situation"]))
    elif params.get("problem", "").isdigit():
        visible = scope_appeals(Appeal.objects.all(), request.user).values("problem_id")
        problem = get_object_or_404(Problem.objects.filter(pk__in=visible), pk=int(params["problem"]))
    else:
        if params.get("municipality", "").isdigit():
            municipality = get_object_or_404(scope_municipalities(Municipality.objects.defer("boundary"),
                                                                  request.user), pk=int(params["municipality"]))
        if params.get("subtopic", "").isdigit():
            subtopic = get_object_or_404(Subtopic, pk=int(params["subtopic"]))
        if params.get("sector", "").isdigit():
            sector = get_object_or_404(Sector, pk=int(params["sector"]))
    return {"situation": situation, "problem": problem, "municipality": municipality, "sector": sector,
            "subtopic": subtopic}


@login_required
def new(request):
    _visible(request)
    if ROADMAP_EDIT not in rights_of(request.user):
        raise Http404
    origin = _origin(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        agency = request.POST.get("agency", "")
        try:
            roadmap = services.roadmap_open(
                by=request.user, title=request.POST.get("title", ""), root_cause=request.POST.get("root_cause", ""),
                agency=scope_agencies(Agency.objects.all(), request.user).filter(pk=int(agency)).first()
                if agency.isdigit() else None, curator=request.user if request.POST.get("i_curate") else None,
                **origin)
        except (services.RoadmapRefused, Forbidden) as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Дорожная карта открыта: добавьте мероприятия и направьте на утверждение.")
            return redirect(roadmap.get_absolute_url())
    topic = origin["subtopic"] or origin["sector"] or (origin["situation"].subtopic if origin["situation"] else None) \
        or (origin["problem"].subtopic if origin["problem"] else None)
    return render(request, "reports/roadmap_new.html", {
        **origin, "topic": topic, "problem_title": visible_text(
            origin["problem"].title, personal=can_see_personal_data(request.user), limit=120) if origin["problem"]
        else "", "agencies": scope_agencies(Agency.objects.filter(is_active=True), request.user)
        .order_by("short_name"), "post": request.POST,
    })


@chart_page
@login_required
def detail(request, pk: int):
    roadmap = get_object_or_404(_visible(request), pk=pk)
    effect = roadmap_effect(roadmap)
    rights = rights_of(request.user)
    open_ = roadmap.status in (Roadmap.Status.DRAFT, Roadmap.Status.APPROVED)
    return render(request, "reports/roadmap.html", {
        "roadmap": roadmap, "measures": roadmap.measures.all(), "effect": effect, "chart": _chart(effect),
        "events": roadmap.events.select_related("actor", "measure"), "today": timezone.localdate(),
        "can_edit": open_ and ROADMAP_EDIT in rights, "can_approve": open_ and ROADMAP_APPROVE in rights,
    })


def _chart(effect) -> dict:
    figure = go.Figure(go.Bar(x=effect.labels, y=effect.counts, marker={"color": [
        "#b8c2d6" if m < effect.opened.replace(day=1) else "#1c4396" for m in effect.months]},
        hovertemplate="%{x}: %{y}<extra>обращений</extra>"))
    opened = f"{effect.opened:%d.%m.%Y}"
    figure.add_annotation(x=next((label for label, m in zip(effect.labels, effect.months, strict=True)
                                  if m == effect.opened.replace(day=1)), None), y=max(effect.counts or [0]),
                          text=f"открыта {opened}", showarrow=True, arrowhead=2)
    figure.update_layout(margin={"l": 40, "r": 20, "t": 20, "b": 40}, height=300, yaxis={"title": "обращений"},
                         font={"family": "PT Sans, sans-serif", "size": 12})
    return figure.to_plotly_json()


def _act(request, pk: int, action, done: str):
    roadmap = get_object_or_404(_visible(request), pk=pk)
    try:
        action(roadmap)
    except (services.RoadmapRefused, Forbidden) as refused:
        messages.error(request, str(refused))
    except ValueError:
        messages.error(request, "Дата не читается: укажите её в календаре.")
    else:
        messages.success(request, done)
    return redirect(roadmap.get_absolute_url())


def _measure_values(post) -> dict:
    values = {name: post.get(name, "").strip() for name in services.MEASURE_FIELDS}
    values["planned_date"] = date.fromisoformat(values["planned_date"]) if values["planned_date"] else None
    return values


@require_POST
@login_required
def measure_add(request, pk: int):
    version = request.POST.get("version")
    return _act(request, pk, lambda r: services.measure_save(
        roadmap=r, by=request.user, values=_measure_values(request.POST),
        expected_version=int(version) if version and version.isdigit() else None), "Мероприятие добавлено.")


@require_POST
@login_required
def measure_done(request, pk: int, measure_pk: int):
    def act(roadmap):
        measure = get_object_or_404(RoadmapMeasure, pk=measure_pk, roadmap=roadmap)
        services.measure_done(measure=measure, by=request.user,
                              actual_date=date.fromisoformat(request.POST.get("actual_date", "")))
    return _act(request, pk, act, "Мероприятие отмечено выполненным.")


@require_POST
@login_required
def approve(request, pk: int):
    return _act(request, pk, lambda r: services.roadmap_approve(roadmap=r, by=request.user),
                "Дорожная карта утверждена.")


@require_POST
@login_required
def close(request, pk: int):
    return _act(request, pk, lambda r: services.roadmap_close(roadmap=r, by=request.user,
                                                              status=request.POST.get("status", ""),
                                                              note=request.POST.get("note", "")),
                "Дорожная карта закрыта.")


@login_required
def export(request, pk: int, kind: str):
    roadmap = get_object_or_404(_visible(request), pk=pk)
    if kind == "docx":
        body, content_type = exports.roadmap_docx(roadmap, roadmap_effect(roadmap)), DOCX
    elif kind == "xlsx":
        body, content_type = exports.roadmap_xlsx(roadmap), XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="dorozhnaya_karta_{roadmap.pk}.{kind}"'
    return response
