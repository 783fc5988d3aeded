"""Issue 13 in a real browser, the МЦУ operator's side of the queue: «сначала срочные» shows the new items
with their registration clock; the period filter and its count; a heat-map cell leads to a queue of the same
count. Screenshots at 1440 and 390 px land in test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import Status
from rollups.services import rollups_refresh
from tests.browser.conftest import ARTIFACTS
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/login/")
    page.click(f"[data-demo-login][data-username={username}]")
    page.wait_for_selector("h1:has-text('Главная')")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queue-{name}.png"), full_page=True)


def count_shown(page) -> str:
    return page.locator("#queue-count strong").inner_text()


def test_the_operator_sees_new_items_first_reads_counts_and_drills_down(page, make_appeal):
    now = timezone.now()
    for days in (10, 20):
        make_appeal(PESTRAVKA, "roads", status=Status.IN_PROGRESS, received_at=now - timedelta(days=days),
                    due_at=now + timedelta(days=days))
    letter = make_appeal(PESTRAVKA, "roads", kind="appeal", channel="letter", status=Status.NEW, due_at=None,
                         received_at=now - timedelta(hours=2), text="Яма у школы на ул. Школьной, д. 3")
    make_appeal(PESTRAVKA, "roads", status=Status.NEW, due_at=None, received_at=now - timedelta(hours=1))
    make_appeal(PESTRAVKA, "roads", status=Status.IN_PROGRESS, received_at=now - timedelta(days=60),
                due_at=now + timedelta(days=30))

    login(page, "pestravka_operator")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/appeals/")
    assert count_shown(page) == "5"
    # sort by the «Срок» column head: the nearest first — the new items' clocks are the nearest
    page.click("#appeal-table thead a.sort:has-text('Срок')")
    page.wait_for_url(re.compile(r"order=deadline"))
    rows = page.locator("#appeal-rows tr")
    assert "первичный ответ" in rows.nth(0).inner_text()  # the ПОС message: 8 working hours
    assert "регистрация" in page.locator("#appeal-rows").inner_text()
    assert page.locator("#appeal-rows tr").count() == 5
    shot(page, "deadline-1440")

    page.goto(f"/appeals/{letter.pk}/")
    assert "Срок — регистрация" in page.locator("#deadline-clock").inner_text()

    # the period filter and the count it reads
    page.goto("/appeals/")
    period = page.locator("select[name=period]")
    if not period.is_visible():  # on a narrow screen the filters are folded behind «Фильтры»
        page.click("text=Фильтры")
    period.select_option(label="за месяц")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"period=month"))
    assert count_shown(page) == "4"
    shot(page, "period-1440")

    # a heat-map cell (the rollups as the beat job keeps them): the same count in the queue it leads to
    rollups_refresh()
    today = timezone.localdate()
    page.goto(f"/heatmap/?period=custom&from={today - timedelta(days=29):%Y-%m-%d}&to={today:%Y-%m-%d}")
    cell = page.locator("table.heat tbody td a[href*='area=']").first
    figure = cell.inner_text()
    cell.click()
    page.wait_for_url(re.compile(r"/appeals/\?"))
    assert count_shown(page) == figure == "4"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/appeals/?order=deadline")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "deadline-390")
