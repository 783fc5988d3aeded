"""Slices («сводный анализ в настраиваемых статистических разрезах»): rows × columns of any two dimensions
(or a period split into days, weeks or months) × a measure, narrowed by filters, inside the user's scope —
read from the area rollups (heatmap/cubes.py). And the growth drivers: which subtopics and places explain
a rise between two periods, in order of contribution."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse

from appeals.models import Status
from cur.models import Agency, FastTrack, Sector, Subtopic
from cur.periods import MONTHS, CalendarPeriod
from cur.scoping import membership_of
from cur.vocabulary import Channel, Kind
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.map.selectors import compared_with
from heatmap.measures import MEASURES, add, empty_sums
from heatmap.models import SavedSlice
from municipalities.models import Municipality, Settlement
from municipalities.selectors import populations
from rollups.area_drill import BOOLEAN_DIMENSIONS, drill

# what rows and columns may be: a dimension of the facts, or the period split into slots
AXES = {
    "day": "День", "week": "Неделя", "month": "Месяц", "channel": "Канал", "kind": "Вид", "sector": "Сфера",
    "subtopic": "Тематика", "municipality": "Муниципальное образование", "settlement": "Населённый пункт",
    "agency": "Исполнитель", "status": "Статус", "overdue": "Срок", "satisfaction": "Оценка гражданина",
    "track": "Ускоренное решение",
}
TIME_AXES = ("day", "week", "month")
SLICE_MEASURES = ("count", "per_10k", "late_share", "answer_days", "satisfied_share", "not_satisfied_share")
FILTERABLE = ("sector", "subtopic", "municipality", "agency", "channel", "kind", "status", "overdue", "satisfaction")
TOTAL = "total"


@dataclass
class Pivot:
    period: CalendarPeriod
    rows_axis: str
    columns_axis: str | None
    measure: str
    filters: dict
    row_keys: list
    column_keys: list
    labels: dict  # (axis, key) → words
    cells: dict  # (row key, column key) → sums; TOTAL for the margins
    values: dict = field(default_factory=dict)  # (row key, column key) → the measure
    urls: dict = field(default_factory=dict)  # (row key, column key) → the queue

    @property
    def measure_label(self) -> str:
        return MEASURES[self.measure].label

    def label(self, axis: str | None, key) -> str:
        if key == TOTAL:
            return "Всего"
        return self.labels.get((axis, key), "не указано")

    def table(self) -> list[list]:
        """The pivot as rows of words and numbers: the header, the rows, the totals — the page, the XLSX and
        the CSV all read this one list."""
        head = [AXES[self.rows_axis]]
        columns = [*self.column_keys, TOTAL] if self.columns_axis else [TOTAL]
        head += [self.label(self.columns_axis, c) if self.columns_axis else self.measure_label for c in columns]
        body = [[self.label(self.rows_axis, r), *(self.values.get((r, c)) for c in columns)]
                for r in [*self.row_keys, TOTAL]]
        return [head, *body]


def pivot(user, region_id: int, period: CalendarPeriod, *, rows: str, columns: str | None = None,
          measure: str = "count", filters: dict | None = None) -> Pivot:
    """The slice's sums per row × column and their margins, the measure of each and its link to the queue."""
    rows = rows if rows in AXES else "subtopic"
    columns = columns if columns in AXES and columns != rows else None
    if columns in TIME_AXES and rows in TIME_AXES:
        columns = None  # one split of time at a time
    measure = measure if measure in SLICE_MEASURES else "count"
    asked = {k: v for k, v in (filters or {}).items() if k in FILTERABLE and v is not None}
    scoped = scoped_filters(user, region_id, {k: (v,) for k, v in asked.items()})
    slot = next((axis for axis in (rows, columns) if axis in TIME_AXES), None)
    dimensions = tuple(axis for axis in (rows, columns) if axis and axis not in TIME_AXES)
    found = area_sums(Slice(region_id=region_id, first=period.first, last=period.last, by=dimensions, slot=slot,
                            filters=scoped, histograms=MEASURES[measure].histograms))

    def key_of(row: dict, axis: str | None):
        if axis is None:
            return TOTAL
        return row["slot"] if axis in TIME_AXES else row[axis]

    cells: dict = {}
    for row in found:
        r, c = key_of(row, rows), key_of(row, columns)
        for key in ((r, c), (r, TOTAL), (TOTAL, c), (TOTAL, TOTAL)):
            add(cells.setdefault(key, empty_sums()), row)
    row_keys = sorted({r for r, _ in cells if r != TOTAL}, key=_order(rows, cells))
    column_keys = sorted({c for _, c in cells if c != TOTAL}, key=_order(columns, cells, by_column=True)) \
        if columns else []
    result = Pivot(period=period, rows_axis=rows, columns_axis=columns, measure=measure, filters=asked,
                   row_keys=row_keys, column_keys=column_keys,
                   labels=labels_of({rows: row_keys, **({columns: column_keys} if columns else {})}), cells=cells)
    people = populations(region_id, period.first.year)
    queue = reverse("appeals:list")
    counted = MEASURES[measure].drill
    for (r, c), sums in cells.items():
        result.values[(r, c)] = MEASURES[measure].value(sums, _population(people, rows, r, columns, c, asked))
        first, last, values = period.first, period.last, dict(asked)
        for axis, key in ((rows, r), (columns, c)):
            if axis is None or key == TOTAL:
                continue
            if axis in TIME_AXES:
                first, last = max(first, key), min(last, _slot_end(axis, key))
            else:
                values[axis] = key
        result.urls[(r, c)] = f"{queue}?area={drill(counted, first, last, **values)}"
    return result


