"""Конфликтные ситуации: the list of the user's territory and one situation's page with its evidence and the
curator's moves — thin views over heatmap/conflicts/{selectors,services}.py."""

from __future__ import annotations

import plotly.graph_objects as go
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cur.permissions import SITUATIONS, Forbidden, rights_of
from cur.security import chart_page
from heatmap.conflicts.selectors import evidence, situations_visible
from heatmap.conflicts.services import MoveRefused, situation_move
from heatmap.models import Situation


@login_required
def index(request):
    status = request.GET.get("status")
    situations = situations_visible(request.user)
    if status in Situation.Status.values:
        situations = situations.filter(status=status)
    elif status != "all":
        situations = situations.filter(status__in=Situation.OPEN)
    return render(request, "heatmap/situations.html", {
        "situations": situations.order_by("-week", "-count")[:200], "status": status or "open",
        "statuses": Situation.Status.choices,
    })


@chart_page
@login_required
def detail(request, pk: int):
    situation = get_object_or_404(situations_visible(request.user), pk=pk)
    seen = evidence(situation)
    return render(request, "heatmap/situation.html", {
        "situation": situation, "evidence": seen, "chart": _chart(situation, seen),
        "moves": situation.moves.select_related("actor"),
        "choices": [(s, dict(Situation.Status.choices)[s]) for s in Situation.MOVES[situation.status]]
        if SITUATIONS in rights_of(request.user) else [],
    })


@require_POST
@login_required
def move(request, pk: int):
    situation = get_object_or_404(situations_visible(request.user), pk=pk)
    try:
        situation_move(situation=situation, to=request.POST.get("to", ""), by=request.user,
                       note=request.POST.get("note", ""))
    except (MoveRefused, Forbidden) as refused:
        messages.error(request, str(refused.args[0] if refused.args else refused))
    else:
        messages.success(request, "Статус ситуации изменён.")
    return redirect(situation.get_absolute_url())


def _chart(situation: Situation, seen) -> dict:
    labels = [week.strftime("%d.%m") for week in seen.weeks]
    figure = go.Figure()
    figure.add_trace(go.Bar(x=labels, y=seen.counts, name="обращений за неделю",
                            marker={"color": ["#e0603a" if w == situation.week else "#94a3b8" for w in seen.weeks]},
                            hovertemplate="неделя с %{x}: %{y}<extra></extra>"))
    figure.add_trace(go.Scatter(x=labels, y=[situation.baseline] * len(labels), name="ожидалось (база)",
                                mode="lines", line={"dash": "dash", "color": "#1c4396"}))
    if any(v is not None for v in seen.year_ago):
        figure.add_trace(go.Scatter(x=labels, y=seen.year_ago, name="год назад", mode="lines+markers",
                                    line={"dash": "dot", "color": "#6b3fa0"}))
    figure.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=300, legend={"orientation": "h"},
                         font={"family": "PT Sans, sans-serif", "size": 12}, plot_bgcolor="#fff",
                         paper_bgcolor="#fff", yaxis={"rangemode": "tozero", "tickformat": ",d"})
    return figure.to_plotly_json()
