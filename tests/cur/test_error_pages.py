"""Errors as pages of the product: Russian, the navigation and a way back, never the server's bare text;
the 500 page renders with no request and no database; the API keeps answering JSON; a verdict link that
no longer works offers the centre's contacts."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from appeals.citizen import links
from appeals.lifecycle import transitions
from appeals.models import Status
from cur.models import Agency, Centre
from tests.personas import PESTRAVKA, TOLYATTI, user

BARE = ("Not Found", "Server Error", "Bad Request", "Forbidden", "CSRF verification failed", "Traceback",
        "database is on fire", "Page not found")
NAV = 'aria-label="Основная навигация"'


def page_of(response) -> str:
    html = response.content.decode()
    for bare in BARE:
        assert bare not in html, bare
    assert '<html lang="ru">' in html
    return html


def templates_of(response) -> set[str]:
    return {t.name for t in response.templates}


def test_the_suite_checks_what_production_shows():
    assert settings.DEBUG is False  # with DEBUG Django shows its own debug pages instead of these


@pytest.mark.django_db
def test_it_answers_404_with_the_page_and_the_navigation(client, make_appeal):
    elsewhere = make_appeal(TOLYATTI)
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:detail", args=[elsewhere.pk]))  # another territory: it does not exist
    assert response.status_code == 404
    assert {"404.html", "errors/page.html", "base.html"} <= templates_of(response)
    html = page_of(response)
    assert "Страница не найдена" in html and NAV in html
    assert f'href="{reverse("appeals:list")}"' in html and "К очереди обращений" in html
    assert "МЦУ м.р. Пестравский" in html  # the user's own bar, as on every page


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_address_to_a_visitor_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "404.html" in templates_of(response)
    html = page_of(response)
    assert "Страница не найдена" in html and "На главную" in html
    assert NAV not in html  # an anonymous visitor sees no navigation of the staff


@pytest.mark.django_db
def test_it_answers_403_with_the_reason(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy", status=Status.ANSWERED)
    client.force_login(user("executor_pestravka_zhkh"))  # sees the appeal of their body, may not close it
    response = client.post(reverse("appeals:action", args=[appeal.pk, "close"]), {"version": appeal.version})
    assert response.status_code == 403
    assert {"403.html", "errors/page.html", "base.html"} <= templates_of(response)
    html = page_of(response)
    assert "Это действие недоступно для вашей роли" in html and NAV in html
    assert "К очереди обращений" in html
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.cur.error_urls")
def test_it_answers_500_with_a_static_page():
    client = Client(raise_request_exception=False)
    client.force_login(user("pestravka_operator"))
    response = client.get("/boom/")
    assert response.status_code == 500
    assert {"500.html", "errors/page.html", "base.html"} <= templates_of(response)
    html = page_of(response)
    assert "Сбой на сервере" in html and NAV in html
    assert f'href="{reverse("appeals:list")}"' in html and f'href="{reverse("home")}"' in html
    assert "МЦУ м.р. Пестравский" not in html  # nothing of the user: the page knows no request


def test_the_500_page_needs_no_database():
    # no `db` fixture: any query here fails the test (pytest-django blocks database access)
    response = server_error(RequestFactory().get("/appeals/"))
    assert response.status_code == 500
    html = page_of(response)
    assert "Сбой на сервере" in html and "Очередь обращений" in html


@pytest.mark.django_db
def test_it_answers_400_with_the_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")  # not in ALLOWED_HOSTS
    assert response.status_code == 400 and "400.html" in templates_of(response)
    html = page_of(response)
    assert "Запрос не удалось обработать" in html and "Ничего не изменено" in html


@pytest.mark.django_db
def test_a_stale_form_gets_the_csrf_page_in_russian():
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("pestravka_operator"))
    response = client.post(reverse("appeals:saved_filter_save"), {"name": "x", "query": ""})
    assert response.status_code == 403 and "403_csrf.html" in templates_of(response)
    html = page_of(response)
    assert "Страница устарела" in html and NAV in html


@pytest.mark.django_db
def test_the_api_keeps_answering_json(client, make_appeal):
    elsewhere = make_appeal(TOLYATTI)
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("api-appeal-detail", args=[elsewhere.pk]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "404.html" not in templates_of(response)


# --- the verdict link that no longer works -------------------------------------------------------

@pytest.fixture
def closed(make_appeal):
    operator = user("pestravka_operator")
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None)
    appeal = transitions.appeal_register(appeal=appeal, by=operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                       by=operator)
    transitions.answer_submit(appeal=appeal, text="Трубы заменены 14.03, давление восстановлено.", by=None)
    return transitions.appeal_close(appeal=appeal, by=operator)


@pytest.mark.django_db
def test_a_broken_verdict_link_offers_the_regional_centre(client):
    cur = Centre.objects.get(level=Centre.Level.REGION, region__code=settings.CUR_REGION)
    assert cur.phone and cur.email  # the demo organisation publishes them
    response = client.get(reverse("verdict", args=["garbage"]))
    assert response.status_code == 400
    html = page_of(response)
    assert "Ссылка для оценки ответа недействительна" in html
    assert cur.name in html and f'href="mailto:{cur.email}"' in html and cur.phone in html
    assert f'href="tel:{cur.phone.replace(" ", "")}"' in html


@pytest.mark.django_db
def test_a_used_verdict_link_offers_the_municipal_centre_of_the_appeal(client, closed):
    token = links.verdict_token(closed)
    client.post(reverse("verdict", args=[token]), {"satisfaction": "satisfied"})
    response = client.get(reverse("verdict", args=[token]))
    assert response.status_code == 410
    html = page_of(response)
    mcu = Centre.objects.get(municipality__oktmo=PESTRAVKA)
    assert "Оценка этого ответа уже принята" in html
    assert mcu.name in html and mcu.phone in html and mcu.address in html
    assert f"№ {closed.number}" in html


@pytest.mark.django_db
def test_without_published_contacts_the_regional_centre_is_named(client, closed):
    Centre.objects.filter(municipality__oktmo=PESTRAVKA).update(phone="", email="", address="")
    token = links.verdict_token(closed)
    client.post(reverse("verdict", args=[token]), {"satisfaction": "satisfied"})
    html = page_of(client.get(reverse("verdict", args=[token])))
    cur = Centre.objects.get(level=Centre.Level.REGION, region=closed.region)
    assert cur.name in html and cur.phone in html
