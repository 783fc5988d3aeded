"""File import: CSV and XLSX in the neutral format (docs/integrations.md, «Нейтральный формат файла»).

An upload becomes an ImportJob; the Celery task `appeals.tasks.import_job_run` reads the file as a
stream (the encoding — utf-8, cp1251, koi8-r — and the delimiter detected on its head), validates
every row and writes batches through `appeals_upsert`: a file of a million rows takes no more memory
than one batch. Each batch commits together with the job's counters, so the progress bar is exact
and a worker killed mid-import resumes after the last committed batch.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import BinaryIO

from charset_normalizer import from_bytes
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from appeals.intake.items import (
    IntakeItem,
    Invalid,
    OutOfTerritory,
    Rejected,
    Territory,
    attachment_links,
    clean_text,
    external_id_of,
    join_notes,
    moment,
    plausible_moment,
    short,
    to_json,
)
from appeals.intake.registry import Source, source_register
from appeals.intake.upsert import SOURCE_FIELDS, appeals_upsert, items_quarantine
from appeals.models import Channel, Importance, ImportJob, Kind
from appeals.tasks import import_job_run
from cur.permissions import intake_scope
from cur.scoping import SOURCE_CHANNELS, IntakeScope, OutsideTerritory, person_channels

log = logging.getLogger(__name__)

SOURCE = "file"
BATCH = 500
STALE = timedelta(minutes=10)  # a running job without a heartbeat this long was killed: take it over
# Read as a stream: the size costs disk and time, not memory (docs/integrations.md, the 500 000-row figure).
MAX_FILE_BYTES = 1024 * 1024 * 1024
# openpyxl reads a workbook's shared strings whole (≈ 9 MB of memory per MB of an Excel file): kept as before.
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_FIELD_CHARS = 16 * 1024 * 1024  # a quote left open swallows at most this much of the file into one field
HEAD_BYTES = 200_000  # the sample the encoding and the delimiter are detected on
COLUMNS = ("external_id", "kind", "channel", "received_at", "title", "text", "citizen_name", "citizen_email",
           "citizen_phone", "citizen_address", "municipality_oktmo", "settlement", "address", "importance",
           "source_url", "version", "attachments")
# Headers as people write them in a spreadsheet of a registry office.
ALIASES = {
    "номер": "external_id", "внешний номер": "external_id", "вид": "kind", "канал": "channel",
    "дата": "received_at", "дата поступления": "received_at", "поступило": "received_at", "тема": "title",
    "заголовок": "title", "текст": "text", "заявитель": "citizen_name", "фио": "citizen_name",
    "эл. почта": "citizen_email", "email": "citizen_email", "телефон": "citizen_phone",
    "почтовый адрес": "citizen_address", "октмо": "municipality_oktmo", "населённый пункт": "settlement",
    "населенный пункт": "settlement", "адрес": "address", "адрес проблемы": "address", "важность": "importance",
    "ссылка": "source_url", "версия": "version",
    # the addresses of the item's files (photos, scans), separated by spaces, commas, «;» or line breaks
    "вложения": "attachments", "файлы": "attachments",
}
# Not `pos` nor `incident`: their items come from their adapters only (cur.scoping.SOURCE_CHANNELS).
FILE_CHANNELS = {Channel.LETTER, Channel.EMAIL, Channel.PHONE, Channel.WEB, Channel.OPEN311}
ENCODINGS = ("utf_8", "cp1251", "koi8_r")


class FileUnreadable(Exception):
    """The file as a whole cannot be read (not a CSV / XLSX, too big): the job fails with the reason."""


@dataclass
class Row:
    line: int  # as the user sees it in the spreadsheet (the header is line 1)
    values: dict  # column → raw value
    error: str = ""  # a row the reader could not split (wrong number of fields …)


def read_rows(handle: BinaryIO, name: str) -> tuple[str, int, Iterator[Row]]:
    """(encoding, total, rows) of a CSV or XLSX file open in `handle` (seekable), FileUnreadable when it
    is neither. The rows are read lazily from the file, never all at once; `total` is counted in a
    first pass over a CSV (the reader alone, nothing kept); for a workbook it is the size its sheet
    declares (the job corrects it when done), counted only when the sheet declares none."""
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    workbook = head[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))
    limit = MAX_XLSX_BYTES if workbook else MAX_FILE_BYTES
    if size > limit:
        hint = " (книгу такого размера сохраните как CSV)" if workbook else ""
        raise FileUnreadable(f"файл больше {limit // 1024 // 1024} МБ{hint}")
    if not head.strip() and size <= len(head):
        raise FileUnreadable("файл пуст")
    if workbook:
        return "xlsx", *_xlsx_rows(handle)
    return _csv_rows(handle, head)


def encoding_of(head: bytes) -> tuple[str, str]:
    """(codec, name) of a file by its head: a BOM or valid UTF-8 first, otherwise the likelier of
    cp1251 and koi8-r. A stray byte further on that is not UTF-8 is replaced, the rest stays readable."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a letter cut at the sample's end
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(head, cp_isolation=list(ENCODINGS[1:])).best()
    encoding = best.encoding if best is not None else "cp1251"
    return encoding, encoding.replace("_", "-")


