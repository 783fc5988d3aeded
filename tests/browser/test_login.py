"""A person logs in as each role in a real browser and finds their workspace."""

import pytest

from cur.demo import DEMO_ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {a["username"]: a for a in DEMO_ACCOUNTS}


@pytest.mark.parametrize("username", ["cur_operator", "pestravka_operator", "pestravka_zhkh",
                                      "executor_pestravka_zhkh", "cur_curator"])
def test_a_demo_account_logs_in_and_sees_the_workspace(page, username):
    page.goto("/")
    assert page.url.endswith("/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", ROLES[username]["password"])
    page.click("button[type=submit]")

    page.wait_for_selector("h1:has-text('Главная')")
    assert ROLES[username]["role"] in page.inner_text(".topbar")
    for link in ["Главная", "Очередь обращений", "Тепловая карта", "Рейтинги"]:
        assert page.locator(f"nav >> text={link}").count() == 1
    # fonts and scripts come from the platform itself
    assert page.evaluate("typeof htmx") == "object"

    page.click("nav >> text=Очередь обращений")
    heading = "Входящие исполнителя" if username.startswith("executor") else "Обращения"
    page.wait_for_selector(f"h1:has-text('{heading}')")


def test_a_click_on_a_demo_account_logs_in(page):
    page.goto("/login/")
    page.click("[data-demo-login][data-username=pestravka_operator]")
    page.wait_for_selector("h1:has-text('Главная')")
    assert "МЦУ м.р. Пестравский" in page.inner_text(".topbar")


def test_a_wrong_password_is_refused_with_a_message(page):
    page.goto("/login/")
    page.fill("input[name=username]", "cur_operator")
    page.fill("input[name=password]", "не тот пароль")
    page.click("button[type=submit]")
    assert "правильные имя пользователя и пароль" in page.inner_text("main")


def test_logout_returns_to_the_login_page(page):
    page.goto("/login/")
    page.click("[data-demo-login][data-username=cur_operator]")
    page.wait_for_selector("h1:has-text('Главная')")
    page.click("text=Выйти")
    page.wait_for_selector("text=Вход в систему ЦУР")
    page.goto("/appeals/")
    assert "/login/" in page.url
