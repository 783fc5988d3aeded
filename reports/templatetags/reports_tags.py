from datetime import date

from django import template

from reports.indicators.exports import decimal_text

register = template.Library()


@register.filter
def isodate(value: str) -> str:
    """«2026-11-23» (as a note's frozen figures keep a day) → «23.11.2026»."""
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return value or "—"


@register.filter
def decimal(value) -> str:
    """A stored Decimal as people write it: «86,7», «12», «—» (no trailing zeros of the column's two places)."""
    return decimal_text(value)
