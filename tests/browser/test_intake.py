"""Intake in a real browser: a ЦУР operator uploads a registry file, watches the progress bar while a
real Celery worker imports it, reads the report, then fixes a broken row in «Карантин» and resubmits
it. Screenshots land in test-artifacts/."""

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from appeals.models import Appeal, ImportJob, QuarantinedItem
from cur.celery import app as celery_app
from tests.browser.test_workspace_flow import login, shot
from tests.intake.test_files import csv_bytes, rows

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def import_worker(reference, tmp_path, settings):
    """A real Celery worker on the test database, reading uploads from the test's own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CUR_INTAKE_STRUCTURE = False
    parts = urlsplit(os.environ["DATABASE_URL"])
    database = django_settings.DATABASES["default"]["NAME"]
    env = dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path="/" + database)),
               MEDIA_ROOT=str(settings.MEDIA_ROOT), CUR_INTAKE_STRUCTURE="0")
    name = f"browser-intake-{os.getpid()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cur", "worker", "--pool", "solo", "--hostname", f"{name}@%h",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"], env=env, cwd=django_settings.BASE_DIR)
    try:
        for _ in range(60):
            replies = celery_app.control.ping(timeout=0.5)
            if any(node.startswith(name + "@") for reply in replies for node in reply):
                break
            assert process.poll() is None, "the worker process died on start"
        else:
            pytest.fail("the worker did not answer a ping in 30 s")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_import_a_file_with_progress_then_fix_a_row_in_the_quarantine(page, import_worker, tmp_path):
    broken = rows(1, external_id="ВХ-БИТАЯ", received_at="31.02.2026", text="Не работает лифт в доме 4")
    registry = tmp_path / "реестр писем.csv"
    registry.write_bytes(csv_bytes(rows(3000) + broken + rows(1, external_id="ВХ-ПУСТАЯ", text=""),
                                   encoding="cp1251"))

    login(page, "cur_operator")
    page.click("text=Приём и карантин")
    page.click("text=Импорт файла")
    page.set_input_files("form[data-form=import] input[type=file]", str(registry))
    page.click("button:has-text('Загрузить и импортировать')")
    page.wait_for_selector("h1:has-text('Импорт «реестр писем.csv»')")
    assert page.locator("#import-progress progress").count() == 1
    shot(page, "intake-1-progress")
    page.wait_for_selector("#import-progress[data-status=done]", timeout=120_000)  # the bar polls until done
    shot(page, "intake-2-report")

    report = page.locator("[data-report]")
    assert report.locator("[data-count=received]").inner_text() == "3002"
    assert report.locator("[data-count=created]").inner_text() == "3000"
    assert report.locator("[data-count=quarantined]").inner_text() == "2"
    assert "кодировка cp1251" in page.locator("#import-progress").inner_text()
    assert ImportJob.objects.get().status == "done"
    assert Appeal.objects.count() == 3000

    page.click("text=смотреть строки с ошибками")
    page.wait_for_selector("table[data-table=quarantine]")
    page.click("tr:has-text('ВХ-БИТАЯ') a")
    page.wait_for_selector("[data-reason]:has-text('неверная дата')")
    payload = page.locator("form[data-form=resubmit] textarea[name=payload]")
    payload.fill(re.sub(r'"received_at": "31\.02\.2026"', '"received_at": "20.11.2026"', payload.input_value()))
    shot(page, "intake-3-fix")
    page.click("button:has-text('Исправить и отправить')")
    page.wait_for_selector(".message--success:has-text('Запись принята')")
    shot(page, "intake-4-accepted")

    appeal = Appeal.objects.get(external_id="ВХ-БИТАЯ")
    assert appeal.text == "Не работает лифт в доме 4" and timezone.localtime(appeal.received_at).day == 20
    assert QuarantinedItem.objects.get(external_id="ВХ-БИТАЯ").state == "resubmitted"
    assert QuarantinedItem.objects.get(external_id="ВХ-ПУСТАЯ").state == "pending"
