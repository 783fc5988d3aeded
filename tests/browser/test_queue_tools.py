"""The queue's tools in a real browser: a МЦУ operator saves a filter and re-applies it, then ticks two
rows and registers them at once. Screenshots land in test-artifacts/."""

import re

import pytest

from appeals.models import Appeal, SavedFilter, Status
from tests.browser.test_workspace_flow import login, shot
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_save_a_filter_and_register_two_appeals_at_once(page, make_appeal):
    fresh = [make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, text=f"Не горит фонарь у дома {n}")
             for n in (3, 5, 7)]
    make_appeal(PESTRAVKA, status=Status.REGISTERED, text="Яма во дворе дома 9")

    login(page, "pestravka_operator")
    page.goto("/appeals/")
    page.select_option("form.filters select[name=status]", label="Новое")
    page.click("button:has-text('Показать')")
    page.wait_for_url(re.compile(r"status=new"))
    page.fill(".saved-filters__save input[name=name]", "Новые к регистрации")
    page.click("button:has-text('Сохранить текущий фильтр')")
    page.wait_for_selector("text=Фильтр «Новые к регистрации» сохранён.")
    assert page.locator(".chip.is-active", has_text="Новые к регистрации").count() == 1

    # elsewhere in the queue the chip brings the saved view back
    page.click("a:has-text('Сбросить')")
    page.wait_for_selector("text=Яма во дворе дома 9")
    assert page.locator(".chip.is-active").count() == 0
    page.click(".chip__link:has-text('Новые к регистрации')")
    page.wait_for_selector(".chip.is-active")
    assert "status=new" in page.url
    assert page.locator("form.filters select[name=status]").input_value() == "new"
    assert page.locator("text=Яма во дворе дома 9").count() == 0
    assert page.locator("#appeal-rows input[name=ids]").count() == 3
    shot(page, "queue-1-saved-filter")

    # tick two rows and register them from the bulk bar
    for appeal in fresh[:2]:
        page.check(f"#appeal-rows input[name=ids][value^='{appeal.pk}:']")
    assert page.locator("[data-bulk-count]").inner_text() == "2"
    page.click("#bulk button:has-text('Зарегистрировать')")
    page.wait_for_selector("text=Выполнено: 2; отказано: 0")
    assert page.locator("#appeal-rows input[name=ids]").count() == 1  # the saved view still applies
    shot(page, "queue-2-bulk-registered")

    statuses = dict(Appeal.objects.filter(pk__in=[a.pk for a in fresh]).values_list("pk", "status"))
    assert statuses == {fresh[0].pk: Status.REGISTERED, fresh[1].pk: Status.REGISTERED, fresh[2].pk: Status.NEW}
    assert SavedFilter.objects.get(name="Новые к регистрации").query == "status=new"
