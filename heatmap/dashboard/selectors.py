"""The curator's dashboard: the period against the previous one, the federal targets, the year's weekly trend
per sector, what grows most, the open conflict situations and the weakest bodies — all from the area
rollups (heatmap/cubes.py) and the ratings, each figure with the link to its appeals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from cur.models import Sector
from cur.periods import CalendarPeriod
from heatmap.conflicts.selectors import open_situations
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.map.selectors import compared_with
from heatmap.measures import add, change, empty_sums, median_of
from heatmap.numbers import figure, signed
from heatmap.slices.selectors import Driver, growth_drivers
from municipalities.models import Region
from ratings.selectors import Rating, rating
from rollups.area_drill import drill
from rollups.models import FIRST_HOURS

# Минцифры's targets for ПОС (docs/analytics.md, from the team's ANALYTICS.md §1): an answer within 8 days,
# ratings 4–5 in 60 %
TARGET_ANSWER_DAYS = 8
TARGET_SATISFIED = 60
TREND_WEEKS = 52
TOP = 5


@dataclass
class Tile:
    label: str
    value: str
    url: str = ""
    hint: str = ""
    tone: str = ""  # ok | warning | danger


@dataclass
class Dashboard:
    region: Region
    period: CalendarPeriod
    compared: CalendarPeriod
    tiles: list[Tile]
    targets: list[Tile]
    trend: dict  # weeks, and per sector its counts
    growing_subtopics: list[Driver]  # what rose most against the compared period (the slices' drivers)
    growing_places: list[Driver]
    weakest: list = field(default_factory=list)  # rating rows of the red zone, worst first
    rating: Rating | None = None  # the period's rating the red zone was read from (the weekly note reads it too)
    conflicts: list = field(default_factory=list)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _days(value: float | None, unit: str, cap: int | None = None) -> str:
    if value is None:
        return "—"
    number = f"{value:.1f}".replace(".", ",")
    return f"≥ {cap} {unit}" if cap is not None and value >= cap else f"{number} {unit}"


def dashboard(user, region: Region, period: CalendarPeriod, *, today: date | None = None) -> Dashboard:
    filters = scoped_filters(user, region.pk)
    earlier = compared_with(period, today)
    queue = reverse("appeals:list")

    def link(counted: str, p: CalendarPeriod = period, **values) -> str:
        return f"{queue}?area={drill(counted, p.first, p.last, **values)}"

    def by_channel(p: CalendarPeriod, histograms: bool) -> list[dict]:
        return area_sums(Slice(region_id=region.pk, first=p.first, last=p.last, by=("channel", "kind"),
                               histograms=histograms, filters=filters))

    def total(rows: list[dict], **only) -> dict:
        found = empty_sums()
        for row in rows:
            if all(row[k] == v for k, v in only.items()):
                add(found, row)
        return found

    rows = by_channel(period, True)  # one read: the totals, ПОС's answers and the incidents' first responses
    now, before, pos = total(rows), total(by_channel(earlier, False)), total(rows, channel="pos")
    late_share = round(100 * now["late"] / now["received"], 1) if now["received"] else None
    satisfied = round(100 * now["satisfied"] / now["rated"], 1) if now["rated"] else None
    answer_days = median_of(pos["answer_days"])
    first_hours = median_of(total(rows, kind="incident")["first_hours"])  # ИМ: the first response counts
    received_change = change(now["received"], before["received"], percent=True)
    tiles = [
        Tile("Поступило", figure(now["received"]), link("received"),
             "к прошлому периоду: " + signed(received_change)),
        Tile("В работе сейчас", figure(now["open"]), link("open"), "из поступивших за период"),
        Tile("Дан ответ", figure(now["answered"]), link("answered")),
        Tile("С нарушением срока", figure(now["late"]), link("late"), _percent(late_share),
             "danger" if now["late"] else "ok"),
    ]
    targets = [
        Tile("Медиана срока ответа ПОС", _days(answer_days, "дн."), link("answered", channel="pos"),
             f"ориентир Минцифры — не более {TARGET_ANSWER_DAYS} дней",
             "" if answer_days is None else "ok" if answer_days <= TARGET_ANSWER_DAYS else "danger"),
        Tile("Медиана первого ответа в соцсетях", _days(first_hours, "ч", cap=FIRST_HOURS - 1),
             link("received", kind="incident"), "инциденты «Инцидент Менеджмент»: от публикации до ответа"),
        Tile("В срок", _percent(None if late_share is None else 100 - late_share), link("late"),
             "доля поступивших за период без нарушения срока",
             "" if late_share is None else "ok" if late_share <= 5 else "warning"),
        Tile("Удовлетворены ответом", _percent(satisfied), link("rated"),
             f"ориентир — не менее {TARGET_SATISFIED} % оценок «удовлетворён»; оценок: {now['rated']}",
             "" if satisfied is None else "ok" if satisfied >= TARGET_SATISFIED else "danger"),
        fast_track_tile(now, link),
    ]
    growth = growth_drivers(user, region.pk, period, limit=TOP, today=today)
    board = rating(user, period, sparklines=False, place_changes=False)
    return Dashboard(
        region=region, period=period, compared=earlier, tiles=tiles, targets=targets,
        trend=_trend(region, filters, period, today or timezone.localdate()),
        growing_subtopics=growth.subtopics, growing_places=growth.places,
        weakest=_weakest(board), rating=board, conflicts=open_situations(user),
    )


def fast_track_tile(sums: dict, link) -> Tile:
    """The share of the period's appeals handled by a fast-track mechanism, with its on-time and repeat shares
    (ПОС practice: Мурманская обл. 90 %, most solved within 10 days)."""
    handled = sums["fast_track"]
    share = round(100 * handled / sums["received"], 1) if sums["received"] else None
    if not handled:
        return Tile("Ускоренное решение", _percent(share), link("fast_track"),
                    "ни одно обращение периода не шло по механизмам ускоренного решения")
    on_time = round(100 * (handled - sums["fast_track_late"]) / handled, 1)
    repeats = round(100 * sums["fast_track_repeats"] / handled, 1)
    return Tile("Ускоренное решение", _percent(share), link("fast_track"),
                f"{handled} обращ.; в срок механизма {_percent(on_time)}, повторно {_percent(repeats)}",
                "ok" if on_time >= 90 else "warning")


def _trend(region: Region, filters: dict, period: CalendarPeriod, today: date) -> dict:
    """The last TREND_WEEKS whole weeks up to the period's end — or up to yesterday in a running period: a
    week to come or half gone would draw a cliff — per sector: the season shows (snow in winter, waste in
    summer)."""
    last = min(period.last, today - timedelta(days=1))
    end = last - timedelta(days=(last.weekday() + 1) % 7)  # the last Sunday on or before
    first = end - timedelta(weeks=TREND_WEEKS) + timedelta(days=1)
    rows = area_sums(Slice(region_id=region.pk, first=first, last=end, by=("sector",), slot="week", filters=filters))
    weeks = [first + timedelta(weeks=i) for i in range(TREND_WEEKS)]
    index = {week: i for i, week in enumerate(weeks)}
    series: dict[int | None, list[int]] = {}
    for row in rows:
        if row["slot"] in index:
            series.setdefault(row["sector"], [0] * TREND_WEEKS)[index[row["slot"]]] += row["received"]
    names = dict(Sector.objects.filter(pk__in=[k for k in series if k]).values_list("pk", "name"))
    ordered = sorted(series.items(), key=lambda item: -sum(item[1]))
    return {"weeks": weeks, "sectors": [(names.get(k, "Сфера не определена"), v) for k, v in ordered]}


def _weakest(board: Rating) -> list:
    """The ranked bodies of the red zone, lowest score first (the ratings' own rows and links)."""
    red = [row for row in board.rows if row.rated.zone == "red"]
    return sorted(red, key=lambda row: row.rated.score or 0)[:TOP]
