"""Password guessing is stopped (django-axes): an account or an address is locked after a few wrong
passwords for a cool-off, an administrator unlocks it, every failure and lockout is logged; the API is
throttled per token / user; demo accounts show only in demo mode and the administrator has no fixed
password."""

import logging
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from cur.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.personas import client_token, user

pytestmark = pytest.mark.django_db

# The policy of docs/deploy.md (settings CUR_LOGIN_*): the defaults the suite runs with.
PER_ACCOUNT, PER_ADDRESS, COOL_OFF = 5, 20, timedelta(minutes=15)
LOCKED = "Слишком много неудачных попыток входа"
WRONG = "правильные имя пользователя и пароль"


def login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        response = login(client, username, "не тот пароль", address)
        assert response.status_code in (200, 429)
    return response


def test_the_right_password_after_too_many_wrong_ones_does_not_log_in(client):
    fail(client, "cur_operator", PER_ACCOUNT)

    response = login(client, "cur_operator", DEMO_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page and "15 мин" in page
    assert '<form method="post"' in page  # still the login page, not a bare error text
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_an_account_is_locked_from_any_address(client):
    fail(client, "cur_operator", PER_ACCOUNT, address="10.0.0.1")

    assert login(client, "cur_operator", DEMO_PASSWORD, address="10.9.9.9").status_code == 429
    # another account from the second address is not affected
    assert login(client, "cur_head", DEMO_PASSWORD, address="10.9.9.9").status_code == 302


def test_an_address_guessing_many_accounts_is_locked(client):
    names = [a["username"] for a in DEMO_ACCOUNTS]
    limit = PER_ADDRESS
    for attempt in range(limit):
        login(client, names[attempt % len(names)] + "-x", "не тот пароль", address="10.0.0.7")

    assert login(client, "cur_head", DEMO_PASSWORD, address="10.0.0.7").status_code == 429
    assert login(client, "cur_head", DEMO_PASSWORD, address="10.0.0.8").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_owner_in(client):
    fail(client, "cur_operator", PER_ACCOUNT - 1)
    response = login(client, "cur_operator", DEMO_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_lock_ends_after_the_cool_off(client):
    from axes.models import AccessAttempt

    fail(client, "cur_operator", PER_ACCOUNT)
    assert login(client, "cur_operator", DEMO_PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - COOL_OFF - timedelta(seconds=1))
    assert login(client, "cur_operator", DEMO_PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_in_the_admin(client):
    from axes.models import AccessAttempt

    fail(client, "cur_operator", PER_ACCOUNT)
    attempt = AccessAttempt.objects.get(username="cur_operator")
    admin = APIClient()  # a separate browser: the administrator's own session
    admin.force_login(user("admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "cur_operator" in listing.content.decode()

    assert admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302

    assert login(client, "cur_operator", DEMO_PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_from_the_command_line(client):
    fail(client, "cur_operator", PER_ACCOUNT)
    call_command("axes_reset_username", "cur_operator", stdout=StringIO())
    assert login(client, "cur_operator", DEMO_PASSWORD).status_code == 302


def test_every_failure_and_the_lockout_are_logged(client, caplog):
    from axes.models import AccessFailureLog

    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, "cur_operator", PER_ACCOUNT, address="10.0.0.5")

    failures = [r.getMessage() for r in caplog.records if "login failure by" in r.getMessage()]
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert len(failures) == PER_ACCOUNT
    assert len(lockouts) == 1
    assert all("cur_operator" in line and "10.0.0.5" in line for line in failures + lockouts)
    assert AccessFailureLog.objects.filter(username="cur_operator").count() == PER_ACCOUNT
    assert AccessFailureLog.objects.filter(username="cur_operator", locked_out=True).exists()


def test_the_address_comes_from_the_trusted_proxy_only(client):
    """Behind the TLS proxy the client's address is the one the proxy appended to X-Forwarded-For; an
    address the client put there itself does not dodge the lock."""
    with override_settings(CUR_TRUSTED_PROXIES=1):
        for n in range(PER_ACCOUNT):
            client.post(reverse("login"), {"username": f"nobody{n}", "password": "x"}, REMOTE_ADDR="10.0.0.254",
                        HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        from axes.models import AccessAttempt

        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


# The API: DRF throttling per token / user.

def test_the_api_throttles_a_token_past_its_rate():
    integrator = user("cur_integrator")
    token = client_token(integrator.username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    cache.clear()  # the suite's own Redis: no count of another test's requests
    try:
        with override_settings(CUR_API_RATE="3/minute"):
            codes = [client.get("/api/v1/appeals/").status_code for _ in range(4)]
            other = APIClient()
            other.force_authenticate(user("cur_operator"))
            assert other.get("/api/v1/appeals/").status_code == 200  # per user, not for everyone
            last = client.get("/api/v1/appeals/")
    finally:
        cache.clear()

    assert codes == [200, 200, 200, 429]
    assert last.status_code == 429 and last.json()["error"]["code"] == "throttled"
    assert int(last["Retry-After"]) > 0


def test_the_api_rate_is_a_setting():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert settings.CUR_API_RATE.split("/")[0].isdigit()


# Demo accounts and the administrator's password.

def test_demo_mode_is_off_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k != "CUR_DEMO"}
    env.update(DJANGO_SETTINGS_MODULE="cur.settings", SECRET_KEY=settings.SECRET_KEY)
    code = "import django; django.setup(); from django.conf import settings; print(settings.CUR_DEMO)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_make_run_turns_the_demo_on_for_its_processes_unless_told_otherwise():
    from cur.management.commands.serve import demo_mode

    environ = {}
    assert demo_mode(asked=None, environ=environ) and environ["CUR_DEMO"] == "1"  # inherited by web, worker
    environ = {"CUR_DEMO": "0"}
    assert not demo_mode(asked=None, environ=environ) and environ["CUR_DEMO"] == "0"
    environ = {}
    assert not demo_mode(asked=False, environ=environ) and environ["CUR_DEMO"] == "0"  # --no-demo


def test_the_login_page_shows_no_accounts_outside_demo_mode(client):
    with override_settings(CUR_DEMO=False):
        page = client.get(reverse("login")).content.decode()
    assert "pestravka_operator" not in page and DEMO_PASSWORD not in page


def test_the_login_page_never_shows_the_administrators_password(client):
    with override_settings(CUR_DEMO=True):
        page = client.get(reverse("login")).content.decode()
    assert "pestravka_operator" in page
    assert "admin-cur-2026" not in page
    assert not any(a["username"] == "admin" for a in DEMO_ACCOUNTS)


def test_the_administrator_has_no_fixed_password():
    assert not user("admin").check_password("admin-cur-2026")


def test_bootstrap_creates_the_administrator_with_a_generated_password_printed_once():
    from cur.accounts import administrator_ensure

    get_user_model().objects.filter(username="admin").delete()
    first, second = StringIO(), StringIO()
    administrator_ensure(stdout=first)
    administrator_ensure(stdout=second)

    printed = first.getvalue()
    password = printed.split("пароль:")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password) and len(password) >= 16
    assert second.getvalue() == ""  # never printed again
    get_user_model().objects.filter(username="admin").delete()
    other = StringIO()
    administrator_ensure(stdout=other)
    assert other.getvalue().split("пароль:")[1].split()[0] != password  # per installation, not fixed
