"""Exports of the queue (CSV and XLSX): the filtered list of the user's scope, one row per appeal, the
same columns in both. A small selection is written in the request (streamed: the rows never sit in
memory); above CUR_EXPORT_SYNC_MAX rows the export is an ExportJob run by the Celery task
`appeals.export_run`, with progress, and its file is downloaded by its owner only (export_views.py).

Files leave the system (they are mailed, shared, opened on other computers), so they carry no personal
data for any role: no citizen's columns, and the title masked (appeals/privacy.py) whoever exports.

Every cell is neutralised against formulas (cur/spreadsheets.py), in both formats alike.
"""

from __future__ import annotations

import csv
import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from openpyxl import Workbook

from appeals.models import Appeal, ExportJob
from appeals.privacy import visible_summary, visible_text
from appeals.tasks import export_run
from appeals.workspace.filters import AppealFilter, filter_query_normalize
from appeals.workspace.selectors import appeal_filtered
from cur.scoping import region_of
from cur.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_text, xlsx_cell  # noqa: F401 — the views read the types here
from rollups.area_drill import AreaDrill, describe
from rollups.selectors import Drill

log = logging.getLogger(__name__)

COLUMNS = [
    ("number", "Номер"), ("received_at", "Поступило"), ("kind", "Вид"), ("channel", "Канал"),
    ("status", "Статус"), ("sector", "Тематика"), ("subtopic", "Подтема"), ("municipality", "МО"),
    ("settlement", "Населённый пункт"), ("address", "Адрес"), ("agency", "Исполнитель"),
    ("due_at", "Срок"), ("is_overdue", "Просрочено"), ("satisfaction", "Оценка"), ("title", "Суть"),
]
WIDTHS = {"number": 10, "received_at": 17, "due_at": 17, "title": 60, "address": 36, "agency": 36}
# Labels of the filters on the sheet where the queue's own label needs its neighbour to be understood.
CONDITION_LABELS = {"received_to": "Поступили по"}
PROGRESS_EVERY = 1_000  # rows between two progress updates of a job (one UPDATE each)
STALE = timedelta(hours=1)  # a running job not finished by then lost its worker (Redis redelivers after 1 h)


def export_sync_max() -> int:
    """Rows an export may have to be written in the request; above it a background job writes it."""
    return int(getattr(settings, "CUR_EXPORT_SYNC_MAX", 5_000))


def _local(moment: datetime | None, zone: tzinfo) -> datetime | None:
    # Excel has no time zones: the region's wall-clock time, as the queue shows it
    return timezone.localtime(moment, zone).replace(tzinfo=None) if moment else None


def export_values(appeal: Appeal, *, zone: tzinfo) -> list:
    """One appeal as the typed values of a row of COLUMNS: text, dates (the region's local time) or None."""
    return [
        appeal.number, _local(appeal.received_at, zone), appeal.get_kind_display(), appeal.get_channel_display(),
        appeal.get_status_display(), str(appeal.sector or ""), str(appeal.subtopic or ""),
        str(appeal.municipality or ""), str(appeal.settlement or ""), visible_text(appeal.address, personal=False),
        str(appeal.agency or ""), _local(appeal.due_at, zone), "да" if appeal.is_overdue else "",
        appeal.get_satisfaction_display(), visible_summary(appeal, personal=False),
    ]


def export_row(appeal: Appeal, *, zone: tzinfo | None = None) -> list[str]:
    """One appeal as the CSV cells of a row of COLUMNS, neutralised."""
    return [csv_text(value) for value in export_values(appeal, zone=zone or timezone.get_current_timezone())]


class _Echo:
    def write(self, value):
        return value


def csv_lines(appeals: Iterable[Appeal], *, zone: tzinfo | None = None) -> Iterator[str]:
    """The CSV (semicolons, a BOM for Excel) line by line."""
    zone = zone or timezone.get_current_timezone()
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly
    yield writer.writerow([title for _, title in COLUMNS])
    for appeal in appeals:
        yield writer.writerow(export_row(appeal, zone=zone))


# --- the conditions written on the sheet --------------------------------------------------------------------


def _condition_value(field, value):
    choices = getattr(field, "choices", None)
    if isinstance(value, bool):
        return "да" if value else "нет"
    if hasattr(value, "_meta"):  # a chosen row (МО, body, subtopic) — from the user's own scope
        return str(value)
    if isinstance(value, Drill):  # a figure of a rating
        return f"{value.label}, {value.first:%d.%m.%Y} – {value.last:%d.%m.%Y}"
    if isinstance(value, AreaDrill):  # a figure of the heat map or a slice
        return describe(value)
    if choices is not None and not isinstance(value, date | Decimal | int):
        return str(dict((str(k), v) for k, v in choices).get(str(value), value))
    return value


def export_conditions(*, user, params) -> list[tuple[str, object]]:
    """The filters of the export as (label, value) in the queue's words: «Статус — Новое», «МО — …»."""
    form = AppealFilter(params or {}, queryset=Appeal.objects.none(), user=user).form
    if not form.is_valid():
        return []
    conditions = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value is None or value == "" or value == []:
            continue
        conditions.append((CONDITION_LABELS.get(name, str(field.label)), _condition_value(field, value)))
    return conditions


