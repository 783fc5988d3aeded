"""Ratings of responsible bodies and of municipalities, read from the rollups (rollups/selectors.py) with the
methodology in force (ratings/models.py) — the page, the XLSX / CSV export and the API read the same rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from cur.models import Agency, Subtopic
from cur.periods import CalendarPeriod
from cur.scoping import scope_rated_agencies, scope_rated_municipalities, user_region
from municipalities.models import Municipality, Region
from municipalities.selectors import populations
from ratings.models import Methodology
from ratings.scoring import Rated, Sums, min_volume, parts, places, population_band, rate, score
from rollups.models import TurnFact
from rollups.selectors import MEASURES, Drill, Range, sums_by

SERIES = 12  # periods in a sparkline
EMPTY = Sums()  # a period without rows (shared: sums are never changed in place)
KIND_GROUPS = {
    Agency.Kind.OIV: (0, "Органы исполнительной власти"),
    Agency.Kind.INSTITUTION: (90, "Учреждения и организации"),
    Agency.Kind.ORGANISATION: (90, "Учреждения и организации"),
}


class Methodologies:
    """A region's methodologies, read once: the one in force on any day."""

    def __init__(self, region: Region):
        self.region = region
        self.rows = methodologies_of(region)  # newest first

    def on(self, day: date) -> Methodology:
        """The methodology in force on `day`: the latest one from that day or before, or the defaults."""
        found = next((m for m in self.rows if m.effective_from <= day), None)
        return found or Methodology(region=self.region, effective_from=date(2000, 1, 1), note="по умолчанию")


def methodology_for(region: Region, day: date) -> Methodology:
    return Methodologies(region).on(day)


def methodologies_of(region: Region) -> list[Methodology]:
    return list(Methodology.objects.filter(region=region).select_related("created_by").order_by("-effective_from"))


@dataclass
class Row:
    """One line of a rating: a body or a municipality."""

    key: int
    name: str
    rated: Rated
    place_change: int | None = None  # places gained since the previous period (negative: lost)
    spark: list[float | None] = field(default_factory=list)
    level: str = "a"  # "a" a body, "m" a municipality
    period: CalendarPeriod | None = None

    @property
    def sums(self) -> Sums:
        return self.rated.sums

    @property
    def drills(self) -> dict[str, str]:
        """measure → the queue's `rating` filter listing the appeals that figure counted."""
        return {measure: str(Drill(measure, self.level, self.key, self.period.first, self.period.last))
                for measure in MEASURES}


@dataclass
class Rating:
    level: str  # "agency" | "municipality"
    region: Region
    period: CalendarPeriod
    methodology: Methodology
    minimum: int
    groups: list[tuple[str, list[Row]]]
    series: list[CalendarPeriod]

    @property
    def series_labels(self) -> list[str]:
        return [p.short_label for p in self.series]

    @property
    def rows(self) -> list[Row]:
        return [row for _, rows in self.groups for row in rows]


def rated_agencies(user) -> QuerySet[Agency]:
    # the municipality's name, never its boundary (a GeoJSON of hundreds of kilobytes)
    return (scope_rated_agencies(Agency.objects.filter(is_active=True), user).select_related("municipality")
            .defer("municipality__boundary"))


def rated_municipalities(user) -> QuerySet[Municipality]:
    return scope_rated_municipalities(Municipality.objects.defer("boundary"), user)


def rating(user, period: CalendarPeriod, *, level: str = "agency", region: Region | None = None,
           sparklines: bool = True, place_changes: bool = True) -> Rating:
    """The rating of the bodies (or municipalities) the user may see, for `period`: each row's parts, score,
    zone and place within its peer group, the change of place against the previous period (unless
    `place_changes` is off: the previous period is not read) and the scores of the last SERIES periods.
    Places are the region's — every body of the region is rated, so a МЦУ, an executor and the ЦУР read the
    same place of a body — and the rows are those of the user's scope."""
    region = region or user_region(user)
    book = Methodologies(region)
    methodology = book.on(period.first)
    minimum = min_volume(methodology, kind=period.kind, days=period.days)
    population = populations(region.pk, period.first.year)
    bands = list(methodology.population_bands)
    if level == "municipality":
        targets = {m.pk: m for m in Municipality.objects.filter(region=region).defer("boundary")}
        visible = set(rated_municipalities(user).filter(region=region).values_list("pk", flat=True))
        names = {pk: m.name for pk, m in targets.items()}
        groups = {pk: population_band(population.get(pk), bands) for pk in targets}
    else:
        targets = {a.pk: a for a in Agency.objects.filter(region=region, is_active=True)}
        visible = set(rated_agencies(user).filter(region=region).values_list("pk", flat=True))
        names = {pk: a.short_name for pk, a in targets.items()}
        groups = {pk: _agency_group(a, population, bands) for pk, a in targets.items()}
    by = "municipality" if level == "municipality" else "agency"

    def rated(p: CalendarPeriod, m: Methodology) -> dict[int, Rated]:
        sums = {row["key"]: _sums(row) for row in sums_by(region_id=region.pk, rng=Range(p.first, p.last), by=by)}
        low = min_volume(m, kind=p.kind, days=p.days)
        rows = [rate(key, groups[key], sums.get(key, Sums()), m, minimum=low) for key in targets]
        return {row.key: row for row in places(rows)}

    now = rated(period, methodology)
    before = rated(period.previous(), book.on(period.previous().first)) if place_changes else {}
    series = [period.shifted(step) for step in range(-SERIES + 1, 1)]
    sparks = _series_scores(region, series, by=by, keys=visible, book=book) if sparklines else {}
    rows = []
    for key, this in now.items():
        if key not in visible:
            continue
        last = before.get(key)
        change = last.place - this.place if this.place and last and last.place and last.group == this.group else None
        rows.append(Row(key=key, name=names[key], rated=this, place_change=change, spark=sparks.get(key, []),
                        level="m" if level == "municipality" else "a", period=period))
    grouped: dict[tuple[int, str], list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.rated.group, []).append(row)
    ordered = [(label, members) for (_, label), members in sorted(grouped.items())]
    return Rating(level=level, region=region, period=period, methodology=methodology, minimum=minimum,
                  groups=ordered, series=series)


