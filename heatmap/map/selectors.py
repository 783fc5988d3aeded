"""The heat map: a measure per municipality of the user's part of the region (the choropleth), and the matrix
of municipalities × sectors (or × the subtopics of one sector) with the same measure — read from the area
rollups (heatmap/cubes.py), every figure with the link to the appeals it counted (rollups/area_drill.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from cur.models import Sector, Subtopic
from cur.periods import CalendarPeriod
from cur.scoping import scope_municipalities, scope_of
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.measures import CHANGES, MEASURES, add, change, empty_sums, quantile_class, quantile_edges
from municipalities.models import Municipality, Region
from municipalities.selectors import populations
from rollups.area_drill import drill

# the filters a heat map may be narrowed by (the query's names: the dimensions of heatmap/cubes.py)
FILTERS = ("sector", "subtopic", "channel", "kind")


@dataclass
class Cell:
    value: float | None
    count: int
    css: str  # "q0" … "q4", "qx" when there is nothing to colour
    url: str  # the queue with exactly the appeals counted


@dataclass
class MapRow:
    municipality: Municipality
    population: int | None
    now: dict
    before: dict
    value: float | None = None
    change: float | None = None  # of the count, in %
    css: str = "qx"
    url: str = ""  # the queue of its appeals
    page: str = ""  # its own page (set by the view, with the page's parameters)
    cells: list[Cell] = field(default_factory=list)


@dataclass
class HeatMap:
    region: Region
    period: CalendarPeriod
    measure: str
    label: str
    filters: dict
    columns: list  # sectors, or the subtopics of the chosen sector
    column_dimension: str  # "sector" | "subtopic"
    rows: list[MapRow]
    edges: list[float]  # the map's quantile classes
    cell_edges: list[float]
    totals: list[Cell]
    total: Cell

    @property
    def legend(self) -> list[tuple[str, str]]:
        return legend(self.edges, self.measure)


def legend(edges: list[float], measure: str) -> list[tuple[str, str]]:
    """(css class, «от 12 до 40») of each quantile class."""
    unit = MEASURES[measure].unit if measure in MEASURES else "%" if measure == "change_pct" else ""
    bounds = [None, *edges, None]
    words = []
    for index in range(len(edges) + 1):
        low, high = bounds[index], bounds[index + 1]
        if low is None and high is None:
            words.append(("q0", "все значения"))
        elif low is None:
            words.append((f"q{index}", f"меньше {_number(high)}{unit}"))
        elif high is None:
            words.append((f"q{index}", f"{_number(low)}{unit} и больше"))
        else:
            words.append((f"q{index}", f"{_number(low)} – {_number(high)}{unit}"))
    return words


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def compared_with(period: CalendarPeriod, today: date | None = None) -> CalendarPeriod:
    """The period a change is measured against: the previous one — cut to as many days as have passed of a
    period still running, so that November's first week is compared with October's first week, not with
    the whole of October."""
    previous = period.previous()
    today = today or timezone.localdate()
    if period.first <= today < period.last:
        elapsed = (today - period.first).days
        return CalendarPeriod(previous.kind, previous.first, min(previous.last, previous.first + timedelta(elapsed)))
    return previous


def measure_value(measure: str, now: dict, before: dict, population: int | None) -> float | None:
    if measure in CHANGES:
        return change(now["received"], before["received"], percent=measure == "change_pct")
    return MEASURES[measure].value(now, population)


def heat_map(user, region: Region, period: CalendarPeriod, *, measure: str = "count",
             filters: dict | None = None) -> HeatMap:
    """The map and the matrix of `measure` over `period`, narrowed by `filters` (sector, subtopic, channel,
    kind) and by the user's scope."""
    measure = measure if measure in MEASURES or measure in CHANGES else "count"
    asked = {k: v for k, v in (filters or {}).items() if k in FILTERS and v is not None}
    scoped = scoped_filters(user, region.pk, {k: (v,) for k, v in asked.items()})
    column_dimension = "subtopic" if "sector" in asked else "sector"
    municipalities = list(scope_municipalities(Municipality.objects.filter(region=region).defer("boundary"), user)
                          .order_by("name"))
    population = populations(region.pk, period.first.year)
    needs_histograms = measure in MEASURES and MEASURES[measure].histograms

    def sums(p: CalendarPeriod) -> dict[tuple, dict]:
        query = Slice(region_id=region.pk, first=p.first, last=p.last, by=("municipality", column_dimension),
                      filters=scoped, histograms=needs_histograms)
        return {(row["municipality"], row[column_dimension]): row for row in area_sums(query)}

    now, before = sums(period), sums(compared_with(period))  # the change shows beside every measure
    columns = _columns(user, column_dimension, asked, now)
    counted = "received" if measure in CHANGES else MEASURES[measure].drill
    queue = reverse("appeals:list")

    def link(**values) -> str:
        return f"{queue}?area={drill(counted, period.first, period.last, **{**asked, **values})}"

    rows, column_totals = [], [(empty_sums(), empty_sums()) for _ in columns]
    for municipality in municipalities:
        people = population.get(municipality.pk)
        row = MapRow(municipality, people, empty_sums(), empty_sums())
        for index, column in enumerate(columns):
            key = (municipality.pk, column.pk)
            cell_now, cell_before = now.get(key, empty_sums()), before.get(key, empty_sums())
            add(row.now, cell_now)
            add(row.before, cell_before)
            add(column_totals[index][0], cell_now)
            add(column_totals[index][1], cell_before)
            row.cells.append(Cell(measure_value(measure, cell_now, cell_before, people), cell_now["received"], "qx",
                                  link(municipality=municipality.pk, **{column_dimension: column.pk})))
        # appeals of the municipality without a sector (or subtopic) still count in its total
        for (municipality_id, column_id), extra in now.items():
            if municipality_id == municipality.pk and column_id is None:
                add(row.now, extra)
        for (municipality_id, column_id), extra in before.items():
            if municipality_id == municipality.pk and column_id is None:
                add(row.before, extra)
        row.value = measure_value(measure, row.now, row.before, people)
        row.change = change(row.now["received"], row.before["received"], percent=True)
        row.url = link(municipality=municipality.pk)
        rows.append(row)

    edges = quantile_edges([r.value for r in rows])
    for row in rows:
        row.css = _css(row.value, edges)
    cell_edges = quantile_edges([c.value for r in rows for c in r.cells])
    for row in rows:
        for cell in row.cells:
            cell.css = _css(cell.value, cell_edges)
    region_population = sum(population.get(m.pk) or 0 for m in municipalities) or None
    totals = [Cell(measure_value(measure, n, b, region_population), n["received"], "", link(**{column_dimension: c.pk}))
              for (n, b), c in zip(column_totals, columns, strict=True)]
    all_now, all_before = empty_sums(), empty_sums()
    for row in rows:
        add(all_now, row.now)
        add(all_before, row.before)
    total = Cell(measure_value(measure, all_now, all_before, region_population), all_now["received"], "", link())
    label = CHANGES.get(measure) or MEASURES[measure].label
    return HeatMap(region=region, period=period, measure=measure, label=label, filters=asked, columns=columns,
                   column_dimension=column_dimension, rows=rows, edges=edges, cell_edges=cell_edges, totals=totals,
                   total=total)


