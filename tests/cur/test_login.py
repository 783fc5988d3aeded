import pytest
from django.urls import reverse

from cur.demo import DEMO_ACCOUNTS
from tests.personas import user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a["username"] for a in DEMO_ACCOUNTS])
def test_it_logs_in_each_demo_account(client, account):
    response = client.post(reverse("login"), {"username": account["username"], "password": account["password"]})
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Главная" in home.content.decode()


def test_it_refuses_a_wrong_password_with_a_message(client):
    response = client.post(reverse("login"), {"username": "cur_operator", "password": "wrong"})
    assert response.status_code == 200
    assert "правильные имя пользователя и пароль" in response.content.decode()


def test_the_login_page_lists_demo_accounts_in_demo_mode(client, settings):
    settings.CUR_DEMO = True
    assert "pestravka_operator" in client.get(reverse("login")).content.decode()
    settings.CUR_DEMO = False
    assert "pestravka_operator" not in client.get(reverse("login")).content.decode()


def test_it_logs_out_with_post(client):
    client.post(reverse("login"), {"username": "cur_operator", "password": DEMO_ACCOUNTS[2]["password"]})
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_pages_show_times_in_the_region_zone(client, make_appeal):
    from datetime import UTC, datetime

    appeal = make_appeal("36632000", received_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    client.force_login(user("pestravka_operator"))
    card = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "02.03.2026 14:00" in card  # Europe/Samara is UTC+4
