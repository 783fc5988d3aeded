"""A large import file is streamed in batches, never read into memory: the rows are pulled from the
file as each batch needs them, the total is counted before the first batch, the progress moves batch
by batch, a killed import resumes by reading past what it committed, and the upload lands on disk
without the view reading it. (The memory figure of a 500 000-row file is in docs/integrations.md.)"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import timezone

from appeals.models import Appeal, ImportJob, QuarantinedItem
from appeals.sources import files
from appeals.sources.files import import_job_create, import_job_process
from tests.intake.test_files import HEADER, csv_bytes, rows, xlsx_bytes
from tests.personas import user

ROWS = 3_000
SMALL_BATCH = 100


@pytest.fixture
def watched(monkeypatch):
    """Patch BATCH small and watch the reader: at each batch, how many rows it had given, how far
    into the file it had read, and what the job said of its progress."""
    monkeypatch.setattr(files, "BATCH", SMALL_BATCH)
    seen = {"pulled": 0, "batches": [], "handle": None}
    real_read_rows, real_batch = files.read_rows, files._import_batch

    def read_rows(handle, name):
        encoding, total, stream = real_read_rows(handle, name)
        seen["handle"], seen["size"] = handle, handle.size

        def counted():
            for row in stream:
                seen["pulled"] += 1
                yield row

        return encoding, total, counted()

    def import_batch(job, batch, territory):
        held = ImportJob.objects.get(pk=job.pk)
        seen["batches"].append({"rows": len(batch), "pulled": seen["pulled"], "at": seen["handle"].tell(),
                                "received": held.received, "total": held.total})
        return real_batch(job, batch, territory)

    monkeypatch.setattr(files, "read_rows", read_rows)
    monkeypatch.setattr(files, "_import_batch", import_batch)
    return seen


def upload(data: bytes, name: str = "большой.csv") -> ImportJob:
    return import_job_create(uploaded=SimpleUploadedFile(name, data), by=user("cur_operator"))


def test_a_csv_is_read_batch_by_batch_as_the_import_goes(db, watched):
    job = upload(csv_bytes(rows(ROWS)))

    result = import_job_process(job_id=job.pk)

    assert (result["status"], result["total"], result["received"], result["created"]) == ("done", ROWS, ROWS, ROWS)
    batches = watched["batches"]
    assert [b["rows"] for b in batches] == [SMALL_BATCH] * (ROWS // SMALL_BATCH)
    for n, batch in enumerate(batches):
        # the reader has given exactly the rows of the batches so far: nothing read ahead, nothing kept
        assert batch["pulled"] == (n + 1) * SMALL_BATCH
        assert batch["received"] == n * SMALL_BATCH and batch["total"] == ROWS  # counted before the first
    assert batches[0]["at"] < watched["size"] / 10  # the first batch is written with most of the file unread
    assert batches[len(batches) // 2]["at"] < watched["size"] * 0.7
    assert Appeal.objects.filter(channel="letter").count() == ROWS


def test_a_workbook_is_read_batch_by_batch_and_its_declared_size_corrected(db, watched):
    header = ["Номер", "Дата поступления", "Текст"]
    records = [[f"К-{n}", "05.10.2026 10:00", f"Нет света в подъезде дома {n}"] for n in range(1_000)]
    records[500:500] = [[None, None, None]] * 20  # blank lines the sheet's size counts and the import skips
    job = upload(xlsx_bytes([header, *records]), name="реестр.xlsx")

    result = import_job_process(job_id=job.pk)

    batches = watched["batches"]
    assert batches[0]["total"] == 1_020 and batches[0]["pulled"] == SMALL_BATCH
    assert all(b["pulled"] == (n + 1) * SMALL_BATCH for n, b in enumerate(batches))
    assert (result["status"], result["total"], result["received"], result["created"]) == ("done", 1_000, 1_000,
                                                                                        1_000)


def test_a_killed_import_reads_past_its_committed_rows_without_importing_them_again(db, monkeypatch):
    monkeypatch.setattr(files, "BATCH", SMALL_BATCH)
    job = upload(csv_bytes(rows(1_000)))
    parsed, real_parse, real_batch = [], files.parse_file_row, files._import_batch
    calls = []

    def parse(values, territory, **kwargs):
        parsed.append(values)
        return real_parse(values, territory, **kwargs)

    def dying(job_, batch, territory):
        calls.append(len(batch))
        if len(calls) == 4:
            raise SystemExit("worker killed")  # the job stays running, as after SIGKILL
        return real_batch(job_, batch, territory)

    monkeypatch.setattr(files, "parse_file_row", parse)
    monkeypatch.setattr(files, "_import_batch", dying)
    with pytest.raises(SystemExit):
        import_job_process(job_id=job.pk)
    assert ImportJob.objects.get(pk=job.pk).received == 300 and len(parsed) == 300

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(files, "_import_batch", real_batch)
    parsed.clear()
    result = import_job_process(job_id=job.pk)

    assert len(parsed) == 700  # the first 300 rows were read past, not parsed and written again
    assert (result["status"], result["received"], result["created"], result["unchanged"]) == ("done", 1_000, 1_000, 0)


def test_a_quote_left_open_swallows_no_more_than_the_field_limit(db, monkeypatch):
    monkeypatch.setattr(files, "MAX_FIELD_CHARS", 10_000)
    good = csv_bytes(rows(3))
    tail = "".join(f"ВХ-{n};appeal;letter;01.10.2026;;Текст строки {n};Иванов\n" for n in range(100, 600))
    data = good + b'BAD;appeal;letter;01.10.2026;;"open quote;X\n' + tail.encode()

    job = upload(data)
    import_job_process(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == "done"
    # the reader gave up on the field at the limit and went on: the rows after it are in …
    assert job.created > 3 and Appeal.objects.filter(external_id="ВХ-599").exists()
    # … and what the field swallowed waits in the quarantine, raw: every line of the file is somewhere
    swallowed = QuarantinedItem.objects.get(import_job=job, reason__contains="field limit")
    kept = json.loads(swallowed.payload)["_raw"]
    assert kept.startswith('BAD;appeal;letter;01.10.2026;;"open quote') and len(kept) > 10_000
    stored = set(Appeal.objects.values_list("external_id", flat=True))
    assert all(f"ВХ-{n};" in kept or f"ВХ-{n}" in stored for n in range(100, 600))


def test_a_file_without_line_ends_is_never_read_as_one_line(db, monkeypatch):
    monkeypatch.setattr(files, "MAX_FIELD_CHARS", 10_000)
    longest, real_reader = [0], files.csv.reader

    def reader(lines, **kwargs):
        def measured():
            for line in lines:
                longest[0] = max(longest[0], len(line))
                yield line

        return real_reader(measured(), **kwargs)

    monkeypatch.setattr(files.csv, "reader", reader)
    job = upload(csv_bytes(rows(2)) + b"y" * 300_000)

    result = import_job_process(job_id=job.pk)

    assert result["status"] == "done" and result["created"] == 2 and result["quarantined"] >= 1
    assert 0 < longest[0] <= 10_000


def test_a_big_upload_goes_to_a_temporary_file_and_is_moved_not_read(client, db, monkeypatch, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    data = csv_bytes(rows(1_000))
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    received, reads = [], []
    real_create = files.import_job_create

    def create(*, uploaded, by):
        received.append(type(uploaded))
        real_read = uploaded.file.read
        uploaded.file.read = lambda *args: reads.append(args) or real_read(*args)
        return real_create(uploaded=uploaded, by=by)

    monkeypatch.setattr("appeals.intake.views.import_job_create", create)
    client.force_login(user("cur_operator"))

    response = client.post("/appeals/import/", {"file": SimpleUploadedFile("реестр.csv", data)})

    assert response.status_code == 302, response.content.decode()[:500]
    assert received == [TemporaryUploadedFile] and reads == []  # on disk from the start, moved into place
    job = ImportJob.objects.get()
    with job.file.open("rb") as stored:
        assert stored.read() == data


@pytest.mark.parametrize("name, limit", [("реестр.csv", "MAX_FILE_BYTES"), ("реестр.xlsx", "MAX_XLSX_BYTES")])
def test_a_file_over_its_limit_fails_before_a_row_is_read(db, monkeypatch, name, limit):
    monkeypatch.setattr(files, limit, 1_000)
    data = csv_bytes(rows(20)) if name.endswith(".csv") else xlsx_bytes([HEADER, *[list(r.values()) for r in rows(20)]])
    job = upload(data, name=name)

    result = import_job_process(job_id=job.pk)

    assert result["status"] == "failed" and "файл больше" in result["error"] and result["received"] == 0
    assert ("сохраните как CSV" in result["error"]) == name.endswith(".xlsx")
