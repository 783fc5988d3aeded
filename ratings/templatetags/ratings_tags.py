"""A rating row's sparkline as inline SVG (no script, no style attribute: the CSP holds) and the small
formatting of scores."""

from django import template
from django.utils.html import format_html, format_html_join

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
