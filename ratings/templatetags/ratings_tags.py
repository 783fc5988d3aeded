"""A rating's rows, rendered here rather than in the template (two hundred rows of a dozen cells cost the
template engine more than the ratings' queries), their sparklines as inline SVG (no script, no style
attribute: the CSP holds) and the small formatting of scores."""

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from ratings.models import PARTS

register = template.Library()

WIDTH, HEIGHT, PAD = 96, 24, 2


@register.simple_tag
def sparkline(values, labels=None):
    """The last periods' scores (0–100) as a line; a gap where a period had nothing to judge."""
    points = [(i, v) for i, v in enumerate(values or []) if v is not None]
    if not points:
        return ""
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def xy(i, v):
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * v / 100:.1f}"

    segments, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        segments.append(current)
    lines = format_html_join("", '<polyline points="{}"/>', ((" ".join(s),) for s in segments if len(s) > 1))
    last_i, last_v = points[-1]
    x, y = xy(last_i, last_v).split(",")
    title = ", ".join(f"{label}: {'—' if v is None else f'{v:.0f}'}"
                      for label, v in zip(labels or [], values, strict=False))
    return format_html(
        '<svg class="spark" viewBox="0 0 {} {}" width="{}" height="{}" role="img" aria-label="{}"><title>{}</title>'
        '{}<circle cx="{}" cy="{}" r="2.2"/></svg>', WIDTH, HEIGHT, WIDTH, HEIGHT, title, title, lines, x, y)


@register.filter
def score(value):
    """«87,5» — a score or a part with a decimal comma; «—» where there is nothing to judge."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",")


PART_TITLES = {  # part → the hint over its cell: the counts it was computed from
    "timeliness": lambda s: f"в срок {s.on_time} из {s.on_time + s.late}",
    "speed": lambda s: "медиана доли отведённого времени",
    "quality": lambda s: f"без замечаний {s.quality_ok} из {s.quality_ok + s.quality_bad}",
    "satisfaction": lambda s: f"удовлетворены {s.satisfied} из {s.rated}",
    "completeness": lambda s: f"по существу {s.complete_ok} из {s.complete_ok + s.complete_bad}",
    "fast_track": lambda s: f"ускоренное решение в срок {s.fast_track_on_time} из "
                            f"{s.fast_track_on_time + s.fast_track_late}",
}


@register.simple_tag
def rating_rows(rows, board, level, base_query):
    """The <tr> of each row: place, its change, the name (to the body's page, or a municipality's appeals),
    the score in its zone's colour, the five parts, the counts linked to the queue, the sparkline.
    Plain f-strings for speed: every text that is not our own digits and words goes through escape()."""
    queue = escape(reverse("appeals:list"))
    query = escape(base_query)
    labels = board.series_labels
    return mark_safe("".join(_row(row, board.minimum, level, query, queue, labels) for row in rows))


def _row(row, minimum, level, query, queue, labels) -> str:
    r, s, d = row.rated, row.sums, row.drills
    place = r.place or f'<span class="muted" title="Меньше {minimum} обращений за период">—</span>'
    change = row.place_change
    if change:
        moved = (f'<span class="up" title="Поднялся на {change}">▲{change}</span>' if change > 0
                 else f'<span class="down" title="Опустился на {-change}">▼{-change}</span>')
    else:
        moved = '<span class="muted">=</span>' if change == 0 else ""
    name = escape(row.name)
    if level == "municipality":
        name = f'<a href="{queue}?rating={d["received"]}">{name}</a>'
    else:
        name = f'<a href="{escape(reverse("ratings:agency", args=[row.key]))}?{query}">{name}</a>'
    total = (f'<span class="zone zone--{r.zone}" title="{r.zone_label} зона">{score(r.score)}</span>' if r.zone
             else f'<span class="muted">{score(r.score)}</span>')
    parts = "".join(f'<td class="num" title="{PART_TITLES[part](s)}">{score(r.values[part])}</td>'
                    for part in PARTS)
    received = f'<a href="{queue}?rating={d["received"]}">{s.received}</a>' if s.received else 0
    late = f'<a class="rating__late" href="{queue}?rating={d["late"]}">{s.late}</a>' if s.late else 0
    return (f'<tr class="{f"is-{r.zone}" if r.zone else "is-unranked"}" data-key="{row.key}">'
            f'<td class="num rating__place">{place}</td><td class="num rating__change">{moved}</td>'
            f'<td>{name}</td><td class="num">{total}</td>{parts}<td class="num">{received}</td>'
            f'<td class="num">{late}</td><td>{sparkline(row.spark, labels)}</td></tr>')
