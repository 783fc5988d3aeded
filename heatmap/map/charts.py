"""The choropleth of the heat map as a plotly figure (drawn by static/js/charts.js with the project's bundle):
the municipalities' shapes from our own GeoJSON (heatmap:geo), coloured by quantile class — no tiles, no CDN."""

from __future__ import annotations

import plotly.graph_objects as go

from heatmap.numbers import figure, signed

# the classes' colours, the same as the matrix's cells (static/css/cur.css table.data.heat)
CLASS_COLOURS = ["#f4f6fb", "#fde7c8", "#fbc58d", "#f59a5b", "#e0603a"]
EMPTY = "#e2e8f0"


def _format(value: float | None, unit: str) -> str:
    return "нет данных" if value is None else figure(value) + (f" {unit}" if unit else "")


def choropleth(heat, *, geojson_url: str, unit: str = "") -> dict:
    """One trace per class (so a class keeps its colour whatever the values), hover with the name, the value
    and the change against the previous period; a click opens the municipality (customdata[0])."""
    figure = go.Figure()
    classes: dict[str, list] = {}
    for row in heat.rows:
        classes.setdefault(row.css, []).append(row)
    order = [f"q{i}" for i in range(len(heat.edges) + 1)] + ["qx"]
    legend = dict(heat.legend)
    for css in order:
        rows = classes.get(css)
        if not rows:
            continue
        colour = EMPTY if css == "qx" else CLASS_COLOURS[min(int(css[1:]), len(CLASS_COLOURS) - 1)]
        figure.add_trace(go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=[str(r.municipality.pk) for r in rows],
            z=[1] * len(rows), colorscale=[[0, colour], [1, colour]], showscale=False,
            marker={"line": {"color": "#ffffff", "width": 0.8}},
            name=legend.get(css, "нет данных"),
            customdata=[[r.page, r.municipality.name, _format(r.value, unit),
                         signed(r.change)] for r in rows],
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]}<br>к прошлому периоду: %{customdata[3]}"
                          "<extra></extra>",
        ))
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=460, showlegend=False,
                         font={"family": "PT Sans, sans-serif", "size": 13}, paper_bgcolor="#fff",
                         geo={"bgcolor": "#fff"}, dragmode=False)
    return figure.to_plotly_json()


def settlements(page, *, geojson_url: str) -> dict:
    """The municipality's shape and its settlements with known coordinates as circles sized by their count."""
    figure = go.Figure()
    figure.add_trace(go.Choropleth(
        geojson=geojson_url, featureidkey="id", locations=[str(page.municipality.pk)], z=[1],
        colorscale=[[0, "#eef2f8"], [1, "#eef2f8"]], showscale=False, hoverinfo="skip",
        marker={"line": {"color": "#94a3b8", "width": 1}},
    ))
    placed = [line for line in page.settlements if line.lat is not None and line.now["received"]]
    if placed:
        largest = max(line.now["received"] for line in placed)
        figure.add_trace(go.Scattergeo(
            lat=[line.lat for line in placed], lon=[line.lon for line in placed], mode="markers",
            marker={"size": [8 + 30 * (line.now["received"] / largest) ** 0.5 for line in placed],
                    "color": [CLASS_COLOURS[min(int(line.css[1:]), 4)] if line.css != "qx" else EMPTY
                              for line in placed],
                    "line": {"color": "#7c2d12", "width": 1}, "opacity": 0.9},
            customdata=[[line.urls["count"], line.name, _format(line.now["received"], ""),
                         _format(line.values["late_share"], "%")] for line in placed],
            hovertemplate="<b>%{customdata[1]}</b><br>обращений: %{customdata[2]}<br>с нарушением срока: "
                          "%{customdata[3]}<extra></extra>",
        ))
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    figure.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=380, showlegend=False,
                         font={"family": "PT Sans, sans-serif", "size": 13}, paper_bgcolor="#fff",
                         geo={"bgcolor": "#fff"}, dragmode=False)
    return figure.to_plotly_json()