class _Lines:
    """The file's lines, decoded as they are read (line ends kept, as csv wants them; NULs dropped),
    and the raw lines of the record being read — what a row the reader cannot split is kept as."""

    def __init__(self, handle: BinaryIO, codec: str):
        handle.seek(0)
        self.handle = handle
        self.text = io.TextIOWrapper(handle, encoding=codec, errors="replace", newline="")
        self.record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        try:  # a "line" of a file without line ends is cut at the field limit: never the whole file at once
            while line := self.text.readline(MAX_FIELD_CHARS):
                line = line.replace("\x00", "") if "\x00" in line else line
                self.record.append(line)
                yield line
        finally:
            if not self.handle.closed:  # the handle belongs to the caller: not closed with the wrapper
                self.text.detach()


def _header(cells) -> list[str]:
    names = []
    for cell in cells:
        key = " ".join(str(cell or "").strip().lower().split()).lstrip("\ufeff")
        names.append(ALIASES.get(key, key))
    if "text" not in names:
        raise FileUnreadable("в первой строке нет столбца text (или «Текст») — это не файл нейтрального формата")
    return names


def _csv_rows(handle: BinaryIO, head: bytes) -> tuple[str, int, Iterator[Row]]:
    codec, encoding = encoding_of(head)
    sample = head.decode(codec, "replace").replace("\x00", "")
    try:
        delimiter = csv.Sniffer().sniff(sample[:65536], delimiters=";,\t|").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
    csv.field_size_limit(MAX_FIELD_CHARS)
    lines = _Lines(handle, codec)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    try:
        names = _header(next(reader))
    except StopIteration as error:
        raise FileUnreadable("файл пуст") from error
    except csv.Error as error:
        raise FileUnreadable(f"первая строка не читается: {error}") from error
    total = sum(1 for _ in _csv_records(reader, lines, names, delimiter))
    lines = _Lines(handle, codec)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    next(reader)  # the header, read above
    return encoding, total, _csv_records(reader, lines, names, delimiter)


def _csv_records(reader, lines: _Lines, names: list[str], delimiter: str) -> Iterator[Row]:
    while True:
        line = reader.line_num + 1
        lines.record = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # its raw lines are kept (a quote left open: at most MAX_FIELD_CHARS)
            yield Row(line=line, values={"_raw": "".join(lines.record)}, error=f"строка не разбирается: {error}")
            continue
        if not any(c.strip() for c in cells):
            continue
        row = _row(line, names, cells)
        if not row.error and _swallowed_rows(cells, delimiter, len(names)):
            row.error = "незакрытая кавычка: поле поглотило следующие строки файла (они в исходных данных)"
        yield row


