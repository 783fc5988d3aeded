"""Password guessing in a real browser: after five wrong passwords even the right one is refused, and the
login page says why in Russian. The screenshot lands in test-artifacts/."""

import pytest

from cur.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_login_page_explains_a_lockout(page):
    page.goto("/login/")
    for _ in range(5):
        page.fill("input[name=username]", "cur_operator")
        page.fill("input[name=password]", "не тот пароль")
        page.click("button[type=submit]")
        page.wait_for_selector(".form-errors")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")

    alert = page.locator(".form-errors").inner_text()
    assert "Слишком много неудачных попыток входа" in alert and "15 мин" in alert
    assert page.locator("h1:has-text('Вход в систему ЦУР')").count() == 1
    assert page.input_value("input[name=username]") == "cur_operator"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-lockout.png"), full_page=True)
