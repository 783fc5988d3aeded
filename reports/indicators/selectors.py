"""Reads of the indicator reports: which a user may open (cur.scoping.scope_centres), one report as a table, and
the ЦУР's consolidated table of every МЦУ for a period — who submitted, who is late, the values side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from appeals.privacy import visible_text
from cur.models import Centre
from cur.scoping import scope_centres
from reports.indicators.periods import due_date, period_bounds, period_words
from reports.indicators.services import indicators_in_force
from reports.models import Indicator, IndicatorReport, IndicatorValue


def reports_visible(user) -> QuerySet[IndicatorReport]:
    return IndicatorReport.objects.filter(centre__in=scope_centres(Centre.objects.all(), user)).select_related(
        "centre", "region")


@dataclass
class ValueLine:
    indicator: Indicator
    value: IndicatorValue

    @property
    def meets_target(self) -> bool | None:
        """Whether the value reaches the target in the indicator's direction; None without a target or value."""
        target, value = self.indicator.target, self.value.value
        if target is None or value is None or self.indicator.direction == Indicator.Direction.INFO:
            return None
        return value >= target if self.indicator.direction == Indicator.Direction.HIGHER else value <= target


def report_lines(report: IndicatorReport, *, personal: bool) -> list[ValueLine]:
    """The report's values in the catalogue's order; the МЦУ's comments as the reader may see them (152-ФЗ: a
    comment is free text and may name a person)."""
    lines = [ValueLine(v.indicator, v) for v in report.values.select_related("indicator")]
    for line in lines:
        line.value.comment = visible_text(line.value.comment, personal=personal)
    return lines


@dataclass
class ConsolidatedRow:
    centre: Centre
    report: IndicatorReport | None
    due: date
    values: dict[int, IndicatorValue] = field(default_factory=dict)  # indicator id → value

    cells: list[IndicatorValue | None] = field(default_factory=list)  # in the table's indicator order
    overdue: bool = False

    def is_overdue(self, today: date) -> bool:
        return self.report.is_overdue(today) if self.report else today > self.due

    @property
    def status(self) -> str:
        return self.report.get_status_display() if self.report else "не начат"


@dataclass
class Consolidated:
    kind: str
    first: date
    last: date
    label: str
    indicators: list[Indicator]
    rows: list[ConsolidatedRow]


def consolidated(user, region, *, kind: str, first: date, today: date | None = None) -> Consolidated:
    """Every МЦУ of the region the user may read, for the period: its report (or none yet), and the values."""
    first, last = period_bounds(kind, first)
    centres = list(scope_centres(Centre.objects.filter(region=region, level=Centre.Level.MUNICIPAL), user)
                   .select_related("municipality").order_by("name"))
    reports = {r.centre_id: r for r in
               IndicatorReport.objects.filter(centre__in=centres, kind=kind, period_first=first)}
    values: dict[int, dict[int, IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(report__in=reports.values()):
        values.setdefault(value.report_id, {})[value.indicator_id] = value
    due = due_date(region=region, kind=kind, first=first)
    rows = [ConsolidatedRow(c, reports.get(c.pk), reports[c.pk].due_date if c.pk in reports else due,
                            values.get(reports[c.pk].pk, {}) if c.pk in reports else {}) for c in centres]
    indicators = list(indicators_in_force(region, first, last))
    today = today or timezone.localdate()
    for row in rows:
        row.cells = [row.values.get(i.pk) for i in indicators]
        row.overdue = row.is_overdue(today)
    return Consolidated(kind=kind, first=first, last=last, label=period_words(kind, first), indicators=indicators,
                        rows=rows)
