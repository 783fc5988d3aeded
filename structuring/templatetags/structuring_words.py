"""The automatic structuring's events in words on the card's timeline."""

from django import template

from structuring.services import AUTO_REASON, auto_event_words

register = template.Library()


@register.filter
def auto_structuring_words(event) -> list[str]:
    """The sentences of an automatic structuring event; [] for any other event."""
    if event.field != "structured_at" or event.reason != AUTO_REASON:
        return []
    return auto_event_words(event.new_value)
