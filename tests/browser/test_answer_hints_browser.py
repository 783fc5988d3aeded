"""The answer check while typing, in a real browser (appeals/workspace/widgets.py, static/js/answer-hints.js):
the executor sees what to add under the answer before sending, the hints follow the text, the interim
form is checked as an interim answer, and choosing a photo silences the evidence reminder."""

import pytest
from PIL import Image

from appeals.models import Answer, Status
from tests.browser.test_workspace_flow import login, shot
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_executor_sees_the_hints_before_sending(page, make_appeal, tmp_path):
    appeal = make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS,
                         text="Во дворе дома 5 по ул. Молодёжной яма на проезде, машины не проезжают")
    appeal.subtopic.evidence_required = True
    appeal.subtopic.save(update_fields=["evidence_required"])
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    login(page, "executor_pestravka_zhkh")
    page.goto(f"/appeals/{appeal.pk}/")
    final = page.locator("form[data-action=answer_final]")
    final.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    text = final.locator("textarea[name=text]")
    hints = final.locator(".answer-hints")

    text.press_sequentially("Ваше обращение рассмотрено, вопрос на контроле.", delay=5)
    hints.locator("text=Назовите срок: до какого числа будет сделано").wait_for()
    assert "общих фраз" in hints.inner_text() and "приложите к ответу фото" in hints.inner_text()
    shot(page, "hints-1-formal")

    text.fill("")
    text.press_sequentially("Яма засыпана щебнем сегодня, асфальтирование запланировано на май 2027 г.", delay=5)
    hints.locator("text=Назовите срок").wait_for(state="detached")
    assert "приложите к ответу фото" in hints.inner_text()  # nothing chosen yet
    photo = tmp_path / "яма.png"
    Image.new("RGB", (64, 48), (90, 90, 90)).save(photo)
    final.locator("input[type=file]").set_input_files(str(photo))
    hints.locator("text=Замечаний к ответу нет").wait_for()
    shot(page, "hints-2-on-the-merits")

    interim = page.locator("form[data-action=answer_interim]")
    interim.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    interim.locator("textarea[name=text]").press_sequentially("Бригада выедет на место.", delay=5)
    interim.locator(".answer-hints >> text=Замечаний к ответу нет").wait_for()  # no date asked of an interim one

    assert not Answer.objects.filter(appeal=appeal).exists()  # nothing was sent while typing
    assert errors == []
