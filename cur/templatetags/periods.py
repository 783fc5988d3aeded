"""The period form of the analytical pages keeps the page's other parameters (measure, filters, sort)."""

from django import template
from django.utils.html import format_html_join

register = template.Library()

PERIOD_PARAMS = {"period", "on", "from", "to"}


@register.simple_tag(takes_context=True)
def kept_params(context):
    """Hidden inputs for every parameter of the request but the period's own."""
    request = context["request"]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">',
                            ((name, value) for name, values in request.GET.lists() if name not in PERIOD_PARAMS
                             for value in values))
