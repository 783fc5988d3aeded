"""From a figure of the heat map, the dashboard or a slice to the appeals it counted: the queue's `area`
filter. A drill is the slice's days, its dimensions' values and which of the cell's appeals the figure
counts; the queue reads it through the same facts the sums came from (rollups.AppealFact), inside the
user's scope as always, so the list shows exactly the cell's number.

Written in a URL as «late~2026-11-01~2026-11-30~municipality.18~sector.7~channel.pos» («-» for «не указано»).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from appeals.models import Status
from cur.models import Agency, FastTrack, Sector, Subtopic
from cur.vocabulary import Channel, Kind
from municipalities.models import Municipality, Settlement
from rollups.areas import DIMENSIONS
from rollups.models import AppealFact

# which appeals of a cell a figure counts → (words, the condition on the fact)
COUNTED: dict[str, tuple[str, Q]] = {
    "received": ("поступили", Q()),
    "open": ("в работе", Q(is_open=True)),
    "answered": ("дан ответ", Q(is_answered=True)),
    "late": ("с нарушением срока", Q(is_late=True)),
    "rated": ("есть оценка гражданина", Q(satisfied__isnull=False)),
    "not_satisfied": ("гражданин не удовлетворён", Q(satisfied=False)),
    "repeats": ("повторное рассмотрение", Q(is_repeat=True)),
    "fast_track": ("по механизму ускоренного решения", Q(fast_track_id__isnull=False)),
    "fast_track_late": ("ускоренное решение с нарушением срока", Q(fast_track_id__isnull=False, is_late=True)),
    "fast_track_repeats": ("ускоренное решение, повторное рассмотрение", Q(fast_track_id__isnull=False,
                                                                          is_repeat=True)),
}
NONE = "-"
BOOLEAN_DIMENSIONS = {"overdue", "satisfaction"}


@dataclass(frozen=True)
class AreaDrill:
    counted: str
    first: date
    last: date
    values: tuple[tuple[str, object], ...] = ()  # (dimension, value) pairs, value None for «не указано»

    def __str__(self) -> str:
        parts = [self.counted, self.first.isoformat(), self.last.isoformat()]
        parts += [f"{d}.{NONE if v is None else _text(v)}" for d, v in self.values]
        return "~".join(parts)

    @classmethod
    def parse(cls, text: str) -> AreaDrill | None:
        try:
            counted, first, last, *pairs = text.split("~")
            values = []
            for pair in pairs:
                dimension, raw = pair.split(".", 1)
                if dimension not in DIMENSIONS:
                    return None
                values.append((dimension, _value(dimension, raw)))
            drill = cls(counted, date.fromisoformat(first), date.fromisoformat(last), tuple(values))
        except ValueError:
            return None
        return drill if counted in COUNTED and drill.first <= drill.last else None

    @property
    def label(self) -> str:
        return COUNTED[self.counted][0]

    def facts_condition(self) -> Q:
        condition = Q(received_day__range=(self.first, self.last)) & COUNTED[self.counted][1]
        for dimension, value in self.values:
            condition &= Q(**{DIMENSIONS[dimension]: value}) if value is not None else Q(
                **{f"{DIMENSIONS[dimension]}__isnull": True})
        return condition


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _value(dimension: str, raw: str):
    if raw == NONE:
        return None
    if dimension in BOOLEAN_DIMENSIONS:
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if DIMENSIONS[dimension].endswith("_id"):
        return int(raw)
    return raw


def drill(counted: str, first: date, last: date, **values) -> str:
    """The queue's `area` value for a figure: drill("late", d1, d2, municipality=18, sector=7)."""
    return str(AreaDrill(counted, first, last, tuple(values.items())))


def area_appeals(queryset: QuerySet, drill_: AreaDrill) -> QuerySet:
    """The appeals (of an already scoped queryset) that the figure counted."""
    return queryset.filter(pk__in=AppealFact.objects.filter(drill_.facts_condition()).values("appeal_id"))


def describe(drill_: AreaDrill) -> str:
    """«поступили — Пестравский район, ЖКХ, канал «ПОС», 01.11.2026 – 30.11.2026»: the drill in words (names
    read from the user's own pages' data: the queue shows only what the scope lets through anyway)."""
    words = []
    models = {"municipality": Municipality, "settlement": Settlement, "sector": Sector, "subtopic": Subtopic,
              "agency": Agency, "track": FastTrack}
    choices = {"channel": dict(Channel.choices), "kind": dict(Kind.choices), "status": dict(Status.choices)}
    for dimension, value in drill_.values:
        if value is None:
            words.append(f"{DIMENSION_WORDS[dimension]}: не указано")
        elif dimension in models:
            row = models[dimension].objects.filter(pk=value).first()
            words.append(getattr(row, "short_name", None) or str(row) if row else "—")
        elif dimension in choices:
            words.append(f"{DIMENSION_WORDS[dimension]} «{choices[dimension].get(value, value)}»")
        elif dimension == "overdue":
            words.append("с нарушением срока" if value else "в срок")
        elif dimension == "satisfaction":
            words.append("удовлетворён" if value else "не удовлетворён")
    where = f" — {', '.join(words)}" if words else ""
    return f"{drill_.label}{where}, {drill_.first:%d.%m.%Y} – {drill_.last:%d.%m.%Y}"


DIMENSION_WORDS = {
    "municipality": "МО", "settlement": "населённый пункт", "sector": "сфера", "subtopic": "тематика",
    "agency": "исполнитель", "channel": "канал", "kind": "вид", "status": "статус", "overdue": "срок",
    "satisfaction": "оценка", "track": "механизм ускоренного решения",
}
