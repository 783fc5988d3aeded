"""File import: CSV and XLSX in the neutral format, encodings detected, every bad input stored or
quarantined with a reason — never a crash, never lost."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from appeals.models import Appeal, AppealEvent, ImportJob, QuarantinedItem
from appeals.sources.files import import_job_create, import_job_process
from tests.personas import PESTRAVKA, TOLYATTI, user

HEADER = ["external_id", "kind", "channel", "received_at", "title", "text", "citizen_name", "citizen_address",
          "municipality_oktmo", "settlement", "address", "version"]
TEXTS = ["Во дворе дома 5 по ул. Молодёжной третью неделю не вывозят мусор, контейнеры переполнены",
         "Прошу отремонтировать дорогу на ул. Советской: ямы глубиной до 20 см, машины ломаются",
         "В поликлинике с. Пестравка нет записи к терапевту на ближайшие две недели"]


def rows(count: int = 3, **override) -> list[dict]:
    made = []
    for n in range(count):
        row = {"external_id": f"ВХ-{n + 1:04d}", "kind": "appeal", "channel": "letter",
               "received_at": f"{(n % 27) + 1:02d}.10.2026 10:15", "title": "", "text": TEXTS[n % 3],
               "citizen_name": "Петрова Анна Сергеевна", "citizen_address": "с. Пестравка, ул. Мира, д. 3, кв. 1",
               "municipality_oktmo": PESTRAVKA, "settlement": "с. Пестравка", "address": "ул. Молодёжная, д. 5",
               "version": ""}
        row.update(override)
        made.append(row)
    return made


def csv_bytes(records: list[dict], *, encoding: str = "utf-8", delimiter: str = ";", header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(records: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for record in records:
        sheet.append(record)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(data: bytes, name: str = "реестр.csv", username: str = "cur_operator") -> ImportJob:
    person = user(username)
    job = import_job_create(uploaded=SimpleUploadedFile(name, data), by=person)
    import_job_process(job_id=job.pk)
    job.refresh_from_db()
    return job


def reasons(job: ImportJob) -> list[str]:
    return list(QuarantinedItem.objects.filter(import_job=job).order_by("pk").values_list("reason", flat=True))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251", "koi8-r"])
def test_it_detects_the_encoding_and_takes_every_row_in(db, encoding):
    job = run_import(csv_bytes(rows(30), encoding=encoding))

    assert job.status == ImportJob.Status.DONE, job.error
    assert (job.total, job.received, job.created, job.quarantined) == (30, 30, 30, 0)
    assert job.encoding.replace("_", "-").lower() in {encoding.removesuffix("-sig"), "utf-8"}
    texts = set(Appeal.objects.filter(channel="letter").values_list("text", flat=True))
    assert texts == set(TEXTS)
    appeal = Appeal.objects.get(external_id="ВХ-0001")
    assert appeal.kind == "appeal" and appeal.municipality.oktmo == PESTRAVKA
    assert appeal.settlement.name == "Пестравка" and appeal.citizen_name == "Петрова Анна Сергеевна"
    assert appeal.registration_due_at is not None  # 59-ФЗ: three days to register


def test_an_xlsx_with_date_cells_and_numeric_oktmo_is_read(db):
    received = datetime(2026, 10, 5, 9, 30)
    job = run_import(xlsx_bytes([
        ["Номер", "Дата поступления", "Текст", "ФИО", "ОКТМО", "Канал"],
        ["П-1", received, TEXTS[0], "Иванов Иван", int(PESTRAVKA), "email"],
        ["П-2", received.date(), TEXTS[1], "Сидорова Ольга", float(PESTRAVKA), "phone"],
    ]), name="реестр.xlsx")

    assert (job.status, job.created, job.quarantined, job.encoding) == ("done", 2, 0, "xlsx")
    first = Appeal.objects.get(external_id="П-1")
    assert first.channel == "email" and timezone.localtime(first.received_at).replace(tzinfo=None) == received
    assert Appeal.objects.get(external_id="П-2").municipality.oktmo == PESTRAVKA


def test_importing_the_same_file_again_doubles_nothing_and_a_new_version_updates(db):
    data = csv_bytes(rows(10) + rows(1, external_id="", text="Без номера: нет света в подъезде дома 7"))
    first = run_import(data)
    again = run_import(data)

    assert (first.created, again.created, again.unchanged) == (11, 0, 11)
    assert Appeal.objects.count() == 11
    changed = rows(10, version="2")
    changed[0]["text"] = "Мусор так и не вывезли, прошу принять меры"
    third = run_import(csv_bytes(changed))
    assert (third.created, third.updated) == (0, 10)
    event = AppealEvent.objects.get(kind="source_updated", field="text", appeal__external_id="ВХ-0001")
    assert event.old_value == TEXTS[0] and event.new_value == changed[0]["text"]


def test_bad_rows_are_stored_or_quarantined_with_a_reason_none_lost(db):
    megabyte = "Очень длинный текст. " * 50_000
    bad = [
        dict(rows(1)[0], external_id="EMPTY", text="   "),
        dict(rows(1)[0], external_id="HUGE", text=megabyte),
        dict(rows(1)[0], external_id="HTML", text="<p>Нет воды</p><script>alert('x')</script> &laquo;срочно&raquo;"),
        dict(rows(1)[0], external_id="BAD-DATE", received_at="31.02.2026"),
        dict(rows(1)[0], external_id="NO-DATE", received_at=""),
        dict(rows(1)[0], external_id="FUTURE", received_at="01.01.2099"),
        dict(rows(1)[0], external_id="UNKNOWN-MO", municipality_oktmo="99999999"),
        dict(rows(1)[0], external_id="BAD-KIND", kind="жалоба"),
        dict(rows(1)[0], external_id="BAD-VERSION", version="вторая"),
        dict(rows(1)[0], external_id="X" * 80),
    ]
    job = run_import(csv_bytes(bad))

    assert job.status == "done" and job.received == job.total == len(bad)
    assert job.created + job.quarantined == len(bad)
    stored = {a.external_id: a for a in Appeal.objects.all()}
    assert set(stored) == {"HTML", "UNKNOWN-MO"}
    assert stored["HTML"].text == "Нет воды\n«срочно»" and "script" not in stored["HTML"].text
    assert stored["UNKNOWN-MO"].municipality is None
    created = AppealEvent.objects.get(appeal=stored["UNKNOWN-MO"], kind="created")
    assert "ОКТМО 99999999 нет в справочнике" in created.reason
    why = " | ".join(reasons(job))
    for expected in ("text: пусто", "больше допустимых 200 000", "неверная дата «31.02.2026»",
                     "received_at: не указана дата", "в будущем", "неизвестный вид «жалоба»",
                     "version: не целое число", "неверный внешний номер"):
        assert expected in why
    huge = QuarantinedItem.objects.get(external_id="HUGE")
    assert megabyte.strip() in huge.payload  # kept raw, whole, for the operator


def test_a_broken_csv_keeps_its_good_rows_and_quarantines_the_broken_ones(db):
    data = (csv_bytes(rows(3)).decode()
            + 'ВХ-9;appeal;letter;01.10.2026;;"текст с незакрытой кавычкой;Иванов\n'
            + "ВХ-10;appeal;letter;01.10.2026;;Лишние поля;Иванов;адрес;36632000;;;;лишнее;ещё\n").encode()
    job = run_import(data)

    assert job.status == "done"
    assert (job.total, job.created, job.quarantined) == (4, 3, 1)
    item = QuarantinedItem.objects.get(import_job=job)
    assert "незакрытая кавычка" in item.reason and "ВХ-10" in item.payload  # the swallowed row is kept


def test_nul_bytes_and_binary_garbage_never_crash_the_import(db):
    data = csv_bytes(rows(2)) + b"\x00\x01\x02\xff\xfe;;;\n" + bytes(range(256)) * 4
    job = run_import(data)

    assert job.status in ("done", "failed")
    assert Appeal.objects.count() == 2
    assert job.created + job.quarantined + job.unchanged == job.received == job.total


@pytest.mark.parametrize("data, name, reason", [
    (b"", "empty.csv", "файл пуст"),
    (b"PK\x03\x04 this is not really a workbook", "broken.xlsx", "не читается как XLSX"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "picture.xlsx", "не читается как XLSX"),
    ("номер;дата;кто\n1;2;3\n".encode(), "other.csv", "нет столбца text"),
])
def test_an_unreadable_file_fails_the_job_with_the_reason(db, data, name, reason):
    job = run_import(data, name=name)

    assert job.status == ImportJob.Status.FAILED and reason in job.error
    assert job.file.name  # the file is kept with the job, not lost


def test_a_municipal_centre_imports_into_its_own_municipality_only(db):
    mine = rows(2, municipality_oktmo="")
    other = rows(1, external_id="ЧУЖОЕ", municipality_oktmo=TOLYATTI)
    job = run_import(csv_bytes(mine + other), username="pestravka_operator")

    assert (job.created, job.quarantined) == (2, 1)
    assert set(Appeal.objects.values_list("municipality__oktmo", flat=True)) == {PESTRAVKA}
    item = QuarantinedItem.objects.get(import_job=job)
    assert "вне территории вашего МЦУ" in item.reason and item.municipality.oktmo == PESTRAVKA


def test_a_killed_import_resumes_after_its_last_committed_batch(db, monkeypatch):
    from appeals.sources import files

    monkeypatch.setattr(files, "BATCH", 4)
    person = user("cur_operator")
    job = import_job_create(uploaded=SimpleUploadedFile("r.csv", csv_bytes(rows(10))), by=person)
    calls = []
    real_batch = files._import_batch

    def dying(job_, batch, territory):
        calls.append(len(batch))
        if len(calls) == 2:
            raise SystemExit("worker killed")  # not an Exception: the job is left running, as after SIGKILL
        return real_batch(job_, batch, territory)

    monkeypatch.setattr(files, "_import_batch", dying)
    with pytest.raises(SystemExit):
        import_job_process(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.received, job.created) == ("running", 4, 4)

    assert import_job_process(job_id=job.pk)["skipped"]  # still alive as far as anyone knows
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    monkeypatch.setattr(files, "_import_batch", real_batch)
    result = import_job_process(job_id=job.pk)

    assert (result["status"], result["received"], result["created"], result["unchanged"]) == ("done", 10, 10, 0)
    assert Appeal.objects.count() == 10


def test_a_row_with_more_fields_than_the_header_is_quarantined_whole(db):
    data = csv_bytes(rows(1)) + "ВХ-77;appeal;letter;01.10.2026;;Текст;Иванов;адрес;;;;;лишнее\n".encode()
    job = run_import(data)

    assert (job.created, job.quarantined) == (1, 1)
    item = QuarantinedItem.objects.get(import_job=job)
    assert "лишние поля" in item.reason and "лишнее" in item.payload and item.external_id == "ВХ-77"
