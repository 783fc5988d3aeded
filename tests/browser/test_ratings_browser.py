"""Issue 14 in a real browser: the curator opens «Рейтинги», switches to the quarter, opens a red-zone body and
clicks its late count — and lands on exactly those appeals in the queue. Screenshots at 1440 and 390 px land
in test-artifacts/."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appeals.lifecycle import transitions
from appeals.models import Status
from cur.models import Agency
from rollups.services import rollups_refresh
from tests.browser.conftest import ARTIFACTS
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMARA = ZoneInfo("Europe/Samara")
START = datetime(2026, 11, 2, 10, 0, tzinfo=SAMARA)  # a Monday of a past quarter (IV 2026)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ratings-{name}.png"), full_page=True)


def _assigned(make_appeal, code: str, received: datetime):
    appeal = make_appeal(PESTRAVKA, received_at=received, status=Status.NEW, due_at=None)
    appeal = transitions.appeal_register(appeal=appeal, by=None, at=received)
    return transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code=code), by=None,
                                     at=received + timedelta(hours=1))


def test_the_curator_goes_from_a_red_zone_body_to_its_late_appeals(page, make_appeal):
    # a quarter ranks a body from 6 appeals (2 a month): seven each
    late = [_assigned(make_appeal, "mup_zhkh_pestravskiy", START + timedelta(days=n)) for n in range(7)]
    for n in range(7):  # the administration answers within hours: green
        appeal = _assigned(make_appeal, "adm_pestravskiy_mr", START + timedelta(days=n))
        transitions.answer_submit(appeal=appeal, text="Яма засыпана щебнем 03.11.2026, проезд открыт.", by=None,
                                  at=START + timedelta(days=n, hours=3))
    rollups_refresh()
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")

    page.goto("/login/")
    page.click("[data-demo-login][data-username=cur_curator]")
    page.wait_for_selector("h1:has-text('Главная')")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/ratings/?on=2026-11-15")
    assert "ноябрь 2026" in page.locator(".page-head__sub").inner_text().lower()
    page.select_option("select[name=period]", "quarter")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"period=quarter"))
    assert "IV квартал 2026" in page.locator(".page-head__sub").inner_text()
    shot(page, "quarter-1440")

    red = page.locator(f"tr.is-red[data-key='{zhkh.pk}']")
    assert red.count() == 1, "the body that let every appeal run late is in the red zone"
    red.locator("a[href*='/ratings/agency/']").click()
    page.wait_for_url(re.compile(rf"/ratings/agency/{zhkh.pk}/"))
    assert zhkh.name in page.locator("h1").inner_text()
    page.wait_for_selector(".chart .main-svg")  # the plotly chart drew (the bundle, no CDN)
    shot(page, "body-1440")

    page.locator("a.rating__late").first.click()
    page.wait_for_url(re.compile(r"/appeals/\?rating=late"))
    assert page.locator("#queue-count strong").inner_text() == "7"
    assert "Из рейтинга" in page.locator("#drill-summary").inner_text()
    numbers = page.locator("#appeal-rows").inner_text()
    assert all(a.number in numbers for a in late)
    shot(page, "drill-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/ratings/?period=quarter&on=2026-11-15")
    # no horizontal scroll of the page: a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "quarter-390")
    page.goto(f"/ratings/agency/{zhkh.pk}/?period=quarter&on=2026-11-15")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "body-390")
