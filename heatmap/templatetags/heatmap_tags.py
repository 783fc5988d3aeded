"""The heat map's numbers in Russian: a decimal comma, a thin space in thousands, «—» for nothing."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def figure(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text} {unit}" if unit in ("%", "дн.", "ч") and unit else text


@register.filter
def signed(value) -> str:
    """«+12,5 %», «−3 %»: a change against the previous period."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} %".replace(".", ",")


UNITS = {"late_share": "%", "not_satisfied_share": "%", "answer_days": "дн."}


@register.simple_tag
def topic_value(line, measure: str):
    """A measure of a municipality page's line, linked to the appeals it counted (a change is not a count)."""
    value = line.values.get(measure)
    text = signed(value) if measure == "change_pct" else figure(value, UNITS.get(measure, ""))
    if value is None or measure == "change_pct":
        return text
    return format_html('<a href="{}">{}</a>', line.urls[measure], text)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def driver_share(drivers, row) -> str:
    """The driver's part of the whole rise («—» when there was no rise)."""
    return figure(drivers.share(row), "%")
