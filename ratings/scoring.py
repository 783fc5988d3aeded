"""The rating's arithmetic (docs/ratings.md): the five parts 0–100 from a body's sums, the score, the zone,
the peer group, the places. Pure functions over numbers — the page, the export and the API share them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from ratings.models import PARTS, Methodology
from rollups.models import SPEED_BUCKETS, AgencyPeriod

COUNTS = AgencyPeriod.COUNTS


@dataclass
class Sums:
    """A body's (or a municipality's) rolled-up measures over a period."""

    received: int = 0
    repeats: int = 0
    on_time: int = 0
    late: int = 0
    answered: int = 0
    quality_ok: int = 0
    quality_bad: int = 0
    complete_ok: int = 0
    complete_bad: int = 0
    rated: int = 0
    satisfied: int = 0
    fast_track: int = 0
    fast_track_on_time: int = 0
    fast_track_late: int = 0
    answer_speed: list[int] = field(default_factory=lambda: [0] * SPEED_BUCKETS)
    first_speed: list[int] = field(default_factory=lambda: [0] * SPEED_BUCKETS)

    def __add__(self, other: Sums) -> Sums:
        return Sums(**{f.name: (getattr(self, f.name) + getattr(other, f.name)) if f.name in COUNTS
                       else [a + b for a, b in zip(getattr(self, f.name), getattr(other, f.name), strict=True)]
                       for f in fields(self)})

    @property
    def not_satisfied(self) -> int:
        return self.rated - self.satisfied


def median_share(histogram: list[int]) -> float | None:
    """The median share of the allowed working time used (1.0 — at or past the deadline), read from the
    5 % buckets: linear inside the bucket the median falls in."""
    total = sum(histogram)
    if not total:
        return None
    half, seen = total / 2, 0
    for index, count in enumerate(histogram):
        if count and seen + count >= half:
            if index == SPEED_BUCKETS - 1:
                return 1.0
            return min((index + (half - seen) / count) / (SPEED_BUCKETS - 1), 1.0)
        seen += count
    return 1.0


def _share(good: int, bad: int) -> float | None:
    return round(100 * good / (good + bad), 1) if good + bad else None


def parts(s: Sums) -> dict[str, float | None]:
    """Each part 0–100, None where the period has nothing to judge it by."""
    speeds = [100 * (1 - m) for m in (median_share(s.answer_speed), median_share(s.first_speed)) if m is not None]
    return {
        "timeliness": _share(s.on_time, s.late),
        "speed": round(sum(speeds) / len(speeds), 1) if speeds else None,
        "quality": _share(s.quality_ok, s.quality_bad),
        "satisfaction": _share(s.satisfied, s.not_satisfied),
        "completeness": _share(s.complete_ok, s.complete_bad),
        # of the turns of fast-track appeals decided, the share decided in time (the mechanism's shorter term)
        "fast_track": _share(s.fast_track_on_time, s.fast_track_late),
    }


def score(values: dict[str, float | None], weights: dict[str, int]) -> float | None:
    """The weighted mean of the parts that have data (a part without data gives its weight to the others)."""
    present = [(values[p], weights[p]) for p in PARTS if values.get(p) is not None and weights.get(p)]
    total = sum(weight for _, weight in present)
    return round(sum(value * weight for value, weight in present) / total, 1) if total else None


ZONES = {"green": "зелёная", "yellow": "жёлтая", "red": "красная"}


def zone(value: float | None, methodology: Methodology) -> str | None:
    if value is None:
        return None
    return "green" if value >= methodology.green_from else "yellow" if value >= methodology.yellow_from else "red"


def min_volume(methodology: Methodology, *, kind: str, days: int) -> int:
    """The methodology's monthly minimum for a period: as is for a month, three times for a quarter, twelve
    for a year, in proportion to the days for a week or a custom range (at least one)."""
    per_month = methodology.min_volume
    months = {"month": 1, "quarter": 3, "year": 12}.get(kind)
    return per_month * months if months else max(1, math.ceil(per_month * days / 30))


def population_band(population: int | None, bands: list[int]) -> tuple[int, str]:
    """(index, «до 20 тыс. жителей») of a population among the bands' edges; unknown population is a band
    of its own at the end."""
    if population is None:
        return len(bands) + 1, "численность не указана"
    edges = [0, *bands]
    for index, low in enumerate(edges):
        high = edges[index + 1] if index + 1 < len(edges) else None
        if high is None or population < high:
            if index == 0 and high is not None:
                return index, f"до {_thousands(high)} жителей"
            if high is None:
                return index, f"от {_thousands(low)} жителей"
            if low % 1000 == 0 and high % 1000 == 0:
                return index, f"{low // 1000}–{high // 1000} тыс. жителей"
            return index, f"{_thousands(low)}–{_thousands(high)} жителей"
    raise AssertionError("unreachable")


def _thousands(value: int) -> str:
    return f"{value // 1000} тыс." if value % 1000 == 0 else f"{value:,}".replace(",", " ")


@dataclass
class Rated:
    """One row of a rating before its place: what is ranked, its group and its figures."""

    key: int  # the body's or the municipality's id
    group: tuple[int, str]  # (order, label) of its peer group
    sums: Sums
    values: dict[str, float | None]
    score: float | None
    zone: str | None
    ranked: bool
    place: int | None = None

    @property
    def zone_label(self) -> str:
        return ZONES.get(self.zone, "")


def rate(key: int, group: tuple[int, str], sums: Sums, methodology: Methodology, *, minimum: int) -> Rated:
    values = parts(sums)
    total = score(values, methodology.weights)
    ranked = sums.received >= minimum and total is not None
    return Rated(key=key, group=group, sums=sums, values=values, score=total,
                 zone=zone(total, methodology) if ranked else None, ranked=ranked)


def places(rows: list[Rated]) -> list[Rated]:
    """Places within each peer group — best score first, ties by timeliness, then by volume; rows below
    the minimum volume follow unranked. Returned in group order, ranked rows first."""
    def order(row: Rated):
        return (row.group[0], not row.ranked, -(row.score or 0), -(row.values["timeliness"] or 0), -row.sums.received)

    result = sorted(rows, key=order)
    place, group = 0, None
    for row in result:
        if row.group != group:
            place, group = 0, row.group
        if row.ranked:
            place += 1
            row.place = place
    return result
