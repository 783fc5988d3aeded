"""The dashboard's weekly trend per sector over a year (plotly, drawn by static/js/charts.js)."""

from __future__ import annotations

import plotly.graph_objects as go

PALETTE = ["#1c4396", "#0b6b8a", "#a4450b", "#6b3fa0", "#0f6f63", "#b7791f", "#4a5568", "#c53030", "#2f855a",
           "#805ad5", "#718096"]


def weekly_trend(trend: dict) -> dict:
    labels = [week.strftime("%d.%m.%y") for week in trend["weeks"]]
    figure = go.Figure()
    for index, (name, counts) in enumerate(trend["sectors"]):
        figure.add_trace(go.Scatter(
            x=labels, y=counts, name=name, mode="lines", stackgroup="sectors",
            line={"width": 0.6, "color": PALETTE[index % len(PALETTE)]},
            hovertemplate="неделя с %{x}: %{y}<extra>%{fullData.name}</extra>",
        ))
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 10, "b": 40}, height=340, hovermode="x unified",
        legend={"orientation": "h", "y": -0.25}, font={"family": "PT Sans, sans-serif", "size": 12},
        yaxis={"title": "обращений в неделю", "rangemode": "tozero", "tickformat": ",d"},
        xaxis={"nticks": 13}, plot_bgcolor="#fff", paper_bgcolor="#fff",
    )
    return figure.to_plotly_json()
