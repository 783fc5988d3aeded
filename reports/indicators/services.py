"""Writes of the indicator reports: the catalogue (seed, import), a report opened with its computed values, the
МЦУ's hand-entered values and comments, submit → accept / return → resubmit — each step a ReportEvent — and the
daily job that opens the reports due, reminds the МЦУ before the date and marks them overdue after it.

Who: only a МЦУ submits its own report (REPORT_SUBMIT, in its own centre); only the ЦУР of the region accepts or
returns it (REPORT_REVIEW, in the region's ЦУР). The services check it; a view, an import or a task cannot skip it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from cur.models import Centre, Membership
from cur.notifications import staff_notify
from cur.periods import CalendarPeriod
from cur.permissions import REPORT_REVIEW, REPORT_SUBMIT, Forbidden, require, require_own_centre
from cur.scoping import membership_of
from reports.indicators.functions import FUNCTIONS, period_sums
from reports.indicators.periods import due_date, period_bounds, periods_in_question
from reports.models import Indicator, IndicatorReport, IndicatorValue, ReportEvent

SEED = Path(__file__).resolve().parent.parent / "data" / "indicators.csv"
Status = IndicatorReport.Status
REMIND_DAYS = (7, 3, 1)  # reminders this many days before the due date


class ReportRefused(Exception):
    """The step is not allowed now (status, missing values, a stale page); nothing changed."""


# --- the catalogue ---------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


COLUMNS = ("code", "name", "unit", "method", "function", "target", "direction", "effective_from")


def _rows_of(name: str, content: bytes) -> list[dict]:
    if name.lower().endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        head = [str(h or "").strip().lower() for h in rows[0]] if rows else []
        return [{h: ("" if v is None else v) for h, v in zip(head, row, strict=False)} for row in rows[1:]
                if any(v not in (None, "") for v in row)]
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t") if text.strip() else csv.excel
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text), dialect=dialect)]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return datetime.strptime(text, "%d.%m.%Y").date() if "." in text else date.fromisoformat(text)


def _indicator_fields(row: dict, *, preliminary: bool) -> dict:
    """The catalogue fields of one row, or ValueError with the reason in Russian."""
    missing = [c for c in ("code", "name", "unit", "method", "effective_from") if not str(row.get(c, "")).strip()]
    if missing:
        raise ValueError(f"не заполнено: {', '.join(missing)}")
    method = str(row["method"]).strip()
    if method not in Indicator.Method.values:
        raise ValueError(f"способ «{method}»: допустимы computed или manual")
    function = str(row.get("function", "")).strip()
    if method == "computed" and function not in FUNCTIONS:
        raise ValueError(f"функция расчёта «{function}» неизвестна; есть: {', '.join(sorted(FUNCTIONS))}")
    if method == "manual" and function:
        raise ValueError("у вносимого вручную показателя функции расчёта нет")
    direction = str(row.get("direction", "") or "info").strip()
    if direction not in Indicator.Direction.values:
        raise ValueError(f"направление «{direction}»: допустимы higher, lower, info")
    target = str(row.get("target", "")).strip().replace(",", ".")
    try:
        effective_from = _as_date(row["effective_from"])
        effective_to = _as_date(row["effective_to"]) if str(row.get("effective_to", "")).strip() else None
        target_value = Decimal(target) if target else None
    except (ValueError, InvalidOperation) as error:
        raise ValueError(f"дата или число не читаются: {error}") from None
    return {"code": str(row["code"]).strip(), "name": str(row["name"]).strip(), "unit": str(row["unit"]).strip(),
            "method": method, "function": function, "target": target_value, "direction": direction,
            "effective_from": effective_from, "effective_to": effective_to,
            "source": str(row.get("source", "")).strip()[:300],
            "position": int(row.get("position") or 100), "is_preliminary": preliminary}


@transaction.atomic
def indicators_import(*, region, name: str, content: bytes, by, preliminary: bool = False) -> ImportReport:
    """Load a catalogue from a CSV or XLSX file with the columns COLUMNS (headers by name, any order): each row
    creates or updates the indicator (region, code, effective_from). A bad row is skipped and named with its
    reason; the others are loaded. The official list is loaded with `preliminary` off."""
    require_review(by, region)
    report = ImportReport()
    try:
        rows = _rows_of(name, content)
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError) as error:
        report.errors.append(f"файл не читается: {error}")
        return report
    for line, row in enumerate(rows, start=2):
        try:
            fields = _indicator_fields(row, preliminary=preliminary)
        except ValueError as error:
            report.errors.append(f"строка {line}: {error}")
            continue
        _, created = Indicator.objects.update_or_create(
            region=region, code=fields.pop("code"), effective_from=fields.pop("effective_from"), defaults=fields)
        report.created += created
        report.updated += not created
    return report


def indicators_load_seed(*, region) -> int:
    """The preliminary catalogue (reports/data/indicators.csv: ANALYTICS §1 and §7) for a region without one."""
    if Indicator.objects.filter(region=region).exists():
        return 0
    return indicators_import(region=region, name=SEED.name, content=SEED.read_bytes(), by=None,
                             preliminary=True).created


def indicators_in_force(region, first: date, last: date):
    """The catalogue of a period: indicators in force on any of its days."""
    return (Indicator.objects.filter(region=region, effective_from__lte=last)
            .exclude(effective_to__lt=first).order_by("position", "code"))


# --- who may ------------------------------------------------------------------------------------------------

def require_review(by, region) -> None:
    """The ЦУР of `region` (its members with REPORT_REVIEW) reviews the reports and keeps the catalogue."""
    if by is None or getattr(by, "is_superuser", False):
        return
    require(by, REPORT_REVIEW, message="Принимает и возвращает отчёты ЦУР.")
    membership = membership_of(by)
    if membership.centre is None or membership.centre.level != Centre.Level.REGION \
            or membership.centre.region_id != region.pk:
        raise Forbidden("Принимает и возвращает отчёты МЦУ только ЦУР их региона.")


def require_submitter(by, centre: Centre) -> None:
    require_own_centre(by, REPORT_SUBMIT, centre, message="Отчёт заполняет и направляет МЦУ.")


# --- a report -----------------------------------------------------------------------------------------------

def _event(report, kind: str, *, by, at: datetime, old: str = "", new: str = "", note: str = "") -> ReportEvent:
    return ReportEvent.objects.create(report=report, at=at, actor=by if getattr(by, "pk", None) else None,
                                      kind=kind, old_status=old, new_status=new, note=note)


@transaction.atomic
def report_open(*, centre: Centre, kind: str, first: date, by=None) -> IndicatorReport:
    """The МЦУ's report of the period containing `first`, created with its indicators and computed values; an
    existing one is returned as it is."""
    if centre.level != Centre.Level.MUNICIPAL:
        raise ReportRefused("Отчёты о показателях представляют МЦУ.")
    if by is not None:
        require_submitter(by, centre)
    period_first, period_last = period_bounds(kind, first)
    report, created = IndicatorReport.objects.get_or_create(
        centre=centre, kind=kind, period_first=period_first,
        defaults={"region": centre.region, "period_last": period_last,
                  "due_date": due_date(region=centre.region, kind=kind, first=period_first)})
    if created:
        now = timezone.now()
        _event(report, ReportEvent.Kind.OPENED, by=by, at=now, new=report.status)
        IndicatorValue.objects.bulk_create(IndicatorValue(report=report, indicator=indicator) for indicator in
                                           indicators_in_force(centre.region, period_first, period_last))
        _compute(report, by=by, at=now)
    return report


def _compute(report: IndicatorReport, *, by, at: datetime) -> int:
    sums = period_sums(report.centre, CalendarPeriod(report.kind, report.period_first, report.period_last))
    values = list(report.values.select_related("indicator").filter(indicator__method=Indicator.Method.COMPUTED))
    for value in values:
        value.value, value.computed_at = FUNCTIONS[value.indicator.function].compute(sums), at
    IndicatorValue.objects.bulk_update(values, ["value", "computed_at"])
    _event(report, ReportEvent.Kind.COMPUTED, by=by, at=at, note=f"рассчитано показателей: {len(values)}")
    return len(values)


def _locked(report: IndicatorReport, expected_version: int | None) -> IndicatorReport:
    fresh = IndicatorReport.objects.select_for_update().select_related("centre", "region").get(pk=report.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise ReportRefused("Отчёт изменили, пока вы его читали: откройте его заново.")
    return fresh


def _bump(report: IndicatorReport, fields: list[str]) -> None:
    report.version += 1
    report.save(update_fields=[*fields, "version"])


@transaction.atomic
def report_recompute(*, report: IndicatorReport, by, expected_version: int | None = None) -> IndicatorReport:
    """The computed values again from the rollups (a draft or a returned report only)."""
    fresh = _locked(report, expected_version)
    require_submitter(by, fresh.centre)
    if not fresh.is_open:
        raise ReportRefused("Отчёт направлен в ЦУР: значения не пересчитываются.")
    _compute(fresh, by=by, at=timezone.now())
    _bump(fresh, [])
    return fresh


@transaction.atomic
def report_values_save(*, report: IndicatorReport, by, entries: dict[int, tuple[str, str]],
                       expected_version: int | None = None) -> IndicatorReport:
    """The МЦУ's values of the hand-entered indicators and its comments: indicator id → (value text, comment).
    A computed value is never typed over; a value that is not a number is refused with the indicator named."""
    fresh = _locked(report, expected_version)
    require_submitter(by, fresh.centre)
    if not fresh.is_open:
        raise ReportRefused("Отчёт направлен в ЦУР: его значения не меняются, пока ЦУР не вернёт его.")
    now, changed = timezone.now(), []
    for value in fresh.values.select_related("indicator"):
        if value.indicator_id not in entries:
            continue
        typed, comment = entries[value.indicator_id]
        new_value = value.value
        if value.indicator.method == Indicator.Method.MANUAL:
            text = (typed or "").strip().replace(",", ".").replace(" ", "")
            try:
                new_value = Decimal(text) if text else None
            except InvalidOperation:
                raise ReportRefused(f"«{value.indicator.name}»: «{typed}» — не число.") from None
        comment = (comment or "").strip()
        if new_value != value.value or comment != value.comment:
            words = f"{value.indicator.code}: {value.value if value.value is not None else '—'} → " \
                    f"{new_value if new_value is not None else '—'}" if new_value != value.value else \
                    f"{value.indicator.code}: комментарий"
            value.value, value.comment = new_value, comment
            changed.append(value)
            _event(fresh, ReportEvent.Kind.EDITED, by=by, at=now, note=words)
    IndicatorValue.objects.bulk_update(changed, ["value", "comment"])
    _bump(fresh, [])
    return fresh


@transaction.atomic
def report_submit(*, report: IndicatorReport, by, expected_version: int | None = None) -> IndicatorReport:
    """The МЦУ sends its report to the ЦУР: every hand-entered value must be there."""
    fresh = _locked(report, expected_version)
    require_submitter(by, fresh.centre)
    if not fresh.is_open:
        raise ReportRefused(f"Отчёт уже {fresh.get_status_display()}.")
    empty = [v.indicator.name for v in fresh.values.select_related("indicator")
             if v.indicator.method == Indicator.Method.MANUAL and v.value is None]
    if empty:
        raise ReportRefused("Не заполнены показатели: " + "; ".join(empty) + ".")
    now, old = timezone.now(), fresh.status
    fresh.status, fresh.submitted_at = Status.SUBMITTED, now
    _bump(fresh, ["status", "submitted_at"])
    late = f"позже срока ({fresh.due_date:%d.%m.%Y})" if timezone.localdate(now) > fresh.due_date else ""
    _event(fresh, ReportEvent.Kind.SUBMITTED, by=by, at=now, old=old, new=fresh.status, note=late)
    _notify(_region_reviewers(fresh), f"Отчёт МЦУ направлен в ЦУР: {fresh}", fresh.get_absolute_url(), now)
    return fresh


@transaction.atomic
def report_accept(*, report: IndicatorReport, by, expected_version: int | None = None) -> IndicatorReport:
    fresh = _locked(report, expected_version)
    require_review(by, fresh.region)
    if fresh.status != Status.SUBMITTED:
        raise ReportRefused("Принять можно только направленный в ЦУР отчёт.")
    now, old = timezone.now(), fresh.status
    fresh.status, fresh.reviewed_at = Status.ACCEPTED, now
    _bump(fresh, ["status", "reviewed_at"])
    _event(fresh, ReportEvent.Kind.ACCEPTED, by=by, at=now, old=old, new=fresh.status)
    _notify(_centre_staff(fresh.centre), f"ЦУР принял отчёт: {fresh}", fresh.get_absolute_url(), now)
    return fresh


@transaction.atomic
def report_return(*, report: IndicatorReport, by, reason: str, expected_version: int | None = None) -> IndicatorReport:
    """The ЦУР returns the report with the reason; the МЦУ corrects and submits it again."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportRefused("Укажите, что исправить: причина возврата обязательна.")
    fresh = _locked(report, expected_version)
    require_review(by, fresh.region)
    if fresh.status != Status.SUBMITTED:
        raise ReportRefused("Вернуть можно только направленный в ЦУР отчёт.")
    now, old = timezone.now(), fresh.status
    fresh.status, fresh.reviewed_at, fresh.return_reason = Status.RETURNED, now, reason
    _bump(fresh, ["status", "reviewed_at", "return_reason"])
    _event(fresh, ReportEvent.Kind.RETURNED, by=by, at=now, old=old, new=fresh.status, note=reason)
    _notify(_centre_staff(fresh.centre), f"ЦУР вернул отчёт на доработку: {fresh}", fresh.get_absolute_url(), now)
    return fresh


