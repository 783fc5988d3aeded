"""What the weekly analytical note says, read from the same selectors as the pages (ANALYTICS.md §4): the dashboard
for the key figures and the quality, the heat map for the territories, the area rollups for the topics, the
conflict situations, the ratings' red zone, the fast-track figures — so a figure in the note equals the figure
on the screen for the same territory and week. The result is plain JSON (numbers, words, links): a note keeps
it as it was built, and the page, the DOCX and the PDF are drawn from it alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from appeals.models import Appeal, Problem
from appeals.privacy import visible_text
from cur.models import Centre, Sector, Subtopic
from cur.periods import CalendarPeriod
from cur.scoping import CentreReader, scope_appeals
from cur.vocabulary import Channel
from heatmap.conflicts.selectors import situations_visible
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.dashboard.selectors import dashboard
from heatmap.map.selectors import heat_map
from heatmap.measures import change
from reports.fasttrack.selectors import fast_track_figures
from reports.roadmaps.selectors import roadmaps_of_week
from rollups.area_drill import drill
from rollups.models import AppealFact

TOP_SECTORS = 5
TOP_SUBTOPICS = 3
TYPICAL_PROBLEMS = 4  # «2–4 typical problems under each topic» (Вологодская обл.)
TOP_PLACES = 3
LONG_RUNNING_DAYS = 30  # open for longer than a 59-ФЗ answer may take
OLDEST_SHOWN = 5
EXCERPT = 160


def week_of(day: date) -> CalendarPeriod:
    return CalendarPeriod.containing("week", day)


def note_figures(centre: Centre, week: date) -> dict:
    """Every figure of the note of `centre` for the week starting on Monday `week`, as the centre's curator
    reads them (CentreReader: its territory, personal data masked — a document travels)."""
    reader = CentreReader(centre)
    region = centre.region
    period = week_of(week)
    after = period.last + timedelta(days=1)  # the week is over: compared with the whole week before
    board = dashboard(reader, region, period, today=after)
    filters = scoped_filters(reader, region.pk)
    queue = reverse("appeals:list")

    def link(counted: str, p: CalendarPeriod = period, **values) -> str:
        return _absolute(f"{queue}?area={drill(counted, p.first, p.last, **values)}")

    tiles = {t.label: t for t in (*board.tiles, *board.targets)}
    return {
        "version": 1,
        "period": {"first": period.first.isoformat(), "last": period.last.isoformat(), "label": period.label,
                   "compared_first": board.compared.first.isoformat(),
                   "compared_last": board.compared.last.isoformat()},
        "territory": {"centre": centre.name, "centre_short": centre.short_name, "region": region.name,
                      "municipality": centre.municipality.name if centre.municipality_id else None,
                      "level": centre.level},
        "key": _key_figures(region, period, board, filters, link),
        "tiles": [{"label": t.label, "value": t.value, "hint": t.hint, "url": _absolute(t.url), "tone": t.tone}
                  for t in (*board.tiles, *board.targets)],
        "sectors": _sectors(reader, region, period, board.compared, filters, link),
        "territories": _territories(reader, region, period),
        "situations": _situations(reader, period),
        "quality": _quality(period, board, tiles),
        "long_running": _long_running(reader, region, period, filters, link),
        "fast_tracks": _fast_tracks(reader, region, period),
        "roadmaps": [{**r, "url": _absolute(r["url"])} for r in roadmaps_of_week(reader, period)],
        "growth": [{"name": d.name, "before": d.before, "now": d.now, "url": _absolute(d.url)}
                   for d in board.growing_subtopics],
    }


def _absolute(url: str) -> str:
    """A link that works from a DOCX or a PDF opened outside the browser."""
    return settings.CUR_PUBLIC_URL.rstrip("/") + url if url.startswith("/") else url


def _key_figures(region, period, board, filters, link) -> dict:
    """Received, answered, in work, overdue, the change against the week before — and the same by channel."""
    def by_channel(p: CalendarPeriod) -> dict:
        rows = area_sums(Slice(region_id=region.pk, first=p.first, last=p.last, by=("channel",), filters=filters))
        return {row["channel"]: row for row in rows}

    now, before = by_channel(period), by_channel(board.compared)
    totals = {c: sum(row[c] for row in now.values()) for c in ("received", "answered", "open", "late")}
    received_before = sum(row["received"] for row in before.values())
    labels = dict(Channel.choices)
    channels = [
        {"channel": key, "label": labels.get(key, key), "received": row["received"],
         "before": before.get(key, {}).get("received", 0),
         "change_pct": change(row["received"], before.get(key, {}).get("received", 0), percent=True),
         "url": link("received", channel=key)}
        for key, row in sorted(now.items(), key=lambda item: -item[1]["received"])]
    return {**totals, "received_before": received_before,
            "change_pct": change(totals["received"], received_before, percent=True),
            "backlog": totals["received"] - totals["answered"],
            "urls": {c: link(c) for c in ("received", "answered", "open", "late")}, "channels": channels}


def _sectors(reader, region, period, compared, filters, link) -> list[dict]:
    """The week's top sectors with their count and change, their top subtopics, and under each sector the
    largest Problems of the week (a short masked excerpt and the link to the problem's appeals)."""
    def counts(p: CalendarPeriod) -> list[dict]:
        return area_sums(Slice(region_id=region.pk, first=p.first, last=p.last, by=("sector", "subtopic"),
                               filters=filters))

    now, before = counts(period), counts(compared)
    by_sector: dict = {}
    for row in now:
        by_sector.setdefault(row["sector"], {"now": 0, "before": 0, "subtopics": {}})
        entry = by_sector[row["sector"]]
        entry["now"] += row["received"]
        entry["subtopics"].setdefault(row["subtopic"], [0, 0])[0] += row["received"]
    for row in before:
        entry = by_sector.get(row["sector"])
        if entry is not None:
            entry["before"] += row["received"]
            if row["subtopic"] in entry["subtopics"]:
                entry["subtopics"][row["subtopic"]][1] += row["received"]
    top = sorted(((k, v) for k, v in by_sector.items() if k is not None), key=lambda kv: -kv[1]["now"])[:TOP_SECTORS]
    sector_names = dict(Sector.objects.filter(pk__in=[k for k, _ in top]).values_list("pk", "name"))
    subtopic_ids = [s for _, v in top for s in v["subtopics"] if s is not None]
    subtopic_names = dict(Subtopic.objects.filter(pk__in=subtopic_ids).values_list("pk", "name"))
    problems = _typical_problems(reader, region, period, [k for k, _ in top])
    total = sum(v["now"] for v in by_sector.values())
    out = []
    for sector_id, entry in top:
        subtopics = sorted(((k, v) for k, v in entry["subtopics"].items() if k is not None),
                           key=lambda kv: -kv[1][0])[:TOP_SUBTOPICS]
        out.append({
            "name": sector_names.get(sector_id, "—"), "received": entry["now"], "before": entry["before"],
            "share_pct": round(100 * entry["now"] / total, 1) if total else None,
            "change_pct": change(entry["now"], entry["before"], percent=True),
            "url": link("received", sector=sector_id),
            "subtopics": [{"name": subtopic_names.get(k, "—"), "received": n, "before": b,
                           "change_pct": change(n, b, percent=True), "url": link("received", subtopic=k)}
                          for k, (n, b) in subtopics],
            "problems": problems.get(sector_id, []),
        })
    return out


def _week_bounds(region, period: CalendarPeriod) -> tuple[datetime, datetime]:
    tz = ZoneInfo(region.timezone)
    return (datetime.combine(period.first, time.min, tz),
            datetime.combine(period.last + timedelta(days=1), time.min, tz))


def _typical_problems(reader, region, period: CalendarPeriod, sector_ids: list[int]) -> dict[int, list[dict]]:
    """Per sector, the Problems that gathered the most of the week's appeals in the reader's scope."""
    start, end = _week_bounds(region, period)
    rows = (scope_appeals(Appeal.objects.filter(region=region), reader)
            .filter(received_at__gte=start, received_at__lt=end, sector_id__in=sector_ids, problem__isnull=False)
            .values("sector_id", "problem_id").annotate(n=Count("pk")).order_by("-n", "problem_id"))
    chosen: dict[int, list[tuple[int, int]]] = {}
    for row in rows:
        picked = chosen.setdefault(row["sector_id"], [])
        if len(picked) < TYPICAL_PROBLEMS:
            picked.append((row["problem_id"], row["n"]))
    problems = Problem.objects.in_bulk([p for picked in chosen.values() for p, _ in picked])
    names = dict(Problem.objects.filter(pk__in=problems).values_list("pk", "municipality__name"))
    return {sector_id: [{"title": visible_text(problems[p].title, personal=False, limit=EXCERPT),
                         "address": problems[p].address, "municipality": names.get(p) or "",
                         "week_count": n, "url": _absolute(reverse("appeals:problem", args=[p]))}
                        for p, n in picked]
            for sector_id, picked in chosen.items()}


def _territories(reader, region, period: CalendarPeriod) -> dict:
    """The heat map of the week (per 10 000 residents) — the values a picture is drawn from — and, per sector,
    the municipalities with the most appeals (the heat map's own cells and links)."""
    heat = heat_map(reader, region, period, measure="per_10k")
    places = [{"id": row.municipality.pk, "name": row.municipality.name, "received": row.now["received"],
               "per_10k": row.value, "change_pct": row.change, "url": _absolute(row.url)} for row in heat.rows]
    by_sector = []
    for index, sector in enumerate(heat.columns):
        cells = sorted(((row, row.cells[index]) for row in heat.rows if row.cells[index].count),
                       key=lambda rc: -rc[1].count)[:TOP_PLACES]
        if cells:
            by_sector.append({"sector": sector.name, "places": [
                {"name": row.municipality.name, "received": cell.count, "url": _absolute(cell.url)}
                for row, cell in cells]})
    by_sector.sort(key=lambda s: -sum(p["received"] for p in s["places"]))
    return {"measure": heat.label, "places": places, "by_sector": by_sector, "total": heat.total.count}


def _situations(reader, period: CalendarPeriod) -> list[dict]:
    """The surges, repeat complaints and conflict situations of the week, and those still open from before."""
    situations = (situations_visible(reader).filter(week__lte=period.first)
                  .exclude(week__lt=period.first - timedelta(weeks=8)).order_by("-week", "-count"))
    rows = []
    for s in situations[:40]:
        if s.week != period.first and s.status not in s.OPEN:
            continue
        rows.append({"week": s.week.isoformat(), "kind": s.get_kind_display(), "subtopic": s.subtopic.name,
                     "municipality": s.municipality.name, "count": s.count, "baseline": round(s.baseline, 1),
                     "status": s.get_status_display(), "reasons": list(s.reasons),
                     "url": _absolute(s.get_absolute_url())})
    return rows[:15]


def _quality(period, board, tiles: dict) -> dict:
    """The work quality of the week: the dashboard's targets, the returns for rework and the red zone (from the
    rating the dashboard read)."""
    board_rating = board.rating
    returns = sum(row.sums.quality_bad for row in board_rating.rows)
    return {
        "answer_days": tiles["Медиана срока ответа ПОС"].value,
        "first_hours": tiles["Медиана первого ответа в соцсетях"].value,
        "on_time": tiles["В срок"].value, "satisfied": tiles["Удовлетворены ответом"].value,
        "satisfied_hint": tiles["Удовлетворены ответом"].hint,
        "fast_track": tiles["Ускоренное решение"].value,
        "returns": returns,
        "repeats": sum(row.sums.repeats for row in board_rating.rows),
        "red_zone": [{"name": row.name, "score": row.rated.score, "received": row.sums.received,
                      "late": row.sums.late,
                      "url": _absolute(reverse("ratings:agency", args=[row.key]) + f"?period=week&on={period.first}")}
                     for row in board.weakest],
    }


def _long_running(reader, region, period, filters, link) -> dict:
    """Appeals still in work more than LONG_RUNNING_DAYS after they came, at the week's end (the facts'
    state now), the oldest named; and the week's repeat considerations."""
    cutoff = period.last - timedelta(days=LONG_RUNNING_DAYS)
    first = date(2000, 1, 1)
    old = area_sums(Slice(region_id=region.pk, first=first, last=cutoff, filters=filters))
    count = old[0]["open"] if old else 0
    scoped = scope_appeals(Appeal.objects.filter(region=region), reader)
    facts = (AppealFact.objects.filter(region=region, is_open=True, received_day__lte=cutoff,
                                       appeal_id__in=scoped.values("pk"))
             .order_by("received_day", "appeal_id").values_list("appeal_id", "received_day")[:OLDEST_SHOWN])
    facts = list(facts)
    appeals = Appeal.objects.in_bulk([pk for pk, _ in facts])
    week = area_sums(Slice(region_id=region.pk, first=period.first, last=period.last, filters=filters))
    return {
        "count": count, "url": link("open", CalendarPeriod("custom", first, cutoff)), "days": LONG_RUNNING_DAYS,
        "oldest": [{"number": appeals[pk].number, "days": (period.last - day).days,
                    "title": visible_text(appeals[pk].title_or_excerpt, personal=False, limit=EXCERPT),
                    "url": _absolute(appeals[pk].get_absolute_url())} for pk, day in facts if pk in appeals],
        "repeats": week[0]["repeats"] if week else 0, "repeats_url": link("repeats"),
    }


def _fast_tracks(reader, region, period) -> dict:
    figures = fast_track_figures(reader, region, period)
    return {"share": figures.share, "received": figures.received, "handled": figures.total.handled,
            "late": figures.total.late, "repeats": figures.total.repeats,
            "on_time_share": figures.total.on_time_share, "repeat_share": figures.total.repeat_share,
            "lines": [{"name": line.name, "handled": line.handled, "late": line.late, "repeats": line.repeats,
                       "deadline_days": line.track.deadline_days, "agency": line.track.agency.short_name,
                       "url": _absolute(line.urls["fast_track"])} for line in figures.lines if line.handled]}
