"""The phone: at 390 px the queue, the card and the verdict page fit the screen (the page is never
wider than the viewport: wide tables scroll inside their own box), the menu folds behind «Меню» and
the queue's filters behind «Фильтры». The same pages at 1440 px keep the open bar and filters.
Screenshots go to test-artifacts/ (a run never changes the tracked docs/screenshots/issue-13/, chosen by hand)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.citizen import links
from appeals.lifecycle import transitions
from appeals.models import Status
from cur.models import Agency
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_workspace_flow import login
from tests.personas import PESTRAVKA, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = ARTIFACTS / "phone"
LONG = ("Во дворе дома № 15 по улице Крайнова третью неделю не вывозят мусор, контейнерная площадка "
        "переполнена, мусор разносит ветер по всей улице, обращались в управляющую компанию — без ответа.")


@pytest.fixture
def screen(chromium, live_server, reference):
    """A browser context of a given width; the contexts are closed after the test."""
    contexts = []

    def open_at(width: int, height: int = 844):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="ru-RU",
                                       base_url=live_server.url, device_scale_factor=1)
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def fits(page, width: int = 390) -> bool:
    """The page is no wider than the screen; else the failure names what sticks out."""
    wide = page_width(page)
    if wide <= width:
        return True
    offenders = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                             width)
    raise AssertionError(f"the page is {wide} px wide at {width} px: {offenders}")


@pytest.fixture
def appeals(make_appeal):
    """A queue with long texts, a card with a history, and a closed appeal to rate."""
    operator = user("pestravka_operator")
    for n in range(4):
        make_appeal(PESTRAVKA, text=f"{LONG} Обращение {n}.", address="ул. Крайнова, д. 15")
    card = make_appeal(PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None, text=LONG,
                       received_at=timezone.now() - timedelta(days=1))
    card = transitions.appeal_register(appeal=card, by=operator)
    card = transitions.appeal_assign(appeal=card, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                     by=operator)
    closed = make_appeal(PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None, text=LONG)
    closed = transitions.appeal_register(appeal=closed, by=operator)
    closed = transitions.appeal_assign(appeal=closed, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                       by=operator)
    transitions.answer_submit(appeal=closed, by=None, text=(
        "Контейнерная площадка у дома № 15 по ул. Крайнова очищена 28.11.2026, график вывоза ТКО изменён: "
        "ежедневно до 10:00. Контроль — МУП «ЖКХ Пестравского района»."))
    closed = transitions.appeal_close(appeal=closed, by=operator)
    return {"card": card, "verdict": links.verdict_token(closed)}


def test_the_queue_the_card_and_the_verdict_fit_a_phone(screen, appeals):
    page = screen(390)
    login(page, "pestravka_operator")

    # the queue: the menu folded behind «Меню», the filters behind «Фильтры», nothing wider than the screen
    page.goto("/appeals/")
    page.wait_for_selector("#appeal-rows")
    menu = page.locator("[data-nav-toggle]")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not page.locator("#main-nav").is_visible()
    assert not page.locator("form.filters").is_visible()
    assert fits(page)
    shot(page, "phone-390-queue")

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.locator("#main-nav a:has-text('Очередь обращений')").is_visible()
    assert page.locator("#main-nav a:has-text('Тепловая карта')").is_visible()
    assert page.locator("button:has-text('Выйти')").is_visible()
    assert fits(page)
    shot(page, "phone-390-menu")
    menu.click()
    assert not page.locator("#main-nav").is_visible()

    page.click("summary:has-text('Фильтры')")
    assert page.locator("form.filters").is_visible()
    assert page.locator("form.filters select[name=status]").is_visible()
    assert fits(page)
    shot(page, "phone-390-filters")

    # the filters applied in place (htmx) fold again, the list shows, the page still fits
    page.select_option("form.filters select[name=status]", label="В работе")
    page.click("form.filters button:has-text('Показать')")
    page.wait_for_url("**status=in_progress**")
    page.wait_for_selector(f"#appeal-rows a:has-text('{appeals['card'].number}')")
    assert not page.locator("form.filters").is_visible()
    assert fits(page)

    # the card
    page.goto(f"/appeals/{appeals['card'].pk}/")
    page.wait_for_selector(f"h1:has-text('{appeals['card'].number}')")
    assert fits(page)
    shot(page, "phone-390-card")

    # the verdict page, for the citizen, and its «link no longer works» variant
    citizen = screen(390)
    citizen.goto(f"/verdict/{appeals['verdict']}/")
    citizen.wait_for_selector("text=Вы удовлетворены ответом?")
    assert fits(citizen)
    shot(citizen, "phone-390-verdict")
    citizen.goto("/verdict/garbage/")
    citizen.wait_for_selector("text=Ссылка для оценки ответа недействительна")
    assert citizen.locator("a[href^='tel:']").is_visible()
    assert fits(citizen)
    shot(citizen, "phone-390-verdict-invalid")

    # an error page on the phone
    page.goto("/appeals/999999999/")
    page.wait_for_selector("text=Страница не найдена")
    assert fits(page)
    shot(page, "phone-390-404")


def test_the_desktop_keeps_the_open_bar_and_filters(screen, appeals):
    page = screen(1440, 900)
    login(page, "pestravka_operator")
    page.goto("/appeals/")
    page.wait_for_selector("#appeal-rows")
    assert not page.locator("[data-nav-toggle]").is_visible()
    assert page.locator("#main-nav a:has-text('Очередь обращений')").is_visible()
    assert page.locator("form.filters select[name=status]").is_visible()
    assert not page.locator("summary:has-text('Фильтры')").is_visible()
    assert page_width(page) <= 1440
    shot(page, "desktop-1440-queue")

    page.goto(f"/appeals/{appeals['card'].pk}/")
    page.wait_for_selector(f"h1:has-text('{appeals['card'].number}')")
    assert page_width(page) <= 1440
    shot(page, "desktop-1440-card")

    citizen = screen(1440, 900)
    citizen.goto(f"/verdict/{appeals['verdict']}/")
    citizen.wait_for_selector("text=Вы удовлетворены ответом?")
    shot(citizen, "desktop-1440-verdict")
    citizen.goto("/verdict/garbage/")
    citizen.wait_for_selector("text=Ссылка для оценки ответа недействительна")
    shot(citizen, "desktop-1440-verdict-invalid")
