"""Issue 13's acceptance, the executor's and then the operator's side, in a real browser: the executor opens
the inbox (nearest deadline first, counts by status), opens the appeal, types an answer and sees the hints
before sending, attaches two photos and a PDF and sends; the operator opens the card, sees the thumbnails
and the PDF on the answer, and accepts it. Screenshots at 1440 and 390 px land in test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from appeals.models import Answer, Attachment, Status
from appeals.sources.emulator import demo_pdf
from tests.browser.test_workspace_flow import login, logout, shot
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_the_executor_answers_with_photos_and_a_pdf_and_the_operator_accepts(page, make_appeal, tmp_path,
                                                                             settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    appeal = make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS,
                         due_at=now + timedelta(hours=6), registered_at=now - timedelta(days=2),
                         text="Во дворе дома 5 по ул. Молодёжной яма на проезде, машины не проезжают")
    appeal.subtopic.evidence_required = True
    appeal.subtopic.save(update_fields=["evidence_required"])
    make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS,
                due_at=now + timedelta(days=9), registered_at=now - timedelta(days=1))
    files = []
    for name, colour in (("яма до.jpg", (90, 80, 70)), ("яма после.jpg", (60, 120, 60))):
        Image.new("RGB", (800, 600), colour).save(tmp_path / name, "JPEG")
        files.append(str(tmp_path / name))
    (tmp_path / "акт выполненных работ.pdf").write_bytes(demo_pdf(1))
    files.append(str(tmp_path / "акт выполненных работ.pdf"))

    login(page, "executor_pestravka_zhkh")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/appeals/")
    page.wait_for_selector("h1:has-text('Входящие исполнителя')")
    tabs = page.locator("[data-inbox-tab]")
    assert tabs.count() >= 2
    first = page.locator("#appeal-rows tr").first
    assert appeal.number in first.inner_text()  # the nearest deadline first
    shot(page, "evidence-1-inbox")

    first.locator(f"a:has-text('{appeal.number}')").click()
    page.wait_for_url(f"**/appeals/{appeal.pk}/")
    final = page.locator("form[data-action=answer_final]")
    assert page.locator("#actions details").first.locator("form[data-action=answer_final]").count() == 1
    final.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    text = final.locator("textarea[name=text]")
    hints = final.locator(".answer-hints")
    text.press_sequentially("Вопрос на контроле.", delay=5)
    hints.locator("text=Назовите срок").wait_for()  # the hint shows before anything is sent
    shot(page, "evidence-2-hints")
    text.fill("")
    text.press_sequentially("Яма засыпана щебнем сегодня, асфальтирование запланировано на май 2027 г.", delay=5)
    final.locator("input[type=file]").set_input_files(files)
    hints.locator("text=Замечаний к ответу нет").wait_for()
    final.locator("button[type=submit]").click()
    page.wait_for_selector(".message:has-text('Ответ отправлен на проверку')")
    answer = Answer.objects.get(appeal=appeal)
    assert answer.has_evidence and answer.flags == []
    assert Attachment.objects.filter(answer=answer).count() == 3
    logout(page)

    login(page, "pestravka_operator")
    page.goto(f"/appeals/{appeal.pk}/")
    thumbs = page.locator("#answers img.attachment__thumb") if page.locator("#answers").count() else \
        page.locator("img.attachment__thumb")
    assert thumbs.count() == 2
    page.wait_for_function("() => [...document.querySelectorAll('img.attachment__thumb')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    assert page.locator("a.attachment--file:has-text('акт выполненных работ')").count() == 1
    shot(page, "evidence-3-operator-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "evidence-3-operator-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    close = page.locator("form[data-action=close]")
    close.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    close.locator("button[type=submit]").click()
    page.wait_for_selector(".message:has-text('Ответ принят, обращение закрыто')")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