def _swallowed_rows(cells: list[str], delimiter: str, columns: int) -> bool:
    """A quote left open takes the rest of the file into one field: lines inside a field that look
    like whole rows of the file give it away."""
    return columns > 2 and any(
        line.count(delimiter) >= columns - 1 for cell in cells if "\n" in cell for line in cell.split("\n")[1:]
    )


def _xlsx_rows(handle: BinaryIO) -> tuple[int, Iterator[Row]]:
    from openpyxl import load_workbook

    handle.seek(0)
    try:  # read-only: the sheet is parsed as it is iterated (its shared strings are read whole)
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileUnreadable(f"файл не читается как XLSX: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        try:
            names = _header(next(iterator))
        except StopIteration as error:
            raise FileUnreadable("в книге нет ни одной строки") from error
        declared = sheet.max_row
        total = declared - 1 if declared else sum(1 for _ in sheet.iter_rows(min_row=2, values_only=True))
    except FileUnreadable:
        workbook.close()
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged sheet
        workbook.close()
        raise FileUnreadable(f"лист книги не читается: {error}") from error
    return max(total, 0), _xlsx_records(workbook, iterator, names)


def _xlsx_records(workbook, iterator, names: list[str]) -> Iterator[Row]:
    try:
        for line, cells in enumerate(iterator, start=2):
            if not any(c not in (None, "") for c in cells):
                continue
            yield _row(line, names, list(cells))
    except Exception as error:  # a sheet damaged further on: the rows before it are in, the job says why
        raise FileUnreadable(f"лист книги не читается: {error}") from error
    finally:
        workbook.close()


def _row(line: int, names: list[str], cells: list) -> Row:
    values = {name: cell for name, cell in zip(names, cells, strict=False) if name}
    extra = [c for c in cells[len(names):] if c not in (None, "")]
    if extra:
        values["_extra"] = extra
        return Row(line=line, values=values, error=f"лишние поля в строке: {len(cells)} вместо {len(names)}")
    return Row(line=line, values=values)


def _cell_moment(value, *, name: str) -> datetime:
    """Dates as spreadsheets hold them: a datetime cell, ISO 8601, or «дд.мм.гггг [чч:мм]»."""
    if isinstance(value, datetime):
        return plausible_moment(value if timezone.is_aware(value) else timezone.make_aware(value), name=name)
    if isinstance(value, date):
        return plausible_moment(timezone.make_aware(datetime.combine(value, time())), name=name)
    text = str(value or "").strip()
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return moment(parsed.isoformat(), name=name)
    return moment(text, name=name)


def parse_file_row(values: dict, territory: Territory, *, within: IntakeScope | None = None,
                   channel: str | None = None) -> IntakeItem:
    """A row of the neutral format (a file row, a REST body) → IntakeItem. `within`: the writer's
    scope — a МЦУ's row without a municipality belongs to it, a row of another one is refused
    (OutOfTerritory). `channel` fixes the channel (REST create is always `api`). A source field whose
    column (or key) is missing is marked absent: an update keeps what is held there."""
    if not isinstance(values, dict):
        raise Invalid("строка должна быть объектом JSON со столбцами нейтрального формата")
    from_file = channel is None  # REST create names no files: only a file's «вложения» column is fetched
    kind = str(values.get("kind") or Kind.APPEAL).strip().lower()
    if kind not in Kind.values:
        raise Invalid(f"kind: неизвестный вид «{kind[:30]}» (ожидается {', '.join(Kind.values)})")
    allowed = FILE_CHANNELS if channel is None else {channel}
    channel = channel or str(values.get("channel") or Channel.LETTER).strip().lower()
    if channel in SOURCE_CHANNELS and channel not in allowed:
        raise Invalid(f"channel: канал «{channel}» принимается только от самого источника, не из файла")
    if channel not in allowed:
        raise Invalid(f"channel: неизвестный канал «{channel[:30]}»")
    importance = str(values.get("importance") or Importance.NORMAL).strip().lower()
    if importance not in Importance.values:
        raise Invalid(f"importance: неизвестная важность «{importance[:20]}»")
    text = clean_text(values.get("text"))
    received_at = _cell_moment(values.get("received_at"), name="received_at")
    citizen_name = short(values.get("citizen_name"), 300)
    raw_id = values.get("external_id")
    if raw_id in (None, ""):
        digest = hashlib.sha1(f"{received_at.isoformat()}|{citizen_name}|{text}".encode()).hexdigest()
        external_id = f"file-{digest[:24]}"  # the same row imported again is the same item
    else:
        external_id = external_id_of(str(raw_id).removesuffix(".0") if isinstance(raw_id, float) else raw_id,
                                     name="external_id")
    version = values.get("version")
    if version in (None, ""):
        version = None
    else:
        try:
            version = int(str(version).strip().removesuffix(".0"))
        except ValueError as error:
            raise Invalid(f"version: не целое число «{str(version)[:20]}»") from error
    oktmo = values.get("municipality_oktmo")
    oktmo = str(oktmo).strip().removesuffix(".0") if oktmo not in (None, "") else ""
    found, settlement_id, note = territory.place(oktmo=oktmo, settlement=values.get("settlement"))
    if within is not None:
        try:
            imposed = within.impose(found)
        except OutsideTerritory as error:
            raise OutOfTerritory(f"municipality_oktmo: МО {oktmo} — вне территории вашего МЦУ") from error
        if imposed != found:
            found, settlement_id = imposed, territory.settlement_in(imposed, values.get("settlement"))
    url = short(values.get("source_url"), 500)
    files, files_note = attachment_links(_addresses(values.get("attachments")) if from_file else None,
                                         name="attachments")
    return IntakeItem(
        channel=channel, kind=kind, external_id=external_id, received_at=received_at, text=text,
        title=short(values.get("title"), 300), importance=importance,
        source_url=url if url.startswith(("http://", "https://")) else "",
        citizen_name=citizen_name, citizen_email=short(values.get("citizen_email"), 254),
        citizen_phone=short(values.get("citizen_phone"), 32), citizen_address=short(values.get("citizen_address"), 300),
        municipality_id=found, settlement_id=settlement_id, address=short(values.get("address"), 300),
        source_version=version, note=join_notes(note, files_note), attachments=files,
        absent=frozenset(name for name in SOURCE_FIELDS if name not in values),
    )


def _addresses(cell) -> list[str] | None:
    """The addresses of a «вложения» cell: separated by blanks, commas, «;» or line breaks."""
    if cell in (None, ""):
        return None
    return [part for part in re.split(r"[\s,;]+", str(cell)) if part]


def _payload(row: Row) -> str:
    return to_json({"_line": row.line, **{k: _jsonable(v) for k, v in row.values.items()}})


def _jsonable(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@transaction.atomic
def import_job_create(*, uploaded, by) -> ImportJob:
    """Keep the uploaded file and queue its import in the territory of `by` (their region, and a МЦУ's
    municipality, fixed on the job: the rows are written within it whoever runs the task); the task
    starts once the job is committed. Forbidden for a role without the intake right."""
    within = intake_scope(by)
    if within.region_id is None:  # a superuser belongs to no centre: whose territory would the rows be?
        raise PermissionDenied("Файл загружает оператор центра — в территорию своего центра.")
    job = ImportJob(region_id=within.region_id, municipality_id=within.municipality_id,
                    original_name=uploaded.name[:255], created_by=by)
    job.file.save(uploaded.name, uploaded, save=False)
    job.save()
    transaction.on_commit(lambda: import_job_run.delay(job.pk))
    return job


def import_job_process(*, job_id: int) -> dict:
    """Run (or resume) one import. Claimed by a conditional update, so a redelivered task is a
    no-op while another worker runs the job; a job whose worker died is taken over after STALE."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        Q(status=ImportJob.Status.QUEUED) | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - STALE),
        pk=job_id,
    ).update(status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now)
    if claimed != 1:
        return {"job": job_id, "skipped": "not queued"}
    job = ImportJob.objects.select_related("region").get(pk=job_id)
    try:
        with job.file.open("rb") as handle:
            encoding, total, rows = read_rows(handle, job.original_name)
            ImportJob.objects.filter(pk=job.pk).update(encoding=encoding, total=total)
            territory = Territory.of(job.region)
            # resume after the last committed batch: the rows it counted are read past, not imported again
            for batch in _batches(islice(rows, job.received, None), BATCH):
                _import_batch(job, batch, territory)
    except (FileUnreadable, OSError) as error:
        return _finish(job, error=str(error))
    except Exception as error:  # never a crash without a report: the job says what stopped it
        log.exception("import job %s failed", job.pk)
        return _finish(job, error=f"внутренняя ошибка: {error!r}")
    return _finish(job)


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Lists of `size` rows taken from the stream as they are needed."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def _job_scope(job: ImportJob) -> IntakeScope:
    """Where an import writes: the territory of the centre that uploaded it, fixed on the job at
    upload (`municipality` for a МЦУ), in the person channels."""
    return IntakeScope(region_id=job.region_id, municipality_id=job.municipality_id, channels=person_channels())


@transaction.atomic
def _import_batch(job: ImportJob, rows: list[Row], territory: Territory) -> None:
    within = _job_scope(job)
    items, rejected, parsed = [], [], []
    for row in rows:
        try:
            if row.error:
                raise Invalid(row.error)
            item = parse_file_row(row.values, territory, within=within)
        except Invalid as error:
            rejected.append(_rejected(job, row, str(error)))
        else:
            items.append(item)
            parsed.append((row, item))
    written = appeals_upsert(region=job.region, items=items, rejected=rejected, import_job_id=job.pk,
                             by=job.created_by, within=within, source_label=f"Импорт «{job.original_name}»")
    refused = [_rejected(job, row, written.refused[key]) for row, item in parsed
               if (key := (item.channel, item.external_id)) in written.refused]
    if refused:  # a row the writer's scope refused waits in the quarantine like any broken row
        items_quarantine(region=job.region, rejected=refused, import_job_id=job.pk)
        rejected += refused
    ImportJob.objects.filter(pk=job.pk).update(
        received=F("received") + len(rows), created=F("created") + written.created,
        updated=F("updated") + written.updated, unchanged=F("unchanged") + written.unchanged,
        # a broken row already waiting (the same file imported twice) is counted, not added again
        quarantined=F("quarantined") + len(rejected), heartbeat_at=timezone.now(),
    )


def _rejected(job: ImportJob, row: Row, reason: str) -> Rejected:
    return Rejected(source=SOURCE, payload=_payload(row), reason=f"строка {row.line}: {reason}",
                    external_id=str(row.values.get("external_id") or "")[:200], municipality_id=job.municipality_id)


def _finish(job: ImportJob, *, error: str = "") -> dict:
    status = ImportJob.Status.FAILED if error else ImportJob.Status.DONE
    done = {} if error else {"total": F("received")}  # a workbook's declared size was an estimate (blank rows)
    ImportJob.objects.filter(pk=job.pk).update(status=status, error=error, finished_at=timezone.now(), **done)
    job.refresh_from_db()
    return {"job": job.pk, "status": job.status, "total": job.total, "received": job.received,
            "created": job.created, "updated": job.updated, "unchanged": job.unchanged,
            "quarantined": job.quarantined, "error": job.error}


source_register(Source(code=SOURCE, label="Файл (CSV, XLSX)", parse=parse_file_row, scoped_parse=True))
