"""The named functions an indicator of the catalogue is computed by (Indicator.function). Each reads the sums of
the centre's territory over the period from the same area rollups and with the same arithmetic as the dashboard
(heatmap/dashboard/selectors.py), so a report's value equals the dashboard's figure for the same territory and
period. One read per report: `period_sums`, then every function is arithmetic on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cur.models import Centre
from cur.periods import CalendarPeriod
from cur.scoping import CentreReader
from heatmap.cubes import Slice, area_sums, scoped_filters
from heatmap.measures import add, empty_sums, median_of


@dataclass(frozen=True)
class PeriodSums:
    total: dict  # every appeal of the territory received in the period
    pos: dict  # ПОС messages
    incidents: dict  # «Инцидент Менеджмент»


def period_sums(centre: Centre, period: CalendarPeriod) -> PeriodSums:
    reader = CentreReader(centre)
    rows = area_sums(Slice(region_id=centre.region_id, first=period.first, last=period.last, by=("channel", "kind"),
                           histograms=True, filters=scoped_filters(reader, centre.region_id)))

    def total(**only) -> dict:
        found = empty_sums()
        for row in rows:
            if all(row[k] == v for k, v in only.items()):
                add(found, row)
        return found

    return PeriodSums(total=total(), pos=total(channel="pos"), incidents=total(kind="incident"))


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(round(100 * part / whole, 1)).quantize(Decimal("0.1")) if whole else None


def _number(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class Function:
    label: str  # how it is computed, in words (docs/reports.md lists these)
    compute: Callable[[PeriodSums], Decimal | None]


FUNCTIONS: dict[str, Function] = {
    "received": Function("поступило обращений, сообщений и инцидентов за период",
                         lambda s: _number(s.total["received"])),
    "answered": Function("дан ответ (из поступивших за период)", lambda s: _number(s.total["answered"])),
    "late_share": Function("доля поступивших за период с нарушением срока, %",
                           lambda s: _share(s.total["late"], s.total["received"])),
    "on_time_share": Function("доля поступивших за период без нарушения срока, %",
                              lambda s: _share(s.total["received"] - s.total["late"], s.total["received"])),
    "pos_answer_days": Function("медиана срока ответа на сообщения ПОС, дней",
                                lambda s: _number(median_of(s.pos["answer_days"]))),
    "satisfied_share": Function("доля оценок «удовлетворён» среди оценок граждан, %",
                                lambda s: _share(s.total["satisfied"], s.total["rated"])),
    "pos_satisfied_share": Function("доля оценок «удовлетворён» среди оценок ответов ПОС, %",
                                    lambda s: _share(s.pos["satisfied"], s.pos["rated"])),
    "im_first_hours": Function("медиана первого ответа на инциденты «Инцидент Менеджмент», часов",
                               lambda s: _number(median_of(s.incidents["first_hours"]))),
    "fast_track_share": Function("доля обращений, рассмотренных по механизмам ускоренного решения, %",
                                 lambda s: _share(s.total["fast_track"], s.total["received"])),
    "repeat_share": Function("доля повторных рассмотрений среди поступивших, %",
                             lambda s: _share(s.total["repeats"], s.total["received"])),
}