def _css(value: float | None, edges: list[float]) -> str:
    found = quantile_class(value, edges)
    return "qx" if found is None else f"q{found}"


def _columns(user, dimension: str, asked: dict, now: dict) -> list:
    """The matrix's columns: the sectors the user sees, or the subtopics of the chosen sector."""
    scope = scope_of(user)
    if dimension == "subtopic":
        return list(Subtopic.objects.filter(sector_id=asked["sector"]).order_by("name"))
    sectors = Sector.objects.filter(centre__isnull=True)
    if scope.sector_ids is not None:
        sectors = sectors.filter(pk__in=scope.sector_ids)
    present = {column for _, column in now}
    own = Sector.objects.filter(pk__in=[pk for pk in present if pk is not None]).exclude(centre__isnull=True)
    return [*sectors.order_by("name"), *own.order_by("name")]


# --- a municipality's own page -------------------------------------------------------------------------------

PAGE_MEASURES = ("count", "per_10k", "change_pct", "late_share", "not_satisfied_share", "answer_days")


@dataclass
class Line:
    """A row of the municipality's tables: a sector, a subtopic or a settlement, with every measure."""

    key: int | None
    name: str
    now: dict
    before: dict
    values: dict = field(default_factory=dict)  # measure → value
    urls: dict = field(default_factory=dict)  # measure → the queue
    css: str = "qx"  # the count's class among its peers
    lat: float | None = None
    lon: float | None = None
    children: list[Line] = field(default_factory=list)


