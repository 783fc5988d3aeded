"""Fast rendering of <select> fields and dates for pages rendered hundreds of times a minute.

Django's widget templates cost ~0.4 ms per option, and iterating a ModelChoiceField builds a model
instance per option; the queue's filters and the card's forms carry hundreds of options (agencies,
settlements). A model declares the columns its label is made of in `option_fields` (and, when
that is more than one column, an `option_label(*values)` classmethod); its options are then read
as plain tuples.
"""

from django import template
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from cur.options import option_rows

register = template.Library()


def _choices(field):
    model = getattr(getattr(field, "queryset", None), "model", None)
    if isinstance(field, ModelChoiceField) and getattr(model, "option_fields", None):
        rows = option_rows(field.queryset, model.option_fields)
        label = getattr(model, "option_label", None)
        options = [(pk, label(*values)) for pk, *values in rows] if label else list(rows)
        return [("", field.empty_label), *options] if field.empty_label is not None else options
    return getattr(field, "choices", None) or field.widget.choices


@register.filter
def fast_select(bound_field):
    """The field as a <select>, options built in Python; same name, id, values and selection."""
    field = bound_field.field
    value = bound_field.value()
    selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
    # plain escape() and join: format_html per option costs more than the rest of the page's selects
    options = "".join(
        f'<option value="{escape(key)}"{" selected" if str(key) in selected else ""}>{escape(label)}</option>'
        for key, label in _choices(field)
    )
    required = " required" if field.required else ""
    # data-* attributes of the widget are the hooks of progressive enhancement (data-picker: static/js/picker.js)
    hooks = "".join(f' {escape(name)}="{escape(value)}"' for name, value in field.widget.attrs.items()
                    if name.startswith("data-"))
    return format_html('<select name="{}" id="{}"{}{}>{}</select>', bound_field.html_name,
                       bound_field.id_for_label, required, mark_safe(hooks),  # noqa: S308 — escaped above
                       mark_safe(options))  # noqa: S308 — escaped above


@register.filter
def local_dt(value, fmt="%d.%m.%Y %H:%M"):
    """An aware datetime in the current (region's) time zone; '' for none. Cheaper than |date."""
    return timezone.localtime(value).strftime(fmt) if value else ""


@register.filter
def ru_plural(value, forms: str) -> str:
    """The Russian form of a noun for a count: «1 обращение», «3 обращения», «11 обращений»
    (`forms`: «one,few,many»)."""
    one, few, many = forms.split(",")
    n = abs(int(value or 0))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
