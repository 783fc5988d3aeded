"""The heat map's numbers in its templates (heatmap/numbers.py) and a line's linked measure."""

from django import template
from django.utils.html import format_html

from heatmap.numbers import figure, signed

register = template.Library()


register.filter(figure)
register.filter(signed)


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
