"""The measures of the heat map, the dashboard and the slices (docs/analytics.md), computed from a row of
area sums (heatmap/cubes.py) — pure functions, so a page, a document and the API compute a figure alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rollups.models import AreaPeriod


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # as a column head and in the legend
    unit: str
    value: Callable[[dict, int | None], float | None]  # (sums, population) → the figure
    histograms: bool = False  # needs the answer-time buckets
    drill: str = "received"  # which appeals of a cell the figure counts (heatmap/drill.py)
    higher_is_worse: bool = True  # the colour scale: red for more appeals, more overdue …


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def median_of(histogram: list[int] | None) -> float | None:
    """The median of a histogram of whole units (days, hours): linear inside the bucket it falls in; the last
    bucket («or more») gives its own lower edge."""
    total = sum(histogram or ())
    if not total:
        return None
    half, seen = total / 2, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= half:
            if index == len(histogram) - 1:
                return float(index)
            return round(index + (half - seen) / count, 1)
        seen += count
    return float(len(histogram) - 1)


def per_10k(sums: dict, population: int | None) -> float | None:
    return round(sums["received"] * 10_000 / population, 2) if population else None


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("count", "Обращений", "", lambda s, _: s["received"]),
    Measure("per_10k", "На 10 000 жителей", "", per_10k),
    Measure("late_share", "Доля с нарушением срока", "%", lambda s, _: _share(s["late"], s["received"]),
            drill="late"),
    Measure("not_satisfied_share", "Доля «не удовлетворён»", "%",
            lambda s, _: _share(s["rated"] - s["satisfied"], s["rated"]), drill="not_satisfied"),
    Measure("satisfied_share", "Удовлетворены ответом", "%", lambda s, _: _share(s["satisfied"], s["rated"]),
            drill="rated", higher_is_worse=False),
    Measure("open", "В работе", "", lambda s, _: s["open"], drill="open"),
    Measure("answer_days", "Медиана срока ответа, дн.", "дн.", lambda s, _: median_of(s.get("answer_days")),
            histograms=True, drill="answered"),
    Measure("first_hours", "Медиана первичного ответа, ч", "ч", lambda s, _: median_of(s.get("first_hours")),
            histograms=True, drill="received"),
)}
# the map's and the matrix's choice (the dashboard and the slices offer all)
MAP_MEASURES = ("count", "per_10k", "change_pct", "change_abs", "late_share", "not_satisfied_share")
CHANGES = {"change_pct": "Изменение к прошлому периоду, %", "change_abs": "Изменение к прошлому периоду"}


def change(now: float | None, before: float | None, *, percent: bool) -> float | None:
    """Against the previous period: the difference, or its share of the previous value (None from zero)."""
    if now is None or before is None:
        return None
    if not percent:
        return round(now - before, 2)
    return round(100 * (now - before) / before, 1) if before else None


def empty_sums() -> dict:
    return {**{c: 0 for c in AreaPeriod.COUNTS}, "answer_days": None, "first_hours": None}


def add(total: dict, row: dict) -> dict:
    """`row`'s counts (and histograms) added into `total` (a totals row of a table)."""
    for c in AreaPeriod.COUNTS:
        total[c] += row[c]
    for h in ("answer_days", "first_hours"):
        if row.get(h) is not None:
            total[h] = [a + b for a, b in zip(total[h], row[h], strict=True)] if total[h] else list(row[h])
    return total


def quantile_edges(values: list[float | None], classes: int = 5) -> list[float]:
    """The upper edges of `classes` quantile classes of the present values (fewer when values repeat)."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return []
    edges = []
    for k in range(1, classes):
        edge = present[min(len(present) - 1, int(len(present) * k / classes))]
        if not edges or edge > edges[-1]:
            edges.append(edge)
    return edges


def quantile_class(value: float | None, edges: list[float]) -> int | None:
    """The class 0 … len(edges) of a value (None: nothing to colour)."""
    if value is None:
        return None
    return sum(value >= edge for edge in edges)