def _who(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def xlsx_write(appeals: Iterable[Appeal], file, *, user, params, zone: tzinfo, at: datetime | None = None,
               progress=None) -> int:
    """Write the XLSX into `file`: first «Условия выгрузки» (the filters, who, when), then the table.
    openpyxl's write-only workbook keeps the rows on disk as they are added, so memory stays flat whatever
    the number of rows. `progress(written)` is called every PROGRESS_EVERY rows. Returns the rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обращения")
    for index, (name, _) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = WIDTHS.get(name, 18)
    conditions = export_conditions(user=user, params=params)
    sheet.append([xlsx_cell(sheet, "Условия выгрузки:", bold=True)])
    for label, value in conditions or [("Фильтры", "не заданы — все обращения, доступные пользователю")]:
        sheet.append([xlsx_cell(sheet, label), xlsx_cell(sheet, value)])
    sheet.append([xlsx_cell(sheet, "Выгрузил"), xlsx_cell(sheet, _who(user))])
    sheet.append([xlsx_cell(sheet, "Сформировано"), xlsx_cell(sheet, _local(at or timezone.now(), zone)),
                  xlsx_cell(sheet, f"время {zone}")])
    sheet.append([])
    sheet.append([xlsx_cell(sheet, title, bold=True) for _, title in COLUMNS])
    written = 0
    for appeal in appeals:
        sheet.append([xlsx_cell(sheet, value) for value in export_values(appeal, zone=zone)])
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    workbook.save(file)
    return written


def xlsx_file(appeals: Iterable[Appeal], *, user, params):
    """The XLSX of a small selection in a temporary file, positioned at its start (the request's zone)."""
    file = tempfile.TemporaryFile()
    xlsx_write(appeals, file, user=user, params=params, zone=timezone.get_current_timezone())
    file.seek(0)
    return file


# --- large selections: a background job ---------------------------------------------------------------------


def export_is_large(appeals: QuerySet[Appeal]) -> bool:
    """Whether the selection has more than export_sync_max() rows — counted only up to one more than that."""
    limit = export_sync_max()
    return appeals.order_by().values("pk")[:limit + 1].count() > limit


@transaction.atomic
def export_job_create(*, user, format: str, params) -> ExportJob:
    """Queue the export of the user's filtered list; the task starts once the job is committed. The job
    keeps the filters (normalised, as a saved view does), never the rows: the task reads them through the
    same scope, as the user may see them when it runs."""
    if format not in ExportJob.Format.values:
        raise ValidationError("Неизвестный формат выгрузки.")
    query = filter_query_normalize(params.urlencode() if hasattr(params, "urlencode") else "")
    if len(query) > ExportJob._meta.get_field("query").max_length:
        raise ValidationError("Условия выгрузки слишком длинные — сократите текст поиска.")
    job = ExportJob.objects.create(user=user, format=format, query=query)
    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def _zone_of(user) -> tzinfo:
    region = region_of(user)
    return ZoneInfo(region.timezone) if region is not None else timezone.get_default_timezone()


def export_job_process(*, job_id: int) -> dict:
    """Write one export job's file (claimed by a conditional update: a redelivered task is a no-op while
    another worker runs it; a job whose worker died is taken over after STALE and written anew)."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(
        Q(status=ExportJob.Status.QUEUED) | Q(status=ExportJob.Status.RUNNING, started_at__lt=now - STALE),
        pk=job_id,
    ).update(status=ExportJob.Status.RUNNING, started_at=now, written=0, error="")
    if claimed != 1:
        return {"job": job_id, "skipped": "not queued"}
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    zone = _zone_of(job.user)
    params = QueryDict(job.query)

    def progress(written: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(written=written)

    try:
        # the filters' days («за неделю», «с 1 ноября») and the dates written are the user's region's
        with timezone.override(zone), tempfile.TemporaryFile() as file:
            appeals = appeal_filtered(user=job.user, params=params)
            ExportJob.objects.filter(pk=job.pk).update(total=appeals.count())
            rows = appeals.iterator(chunk_size=2000)
            if job.format == ExportJob.Format.XLSX:
                written = xlsx_write(rows, file, user=job.user, params=params, zone=zone, at=now, progress=progress)
            else:
                written = _csv_write(rows, file, zone=zone, progress=progress)
            file.seek(0)
            job.file.save(f"appeals-{uuid.uuid4().hex}.{job.format}", File(file), save=False)
    except Exception as error:  # never a silent stop: the job says what went wrong
        log.exception("export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"внутренняя ошибка: {error!r}"[:2000])
        return {"job": job.pk, "status": ExportJob.Status.FAILED}
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.DONE, file=job.file.name, written=written,
                                               total=written, finished_at=timezone.now())
    return {"job": job.pk, "status": ExportJob.Status.DONE, "written": written}


def _csv_write(appeals: Iterable[Appeal], file, *, zone: tzinfo, progress) -> int:
    written = -2  # the BOM and the header are not rows
    for line in csv_lines(appeals, zone=zone):
        file.write(line.encode("utf-8"))
        written += 1
        if written > 0 and written % PROGRESS_EVERY == 0:
            progress(written)
    return max(written, 0)


def export_job_get(*, user, pk: int) -> ExportJob:
    """One export job of the user's own, or 404: nobody else's file exists for them."""
    return get_object_or_404(ExportJob, pk=pk, user=user)


def export_download_name(job: ExportJob) -> str:
    return f"appeals-{timezone.localtime(job.created_at):%Y-%m-%d-%H%M}.{job.format}"