def _agency_group(agency: Agency, population: dict[int, int], bands: list[int]) -> tuple[int, str]:
    if agency.kind == Agency.Kind.OMSU:
        index, words = population_band(population.get(agency.municipality_id), bands)
        return 10 + index, f"ОМСУ — {words}"
    return KIND_GROUPS.get(agency.kind, (99, "Прочие"))


def _sums(row: dict) -> Sums:
    return Sums(**{name: row[name] for name in Sums.__dataclass_fields__})


def _series_sums(region_id: int, series: list[CalendarPeriod], *, by: str = "agency",
                 agency_ids: list[int] | None = None) -> dict[int, list[Sums]]:
    """key → its sums in each period of the series, from one query (slots of the series' own kind; a custom
    period's series in spans of its length)."""
    first, last = series[0], series[-1]
    if last.kind == "custom":
        rows = sums_by(region_id=region_id, rng=Range(first.first, last.last), by=by, agency_ids=agency_ids,
                       slot="span", origin=first.first, length=last.days)
        index_of = {i: i for i in range(len(series))}
    else:
        rows = sums_by(region_id=region_id, rng=Range(first.first, last.last), by=by, agency_ids=agency_ids,
                       slot=last.kind)
        index_of = {p.first: i for i, p in enumerate(series)}
    result: dict[int, list[Sums]] = {}
    for row in rows:
        index = index_of.get(row["slot"])
        if index is None:
            continue
        if row["key"] not in result:
            result[row["key"]] = [EMPTY] * len(series)
        result[row["key"]][index] = _sums(row)
    return result


def _series_scores(region: Region, series: list[CalendarPeriod], *, by: str, keys,
                   book: Methodologies) -> dict[int, list]:
    """key → the score of each period of the series (None where there is nothing to judge)."""
    weights = [book.on(p.first).weights for p in series]
    return {key: [None if sums is EMPTY else score(parts(sums), w)
                  for sums, w in zip(per_period, weights, strict=True)]
            for key, per_period in _series_sums(region.pk, series, by=by).items() if key in keys}


@dataclass
class BodyPage:
    """A body's own page: its rating row, its parts over the last periods, and where it does worst."""

    agency: Agency
    row: Row | None
    rating: Rating
    series: list[CalendarPeriod]
    history: list[dict[str, float | None]]  # per period of the series: the parts and the score
    volumes: list[int]
    worst_subtopics: list[dict]
    worst_territories: list[dict]


def body_page(user, agency: Agency, period: CalendarPeriod) -> BodyPage:
    board = rating(user, period, region=agency.region)
    row = next((r for r in board.rows if r.key == agency.pk), None)
    series = board.series
    per_period = _series_sums(agency.region_id, series, agency_ids=[agency.pk]).get(agency.pk) \
        or [EMPTY] * len(series)
    history = []
    book = Methodologies(agency.region)  # the board's methodology is its first day's; each period has its own
    for p, sums in zip(series, per_period, strict=True):
        values = parts(sums)
        history.append({**values, "score": score(values, book.on(p.first).weights)})
    return BodyPage(agency=agency, row=row, rating=board, series=series, history=history,
                    volumes=[s.received for s in per_period],
                    worst_subtopics=_worst(agency, period, "subtopic_id"),
                    worst_territories=_worst(agency, period, "municipality_id"))


def _worst(agency: Agency, period: CalendarPeriod, column: str, limit: int = 5) -> list[dict]:
    """The subtopics (or territories) where the body's turns of the period went worst: late, returned or
    formal answers, unhappy citizens — counted from its turn facts (a body's own rows, an index range)."""
    rows = (TurnFact.objects.filter(agency=agency)
            .filter(Q(decision_day__range=(period.first, period.last)) | Q(end_day__range=(period.first, period.last))
                    | Q(rated_day__range=(period.first, period.last)))
            .values(column).order_by()
            .annotate(late=Count("pk", filter=Q(is_late=True, decision_day__range=(period.first, period.last))),
                      quality_bad=Count("pk", filter=Q(quality_ok=False, end_day__range=(period.first, period.last))),
                      complete_bad=Count("pk", filter=Q(complete_ok=False,
                                                         end_day__range=(period.first, period.last))),
                      not_satisfied=Count("pk", filter=Q(satisfied=False,
                                                          rated_day__range=(period.first, period.last))),
                      turns=Count("pk")))
    found = [dict(r, problems=r["late"] + r["quality_bad"] + r["complete_bad"] + r["not_satisfied"]) for r in rows]
    found = sorted((r for r in found if r["problems"]), key=lambda r: (-r["problems"], -r["turns"]))[:limit]
    model = Subtopic if column == "subtopic_id" else Municipality
    names = dict(model.objects.filter(pk__in=[r[column] for r in found if r[column]]).values_list("pk", "name"))
    return [dict(r, name=names.get(r[column], "не указано")) for r in found]