# --- reminders ------------------------------------------------------------------------------------------

SUBMITTERS = (Membership.Role.HEAD, Membership.Role.OPERATOR, Membership.Role.IM_POS_OFFICER)


def _centre_staff(centre: Centre) -> list[int]:
    return list(Membership.objects.filter(centre=centre, role__in=SUBMITTERS).values_list("user_id", flat=True))


def _region_reviewers(report: IndicatorReport) -> list[int]:
    return list(Membership.objects.filter(centre__region_id=report.region_id, centre__level=Centre.Level.REGION,
                                          role__in=(*SUBMITTERS, Membership.Role.CURATOR))
                .values_list("user_id", flat=True))


def _notify(user_ids: list[int], title: str, url: str, at: datetime) -> None:
    staff_notify(user_ids, title=title, url=url, at=at)


@dataclass(frozen=True)
class ReminderReport:
    opened: int
    reminded: int
    overdue: int


def reports_remind(*, today: date) -> ReminderReport:
    """Daily: the reports in question (periods_in_question) opened for every МЦУ; each still open is reminded
    REMIND_DAYS before its due date and marked overdue the day after it — once each (the events say so)."""
    opened = reminded = overdue = 0
    now = timezone.now()
    for centre in Centre.objects.filter(level=Centre.Level.MUNICIPAL).select_related("region"):
        for kind, first in periods_in_question(today):
            existed = IndicatorReport.objects.filter(centre=centre, kind=kind, period_first=first).exists()
            report = report_open(centre=centre, kind=kind, first=first)
            opened += not existed
            if not report.is_open:
                continue
            left = (report.due_date - today).days
            with transaction.atomic():
                if left in REMIND_DAYS:
                    note = f"до срока {left} дн. ({report.due_date:%d.%m.%Y})"
                    if not report.events.filter(kind=ReportEvent.Kind.REMINDED, note=note).exists():
                        _event(report, ReportEvent.Kind.REMINDED, by=None, at=now, note=note)
                        _notify(_centre_staff(centre), f"Срок отчёта — {report.due_date:%d.%m.%Y}: {report}",
                                report.get_absolute_url(), now)
                        reminded += 1
                elif left < 0 and not report.events.filter(kind=ReportEvent.Kind.OVERDUE).exists():
                    _event(report, ReportEvent.Kind.OVERDUE, by=None, at=now,
                           note=f"срок {report.due_date:%d.%m.%Y} пропущен")
                    _notify(_centre_staff(centre) + _region_reviewers(report), f"Отчёт не представлен в срок: {report}",
                            report.get_absolute_url(), now)
                    overdue += 1
    return ReminderReport(opened=opened, reminded=reminded, overdue=overdue)
