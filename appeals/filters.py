"""Filters of appeal lists, shared by the HTML list, the API and the CSV export."""

import django_filters
from django import forms

from appeals.models import Appeal, Channel, Kind, Status
from cur.models import Agency, Sector, Subtopic
from cur.scoping import scope_agencies, scope_municipalities
from municipalities.models import Municipality


class AppealFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label="Статус", empty_label="все статусы")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="Вид", empty_label="все виды")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label="Канал", empty_label="все каналы")
    sector = django_filters.ModelChoiceFilter(
        queryset=Sector.objects.all(), label="Тематика", empty_label="все тематики")
    subtopic = django_filters.ModelChoiceFilter(
        queryset=Subtopic.objects.select_related("sector"), label="Подтема", empty_label="все подтемы"
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.none(), label="МО", empty_label="все МО")
    agency = django_filters.ModelChoiceFilter(queryset=None, label="Исполнитель", empty_label="все исполнители")
    overdue = django_filters.BooleanFilter(field_name="is_overdue", label="Просрочено",
                                           widget=forms.Select(choices=[("", "—"), ("true", "да"), ("false", "нет")]))

    class Meta:
        model = Appeal
        fields = ["status", "kind", "channel", "sector", "subtopic", "municipality", "agency", "overdue"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Choices come from the same scoping layer: nobody learns the names of what they may not see.
        self.filters["municipality"].queryset = scope_municipalities(Municipality.objects.all(), user)
        self.filters["agency"].queryset = scope_agencies(Agency.objects.all(), user)
