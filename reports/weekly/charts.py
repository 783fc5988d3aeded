"""The note's pictures as PNG bytes (matplotlib's Figure without pyplot: pyplot's global state is not safe in the
web server's threads, a Figure of its own is): appeals by channel against the week before, the top
sectors, and the heat map of the territory per 10 000 residents on the municipal boundaries (© OpenStreetMap
contributors, ODbL). Drawn from the note's frozen figures, so a final note draws the same pictures for ever."""

from __future__ import annotations

import io

import matplotlib
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.ticker import MaxNLocator

from municipalities.models import Municipality

# set once at import, read by every Figure after
matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False})
BLUE, GREY = "#1c4396", "#b8c2d6"
# five quantile classes, pale to dark, as on the heat-map page
CLASSES = ["#fde9d9", "#f8c4a0", "#f09a66", "#dc6a3c", "#b23c17"]


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def channels_chart(figures: dict) -> bytes:
    """Bars per channel: this week beside the week before."""
    channels = figures["key"]["channels"]
    labels = [c["label"] for c in channels] or ["—"]
    now = [c["received"] for c in channels] or [0]
    before = [c["before"] for c in channels] or [0]
    figure = Figure(figsize=(6.4, 2.6))
    axes = figure.subplots()
    positions = range(len(labels))
    axes.bar([p - 0.2 for p in positions], before, width=0.4, color=GREY, label="предыдущая неделя")
    axes.bar([p + 0.2 for p in positions], now, width=0.4, color=BLUE, label="эта неделя")
    for p, value in zip(positions, now, strict=True):
        axes.annotate(f"{value}", (p + 0.2, value), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), labels, rotation=20, ha="right")
    axes.set_ylabel("обращений")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return _png(figure)


def sectors_chart(figures: dict) -> bytes:
    """Horizontal bars of the top sectors, largest on top."""
    sectors = list(reversed(figures["sectors"])) or [{"name": "—", "received": 0, "before": 0}]
    figure = Figure(figsize=(6.4, 0.45 * len(sectors) + 0.8))
    axes = figure.subplots()
    names = [s["name"] for s in sectors]
    axes.barh(names, [s["before"] for s in sectors], height=0.35, color=GREY, label="предыдущая неделя",
              align="edge")
    axes.barh(names, [s["received"] for s in sectors], height=-0.35, color=BLUE, label="эта неделя", align="edge")
    for index, s in enumerate(sectors):
        axes.annotate(f"{s['received']}", (s["received"], index - 0.2), va="center", fontsize=8,
                      xytext=(3, 0), textcoords="offset points")
    axes.set_xlabel("обращений")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(frameon=False, loc="lower right")
    return _png(figure)


def heatmap_chart(figures: dict) -> bytes:
    """The territory's municipalities coloured by appeals per 10 000 residents (quantile classes)."""
    places = {p["id"]: p for p in figures["territories"]["places"]}
    shapes = dict(Municipality.objects.filter(pk__in=places).values_list("pk", "boundary"))
    values = sorted(p["per_10k"] for p in places.values() if p["per_10k"] is not None)
    # quantile edges, each once (a territory of one or a few municipalities has fewer classes)
    edges = sorted({values[min(len(values) - 1, len(values) * k // 5)] for k in range(1, 5)}) if len(values) > 1 else []
    patches, colours = [], []
    for pk, geometry in shapes.items():
        if not geometry:
            continue
        value = places[pk]["per_10k"]
        colour = "#eeeeee" if value is None else CLASSES[sum(value >= edge for edge in edges)]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            patches.append(PolygonPatch(polygon[0], closed=True))
            colours.append(colour)
    figure = Figure(figsize=(6.4, 5.2))
    axes = figure.subplots()
    if patches:
        axes.add_collection(PatchCollection(patches, facecolor=colours, edgecolor="white", linewidth=0.5))
        axes.autoscale_view()
    axes.set_aspect(1.6)  # degrees of longitude are shorter than of latitude at 53–56° N
    axes.axis("off")
    legend = [f"до {number_short(edges[0])}"] if edges else []
    legend += [f"{number_short(a)}–{number_short(b)}" for a, b in zip(edges, edges[1:], strict=False)]
    legend += [f"от {number_short(edges[-1])}"] if edges else []
    for index, label in enumerate(legend):
        axes.scatter([], [], marker="s", s=80, color=CLASSES[index], label=label)
    if legend:
        axes.legend(title="на 10 000 жителей", frameon=False, loc="lower left", fontsize=7, title_fontsize=7)
    axes.text(1, 0, "Границы © участники OpenStreetMap, ODbL", transform=axes.transAxes, ha="right", fontsize=6,
              color="#666666")
    return _png(figure)


def number_short(value: float) -> str:
    return f"{value:g}".replace(".", ",")


CHARTS = {"channels": channels_chart, "sectors": sectors_chart, "heatmap": heatmap_chart}


def all_charts(figures: dict) -> dict[str, bytes]:
    return {name: draw(figures) for name, draw in CHARTS.items()}
