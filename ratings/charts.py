"""The body page's chart as a plotly figure (drawn by static/js/charts.js with the project's plotly bundle)."""

from __future__ import annotations

import plotly.graph_objects as go

from ratings.models import PART_LABELS, PARTS

COLOURS = {"score": "#1c4396", "timeliness": "#0b6b8a", "speed": "#6b3fa0", "quality": "#0f6f63",
           "satisfaction": "#a4450b", "completeness": "#4a5568", "fast_track": "#7a5b00"}


def parts_over_time(page) -> dict:
    """The score and the five parts over the last periods: the score bold, the parts thin."""
    labels = [p.short_label for p in page.series]
    figure = go.Figure()
    for key in ("score", *PARTS):
        figure.add_trace(go.Scatter(
            x=labels, y=[row[key] for row in page.history], mode="lines+markers", connectgaps=False,
            name="Балл" if key == "score" else PART_LABELS[key],
            line={"width": 3 if key == "score" else 1.5, "color": COLOURS[key]},
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        ))
    figure.add_trace(go.Bar(x=labels, y=page.volumes, name="Поступило", yaxis="y2", opacity=0.18,
                            marker={"color": "#4a5568"}, hovertemplate="%{x}: %{y}<extra>поступило</extra>"))
    figure.update_layout(
        margin={"l": 40, "r": 40, "t": 10, "b": 40}, height=320, hovermode="x unified",
        legend={"orientation": "h", "y": -0.2}, font={"family": "PT Sans, sans-serif", "size": 12},
        yaxis={"range": [0, 100], "title": "баллы"},
        yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": "обращений", "rangemode": "tozero",
                "tickformat": ",d"},
        plot_bgcolor="#fff", paper_bgcolor="#fff",
    )
    return figure.to_plotly_json()