def _population(people: dict, rows, r, columns, c, asked) -> int | None:
    """The population a per-10 000 figure divides by: the row's or the column's municipality, the chosen
    one, or the region's."""
    for axis, key in ((rows, r), (columns, c)):
        if axis == "municipality" and key not in (TOTAL, None):
            return people.get(key)
    if "municipality" in asked:
        return people.get(asked["municipality"])
    return sum(people.values()) or None


def _slot_end(axis: str, start: date) -> date:
    if axis == "day":
        return start
    if axis == "week":
        return start + timedelta(days=6)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _order(axis: str | None, cells: dict, *, by_column: bool = False):
    """Time in its order; everything else busiest first."""
    def key(k):
        if axis in TIME_AXES:
            return (k is None, k or date.min)
        total = cells.get((TOTAL, k) if by_column else (k, TOTAL), empty_sums())["received"]
        return (k is None, -total)
    return key


def labels_of(keys_by_axis: dict) -> dict:
    """(axis, key) → the words of each key shown (names read in one query per axis)."""
    labels = {}
    for axis, keys in keys_by_axis.items():
        present = [k for k in keys if k is not None]
        if axis == "day":
            names = {k: k.strftime("%d.%m.%Y") for k in present}
        elif axis == "week":
            names = {k: f"неделя с {k:%d.%m.%Y}" for k in present}
        elif axis == "month":
            names = {k: f"{MONTHS[k.month - 1]} {k.year}" for k in present}
        elif axis in ("channel", "kind", "status"):
            names = dict({"channel": Channel.choices, "kind": Kind.choices, "status": Status.choices}[axis])
        elif axis in BOOLEAN_DIMENSIONS:
            names = {True: "с нарушением срока", False: "в срок"} if axis == "overdue" else {
                True: "удовлетворён", False: "не удовлетворён"}
        else:
            model = {"sector": Sector, "subtopic": Subtopic, "municipality": Municipality,
                     "settlement": Settlement, "agency": Agency, "track": FastTrack}[axis]
            field_name = "short_name" if model is Agency else "name"
            names = dict(model.objects.filter(pk__in=present).values_list("pk", field_name))
        for k in keys:
            if k is None:
                labels[(axis, k)] = {"satisfaction": "без оценки", "track": "в обычном порядке"}.get(
                    axis, "не указано")
            else:
                labels[(axis, k)] = names.get(k, str(k))
    return labels


# --- growth drivers ----------------------------------------------------------------------------------------

@dataclass
class Driver:
    name: str
    before: int
    now: int
    url: str

    @property
    def delta(self) -> int:
        return self.now - self.before


@dataclass
class Drivers:
    period: CalendarPeriod
    compared: CalendarPeriod
    before: int
    now: int
    subtopics: list[Driver]
    places: list[Driver]

    @property
    def delta(self) -> int:
        return self.now - self.before

    def share(self, driver: Driver) -> float | None:
        """The driver's part of the whole rise, in %."""
        return round(100 * driver.delta / self.delta, 1) if self.delta > 0 else None


def growth_drivers(user, region_id: int, period: CalendarPeriod, *, filters: dict | None = None,
                   limit: int = 8, today: date | None = None) -> Drivers:
    """Which subtopics and which territories explain the rise against the compared period, by contribution
    (the larger count first among equal rises). The dashboard's «what grows» lists are these too."""
    earlier = compared_with(period, today)
    asked = {k: v for k, v in (filters or {}).items() if k in FILTERABLE and v is not None}
    scoped = scoped_filters(user, region_id, {k: (v,) for k, v in asked.items()})
    queue = reverse("appeals:list")

    def counts(p: CalendarPeriod, dimension: str) -> dict:
        return {row[dimension]: row["received"] for row in area_sums(
            Slice(region_id=region_id, first=p.first, last=p.last, by=(dimension,), filters=scoped))}

    result = {}
    totals = (0, 0)
    for dimension in ("subtopic", "municipality"):
        now, before = counts(period, dimension), counts(earlier, dimension)
        totals = (sum(before.values()), sum(now.values()))
        rising = sorted((k for k in set(now) | set(before) if now.get(k, 0) > before.get(k, 0)),
                        key=lambda k: (-(now.get(k, 0) - before.get(k, 0)), -now.get(k, 0)))[:limit]
        names = labels_of({dimension: rising})
        result[dimension] = [
            Driver(names[(dimension, k)], before.get(k, 0), now.get(k, 0),
                   f"{queue}?area={drill('received', period.first, period.last, **{**asked, dimension: k})}")
            for k in rising]
    return Drivers(period=period, compared=earlier, before=totals[0], now=totals[1], subtopics=result["subtopic"],
                   places=result["municipality"])


def slices_of(user) -> list[SavedSlice]:
    """The slices saved by the user's centre (none for a body's executor)."""
    membership = membership_of(user)
    if membership is None or membership.centre_id is None:
        return []
    return list(SavedSlice.objects.filter(centre_id=membership.centre_id))