@dataclass
class MunicipalityPage:
    municipality: Municipality
    period: CalendarPeriod
    filters: dict
    population: int | None
    total: Line
    sectors: list[Line]  # each with its subtopics as children
    settlements: list[Line]
    measures: tuple[str, ...] = PAGE_MEASURES

    @property
    def measure_labels(self) -> list[tuple[str, str]]:
        return [(m, CHANGES.get(m) or MEASURES[m].label) for m in self.measures]


def municipality_page(user, municipality: Municipality, period: CalendarPeriod, *,
                      filters: dict | None = None) -> MunicipalityPage:
    """A municipality's sectors and subtopics, and its settlements, with every measure of PAGE_MEASURES."""
    asked = {k: v for k, v in (filters or {}).items() if k in ("channel", "kind") and v is not None}
    scoped = scoped_filters(user, municipality.region_id,
                            {"municipality": (municipality.pk,), **{k: (v,) for k, v in asked.items()}})
    population = populations(municipality.region_id, period.first.year).get(municipality.pk)
    queue = reverse("appeals:list")

    def sums(by: tuple[str, ...], p: CalendarPeriod) -> dict:
        query = Slice(region_id=municipality.region_id, first=p.first, last=p.last, by=by, filters=scoped,
                      histograms=True)
        return {tuple(row[d] for d in by): row for row in area_sums(query)}

    def line(key, name, now, before, people, **values) -> Line:
        found = Line(key, name, now, before)
        for m in PAGE_MEASURES:
            found.values[m] = measure_value(m, now, before, people)
            counted = "received" if m in CHANGES else MEASURES[m].drill
            found.urls[m] = f"{queue}?area=" + drill(counted, period.first, period.last,
                                                     municipality=municipality.pk, **asked, **values)
        return found

    earlier = compared_with(period)
    topics_now, topics_before = sums(("sector", "subtopic"), period), sums(("sector", "subtopic"), earlier)
    keys = set(topics_now) | set(topics_before)  # a topic gone quiet still shows its fall
    names = {s.pk: s for s in Sector.objects.filter(pk__in={k[0] for k in keys if k[0]})}
    subtopic_names = {s.pk: s.name for s in Subtopic.objects.filter(pk__in={k[1] for k in keys if k[1]})}
    by_sector: dict[int | None, Line] = {}
    total_now, total_before = empty_sums(), empty_sums()
    for key in sorted(keys, key=lambda k: -topics_now.get(k, empty_sums())["received"]):
        sector_id, subtopic_id = key
        now, before = topics_now.get(key, empty_sums()), topics_before.get(key, empty_sums())
        add(total_now, now)
        sector = by_sector.get(sector_id)
        if sector is None:
            sector_name = names[sector_id].name if sector_id in names else "Сфера не определена"
            sector = by_sector[sector_id] = Line(sector_id, sector_name, empty_sums(), empty_sums())
        add(sector.now, now)
        add(sector.before, before)
        sector.children.append(line(subtopic_id, subtopic_names.get(subtopic_id, "тематика не определена"), now,
                                    before, population, sector=sector_id, subtopic=subtopic_id))
        add(total_before, before)
    sectors = []
    for gathered in sorted(by_sector.values(), key=lambda s: -s.now["received"]):
        found = line(gathered.key, gathered.name, gathered.now, gathered.before, population, sector=gathered.key)
        found.children = gathered.children
        sectors.append(found)
    _classes([child for s in sectors for child in s.children])

    places_now, places_before = sums(("settlement",), period), sums(("settlement",), earlier)
    known = {s.pk: s for s in municipality.settlements.all()}
    settlements = []
    for (settlement_id,), now in sorted(places_now.items(), key=lambda item: -item[1]["received"]):
        place = known.get(settlement_id)
        found = line(settlement_id, place.name if place else "населённый пункт не определён", now,
                     places_before.get((settlement_id,), empty_sums()), place.population if place else None,
                     settlement=settlement_id)
        found.lat, found.lon = (place.lat, place.lon) if place else (None, None)
        settlements.append(found)
    _classes(settlements)
    return MunicipalityPage(municipality=municipality, period=period, filters=asked, population=population,
                            total=line(None, municipality.name, total_now, total_before, population),
                            sectors=sectors, settlements=settlements)


def _classes(lines: list[Line]) -> None:
    edges = quantile_edges([line.now["received"] for line in lines])
    for line in lines:
        line.css = _css(line.now["received"], edges)
