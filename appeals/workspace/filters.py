"""Filters of appeal lists, shared by the HTML list, the API and the CSV export."""

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.models import CLOCK_RUNNING_STATUSES, OPEN_STATUSES, Appeal, Channel, Kind, Satisfaction, Status
from appeals.search.query import search_filter, search_request
from cur.models import Agency, Sector, Subtopic
from cur.periods import day_start, last_days_start
from cur.scoping import can_see_personal_data, scope_agencies, scope_municipalities
from municipalities.models import Municipality
from rollups.area_drill import AreaDrill, area_appeals
from rollups.selectors import Drill, drill_appeals

SEARCH_BOX_MAX_CHARS = 500
# Below this the structuring pipeline is unsure: the operator should check sector and place.
LOW_CONFIDENCE = 0.6


# «за неделю / месяц / квартал»: the last 7, 30 or 90 local days, today included — the same days as the
# heat map's and the ratings' periods (cur/periods.py)
PERIODS = {"week": ("за неделю", 7), "month": ("за месяц", 30), "quarter": ("за квартал", 90)}


class DrillField(forms.CharField):
    """«late.a12.2026-11-01.2026-11-30» → the Drill; a damaged link is a form error, not a 500."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        drill = Drill.parse(value)
        if drill is None:
            raise ValidationError("Ссылка из рейтинга повреждена: откройте её из рейтинга заново.")
        return drill


class DrillFilter(django_filters.Filter):
    field_class = DrillField


class AreaDrillField(forms.CharField):
    """«late~2026-11-01~2026-11-30~municipality.18» → the AreaDrill (a figure of the heat map or a slice)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        drill = AreaDrill.parse(value)
        if drill is None:
            raise ValidationError("Ссылка из тепловой карты повреждена: откройте её заново.")
        return drill


class AreaDrillFilter(django_filters.Filter):
    field_class = AreaDrillField


class AppealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Поиск", method="filter_search",
        widget=forms.TextInput(attrs={
            # The box's GET must fit gunicorn's request line (4094 bytes): 500 Cyrillic letters are 3000
            # URL bytes (%D0%B2 a letter), the filters and «Показать ещё»'s cursor fit in the rest
            # (tests/cur/test_request_limits.py). The search itself reads the first MAX_CHARS (300) and
            # says so (appeals/search/query.py).
            "type": "search", "maxlength": SEARCH_BOX_MAX_CHARS, "autocomplete": "off",
            "placeholder": "слова из текста, адрес, фамилия, номер…",
        }),
    )
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
    state = django_filters.ChoiceFilter(label="В работе / закрытые", method="filter_state", empty_label="все",
                                        choices=[("open", "в работе"), ("done", "закрытые")])
    due_within = django_filters.NumberFilter(label="Срок истекает в ближайшие, ч", method="filter_due_within",
                                             min_value=1, max_value=24 * 60)
    period = django_filters.ChoiceFilter(
        label="Поступили", method="filter_period", empty_label="за всё время",
        choices=[(key, label) for key, (label, _) in PERIODS.items()],
    )
    received_from = django_filters.DateFilter(
        label="Поступили с", method="filter_received_from", widget=forms.DateInput(attrs={"type": "date"}))
    received_to = django_filters.DateFilter(
        label="по", method="filter_received_to", widget=forms.DateInput(attrs={"type": "date"}))
    satisfaction = django_filters.ChoiceFilter(
        label="Оценка гражданина", method="filter_satisfaction", empty_label="любая",
        choices=[("rated", "есть оценка"), *Satisfaction.choices],
    )
    # a figure of the ratings (rollups/selectors.py Drill): exactly the appeals that figure counted
    rating = DrillFilter(method="filter_rating", widget=forms.HiddenInput, label="Из рейтинга")
    # a figure of the heat map, the dashboard or a slice (rollups/area_drill.py)
    area = AreaDrillFilter(method="filter_area", widget=forms.HiddenInput, label="Из тепловой карты")
    low_confidence = django_filters.BooleanFilter(
        label="Низкая уверенность структуры", method="filter_low_confidence",
        widget=forms.Select(choices=[("", "—"), ("true", "да")]),
    )
    fast_track = django_filters.BooleanFilter(
        label="Ускоренное решение", method="filter_fast_track",
        widget=forms.Select(choices=[("", "—"), ("true", "да"), ("false", "нет")]),
    )

    class Meta:
        model = Appeal
        fields = ["q", "state", "status", "kind", "channel", "sector", "subtopic", "municipality", "agency", "overdue",
                  "due_within", "period", "received_from", "received_to", "satisfaction", "low_confidence",
                  "fast_track", "rating", "area"]

    def filter_search(self, queryset, name, value):
        """Full-text search (appeals/search/query.py) inside whatever the scope and the other filters leave;
        the citizen's name and contacts only for roles allowed to see them."""
        self.search = search_request(value)
        if not self.search.active:
            return queryset
        return search_filter(queryset, self.search, personal=can_see_personal_data(self.user),
                             any_word=self.any_word)

    def filter_state(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES) if value == "open" else queryset.exclude(
            status__in=OPEN_STATUSES)

    def filter_due_within(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(status__in=CLOCK_RUNNING_STATUSES, due_at__gte=now,
                               due_at__lte=now + timedelta(hours=int(value)))

    # Days are the region's (TIME_ZONE): «с 1 по 30 ноября» is from local midnight to local midnight, as
    # the heat map and the ratings count them, so a drill-down lands on the same count.
    def filter_period(self, queryset, name, value):
        return queryset.filter(received_at__gte=last_days_start(PERIODS[value][1]))

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=day_start(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=day_start(value + timedelta(days=1)))

    def filter_satisfaction(self, queryset, name, value):
        return queryset.exclude(satisfaction="") if value == "rated" else queryset.filter(satisfaction=value)

    def filter_rating(self, queryset, name, value):
        return drill_appeals(queryset, value)

    def filter_area(self, queryset, name, value):
        return area_appeals(queryset, value)

    def filter_low_confidence(self, queryset, name, value):
        return queryset.filter(structuring_confidence__lt=LOW_CONFIDENCE) if value else queryset

    def filter_fast_track(self, queryset, name, value):
        return queryset.filter(fast_track__isnull=not value)

    def __init__(self, data=None, *args, user, any_word: bool = False, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.search = None  # the parsed query, once `q` is applied
        self.any_word = any_word  # search for any of the words rather than all (a second try)
        # Choices come from the same scoping layer: nobody learns the names of what they may not see.
        self.filters["municipality"].queryset = scope_municipalities(Municipality.objects.defer("boundary"), user)
        self.filters["agency"].queryset = scope_agencies(Agency.objects.all(), user)


ORDERS = {"new": "новые сверху", "old": "старые сверху", "deadline": "сначала срочные",
          "deadline_desc": "сначала с дальним сроком", "relevance": "по совпадению с поиском"}


def queue_order(params) -> str:
    """The order a list is shown in: as asked, else by relevance when searching, else newest first."""
    searching = bool((params.get("q") or "").strip())
    order = params.get("order")
    if order in ORDERS and (order != "relevance" or searching):
        return order
    return "relevance" if searching else "new"


def filter_query_normalize(query: str) -> str:
    """A list's query string reduced to what it shows: the filters and a non-default order, keys sorted,
    without the paging cursor, empty fields or unknown parameters. Equal views give equal strings — how
    a saved filter is stored and how the queue recognises the active one."""
    known = set(AppealFilter.base_filters) | {"order"}
    pairs = [(key, value.strip()) for key, value in parse_qsl(query or "") if key in known and value.strip()]
    params = dict(pairs)
    # the default order is left out, or the same view would look different
    pairs = [(key, value) for key, value in pairs if key != "order" or value != queue_order(params | {"order": ""})]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))
