"""The body picker in a real browser (static/js/picker.js): a МЦУ operator routes an appeal by typing part
of the body's name, with the keyboard, and the bulk bar offers the same field. Screenshots in test-artifacts/."""

import pytest

from appeals.models import Appeal, AppealEvent, Status
from cur.models import Agency
from tests.browser.test_workspace_flow import login, shot
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_operator_routes_an_appeal_by_typing_part_of_the_bodys_name(page, make_appeal):
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    builder = Agency.objects.get(code="mku_stroy_pestravskiy")
    appeal = make_appeal(PESTRAVKA, "housing_utilities", status=Status.REGISTERED, proposed_agency=zhkh,
                         text="Во дворе дома 5 по ул. Молодёжной течёт труба отопления")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    login(page, "pestravka_operator")
    page.goto(f"/appeals/{appeal.pk}/")
    form = page.locator("form[data-action=assign]")
    form.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    field = form.get_by_role("combobox", name="Исполнитель")
    assert field.input_value() == zhkh.short_name  # the routing proposal, preselected as before
    assert form.locator("select[name=agency]").get_attribute("aria-hidden") == "true"

    field.fill("ж")
    form.locator(".picker__hint:has-text('две буквы')").wait_for()
    field.fill("жкх")
    options = form.get_by_role("option")
    options.first.wait_for()
    assert options.first.locator(".picker__name").inner_text().startswith(zhkh.short_name)
    assert "предложено" in options.first.inner_text() and "Пестравский район" in options.first.inner_text()
    assert "региональный" in options.last.inner_text()  # Минэнерго и ЖКХ СО, after the district's bodies
    shot(page, "picker-1-suggestions")

    # ↓ moves to the next body, Enter chooses it; Esc closes the list
    field.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    field.press("Enter")
    assert field.input_value() == builder.short_name
    assert form.locator("select[name=agency]").input_value() == str(builder.pk)
    assert field.get_attribute("aria-expanded") == "false"
    field.fill("муп")
    options.first.wait_for()
    field.press("Escape")
    assert field.get_attribute("aria-expanded") == "false" and field.input_value() == builder.short_name

    # a few letters of another word of the name, and the mouse
    field.fill("пестравского")
    form.locator(".picker__option", has_text=zhkh.short_name).click()
    assert form.locator("select[name=agency]").input_value() == str(zhkh.pk)
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message")
    shot(page, "picker-2-routed")
    # the boosted form swapped the card in place: its «переадресовать» body is a searchable field, once
    forward = page.locator("form[data-action=forward]")
    forward.locator("xpath=ancestor::details").evaluate("d => d.open = true")
    assert forward.locator(".picker").count() == 1 and forward.get_by_role("combobox").count() == 1
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.status == Status.IN_PROGRESS and appeal.agency == zhkh
    assert AppealEvent.objects.filter(appeal=appeal, kind="assigned", agency=zhkh).exists()

    # the bulk bar's body is the same field, without an appeal: the district's own bodies first
    make_appeal(PESTRAVKA, status=Status.REGISTERED)  # the routed one is no longer «registered»
    page.goto("/appeals/?status=registered")
    bulk = page.locator("#bulk").get_by_role("combobox")
    bulk.fill("гбуз")
    first = page.locator("#bulk").get_by_role("option").first
    first.wait_for()
    assert "Пестравский район" in first.inner_text()
    assert errors == []
