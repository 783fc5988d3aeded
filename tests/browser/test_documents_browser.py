"""Issue 17's documents in a real browser: the МЦУ head opens last week's note, writes «предложения», marks it final
and downloads the DOCX (and the PDF, whose first page is kept as a picture); fills the quarter's report and submits
it; the ЦУР operator returns it with a reason; the МЦУ resubmits; the ЦУР accepts. Screenshots in test-artifacts/."""

import io
import shutil
import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from docx import Document

from reports.indicators.periods import period_bounds, periods_in_question
from reports.models import IndicatorReport, WeeklyNote
from reports.weekly import outline
from reports.weekly.services import last_week, notes_build_all
from rollups.services import rollups_refresh
from tests.browser.conftest import ARTIFACTS
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/login/")
    page.click(f"[data-demo-login][data-username={username}]")
    page.wait_for_selector("h1")


def logout(page):
    page.click("text=Выйти")
    page.wait_for_selector("text=Вход в систему ЦУР")


def shot(page, name, *, phone: bool = False):
    ARTIFACTS.mkdir(exist_ok=True)
    for _ in range(100):  # the charts drawn (wait_for_function evaluates a string: the CSP forbids it)
        if page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("a chart of the page did not load")
    page.screenshot(path=str(ARTIFACTS / f"documents-{name}.png"), full_page=True)
    if phone:
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / f"documents-{name}-390.png"), full_page=True)
        page.set_viewport_size({"width": 1440, "height": 900})


def test_the_note_and_the_quarter_report_from_draft_to_final(page, make_appeal):
    week = last_week(timezone.localdate())
    tz = timezone.get_current_timezone()
    for day, sector in ((0, "housing_utilities"), (1, "housing_utilities"), (2, "roads"), (4, "waste")):
        make_appeal(PESTRAVKA, sector, received_at=datetime.combine(week + timedelta(days=day), time(11), tz))
    kind, first = periods_in_question(timezone.localdate())[0]
    quarter_first, _ = period_bounds(kind, first)
    make_appeal(PESTRAVKA, "housing_utilities", received_at=datetime.combine(quarter_first + timedelta(days=3),
                                                                             time(11), tz))
    rollups_refresh()
    notes_build_all(week=week)  # what the Monday job did this morning
    page.set_viewport_size({"width": 1440, "height": 900})

    # the МЦУ head: last week's note — read, write «предложения», mark final, download
    login(page, "pestravka_head")
    page.click("nav.nav >> text=Документы")
    page.wait_for_selector("table#notes")
    shot(page, "1-notes")
    page.click(f"table#notes a:has-text('{week:%d.%m.%Y}') >> nth=0")
    page.wait_for_selector("#section-key")
    for _, title in outline.SECTIONS:
        assert page.locator(f"h2:has-text('{title}')").count() == 1, title
    assert page.locator("#section-key .kpi__value").first.inner_text().strip() == "4"
    page.fill("#note-edit textarea[name=proposals]",
              "Поручить МУП «ЖКХ» обследовать сети на ул. Молодёжной до конца месяца.")
    page.click("#note-edit button[type=submit]")
    page.wait_for_selector(".message:has-text('Текст записки сохранён')")
    shot(page, "2-note-draft", phone=True)
    page.click("#note-finalise button[type=submit]")
    page.wait_for_selector("#note-status:has-text('утверждена')")
    assert page.locator("#note-edit").count() == 0
    shot(page, "3-note-final")
    with page.expect_download() as download:
        page.click("#note-docx")
    document = Document(io.BytesIO(download.value.path().read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name.startswith("Heading")] == [
        t for _, t in outline.SECTIONS]
    assert any("обследовать сети на ул. Молодёжной" in p.text for p in document.paragraphs)
    with page.expect_download() as download:
        page.click("#note-pdf")
    pdf = ARTIFACTS / "documents-note.pdf"
    shutil.copy(download.value.path(), pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(ARTIFACTS / "documents-note-pdf-page1")], check=True, timeout=60)
    assert WeeklyNote.objects.get(centre__municipality__oktmo=PESTRAVKA, week=week).is_final

    # the quarter's report: open, fill what is entered by hand, submit
    page.click("text=Отчёты о показателях")
    page.wait_for_selector("#report-open")
    page.click("#report-open button[type=submit]")
    page.wait_for_selector("#report-values")
    for field in page.locator("#report-values input[name^=value_]").all():
        field.fill("7")
    page.locator("#report-values input[name^=comment_]").first.fill("по реестру госпабликов на конец квартала")
    shot(page, "4-report-filled", phone=True)
    page.click("#report-submit")
    page.wait_for_selector("#report-status:has-text('направлен в ЦУР')")
    logout(page)

    # the ЦУР operator: the consolidated table, the report, returned with a reason
    login(page, "cur_operator")
    page.goto("/reports/indicators/")
    page.wait_for_selector("table#consolidated")
    shot(page, "5-consolidated")
    page.click("table#consolidated a:has-text('Пестравский')")
    page.fill("#report-return textarea[name=reason]", "Число госпабликов не совпадает с реестром Минцифры")
    page.click("#report-return button[type=submit]")
    page.wait_for_selector("#report-status:has-text('возвращён на доработку')")
    logout(page)

    # the МЦУ resubmits
    login(page, "pestravka_head")
    page.goto("/reports/indicators/")
    page.click("table#my-reports a >> nth=0")
    page.wait_for_selector("#return-reason:has-text('не совпадает с реестром')")
    page.locator("#report-values input[name^=value_]").first.fill("9")
    shot(page, "6-report-returned")
    page.click("#report-submit")
    page.wait_for_selector("#report-status:has-text('направлен в ЦУР')")
    logout(page)

    # the ЦУР accepts
    login(page, "cur_operator")
    page.goto("/reports/indicators/")
    page.click("table#consolidated a:has-text('Пестравский')")
    page.click("#report-accept")
    page.wait_for_selector("#report-status:has-text('принят')")
    shot(page, "7-report-accepted")
    report = IndicatorReport.objects.get(centre__municipality__oktmo=PESTRAVKA, kind=kind, period_first=quarter_first)
    steps = list(report.events.exclude(kind__in=["computed", "edited"]).values_list("kind", flat=True))
    assert steps == ["opened", "submitted", "returned", "submitted", "accepted"]
