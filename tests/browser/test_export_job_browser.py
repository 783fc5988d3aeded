"""A large export in a real browser: the queue's «Выгрузить XLSX» above CUR_EXPORT_SYNC_MAX rows opens the
job's page, its progress bar is polled (htmx) until the file is ready, and the owner downloads it."""

import pytest
from openpyxl import load_workbook

from appeals.models import ExportJob
from appeals.tasks import export_run
from tests.browser.test_workspace_flow import login, shot
from tests.personas import PESTRAVKA, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_operator_follows_a_large_export_and_downloads_it(page, make_appeal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CUR_EXPORT_SYNC_MAX = 1
    made = [make_appeal(PESTRAVKA, title=f"Не вывозят мусор, дом {i}") for i in range(3)]

    login(page, "pestravka_operator")
    page.goto("/appeals/?state=open")
    page.click("text=Выгрузить XLSX")
    page.wait_for_selector("#export-progress[data-status=queued]")
    assert "Выгрузка идёт" in page.inner_text("#export-progress")
    shot(page, "export-1-queued")

    job = ExportJob.objects.get(user=user("pestravka_operator"))
    export_run.apply(args=[job.pk])  # the worker's part, here (tests/appeals/test_exports.py runs a real one)
    page.wait_for_selector("#export-progress[data-status=done]", timeout=10_000)  # the poll saw it finish
    assert "выгружено 3 из 3" in page.inner_text("#export-progress")
    shot(page, "export-2-done")

    with page.expect_download() as download:
        page.click("text=Скачать файл")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
        numbers = [row[0].value for row in sheet.iter_rows()]
    assert {a.number for a in made} <= set(numbers) and "Условия выгрузки:" in numbers
