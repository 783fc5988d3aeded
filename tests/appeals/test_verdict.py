"""The citizen's verdict by our signed link: the token, the public page, and the refusals."""

import time
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from appeals.citizen import links
from appeals.lifecycle import transitions
from appeals.models import Appeal, AppealEvent, Status
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)
ANSWER = "Трубы на ул. Молодёжной заменены 14.03, давление восстановлено."


@pytest.fixture
def operator():
    return user("pestravka_operator")


@pytest.fixture
def closed(make_appeal, operator):
    """A 59-ФЗ appeal answered by МУП ЖКХ and closed, with the citizen's contacts filled in."""
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW, due_at=None,
                         citizen_phone="+7 927 000-11-22", citizen_address="446160, с. Пестравка, ул. Садовая, 7")
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                     by=operator, at=T0)
    transitions.answer_submit(appeal=appeal, text=ANSWER, by=None, at=T0 + timedelta(days=2))
    return transitions.appeal_close(appeal=appeal, by=operator, at=T0 + timedelta(days=3))


def url(token: str) -> str:
    return reverse("verdict", args=[token])


def close_again(appeal, operator, *, days: int) -> Appeal:
    """Reopened by the operator, answered anew and closed: a new closing moment."""
    appeal = transitions.appeal_reopen(appeal=appeal, reason="Жалоба в прокуратуру", by=operator,
                                     at=T0 + timedelta(days=days))
    transitions.answer_submit(appeal=appeal, text="Повторная проверка: всё исправно.", by=None,
                            at=T0 + timedelta(days=days + 1))
    return transitions.appeal_close(appeal=appeal, by=operator, at=T0 + timedelta(days=days + 2))


def test_the_token_names_the_appeal_and_its_closing(closed):
    assert links.verdict_check(links.verdict_token(closed)) == closed


def test_an_open_appeal_has_no_token(make_appeal):
    with pytest.raises(ValueError, match="not closed"):
        links.verdict_token(make_appeal(PESTRAVKA))


def test_it_shows_the_answer_to_an_anonymous_visitor(client, closed):
    page = client.get(url(links.verdict_token(closed)))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"№ {closed.number}" in html and "12.03.2024" in html
    assert ANSWER in html and Agency.objects.get(code="mup_zhkh_pestravskiy").name in html
    assert "Удовлетворён" in html and "Не удовлетворён" in html and 'name="csrfmiddlewaretoken"' in html
    assert "Выйти" not in html  # the page of a visitor, not of the workspace


def test_it_shows_no_personal_data(client, closed):
    html = client.get(url(links.verdict_token(closed))).content.decode()
    for private in ("Петрова", "petrova@example.ru", "927 000-11-22", "Садовая", closed.text):
        assert private not in html
    assert "noindex" in html


def test_it_takes_a_satisfied_verdict(client, closed):
    page = client.post(url(links.verdict_token(closed)), {"satisfaction": "satisfied"})
    assert page.status_code == 200 and "Спасибо, оценка принята" in page.content.decode()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED and closed.satisfaction == "satisfied"
    event = AppealEvent.objects.get(appeal=closed, kind=AppealEvent.Kind.RATED)
    assert event.actor is None and event.new_value == "satisfied"


def test_not_satisfied_reopens_the_appeal_with_a_fresh_deadline(client, closed):
    old_due = closed.due_at
    page = client.post(url(links.verdict_token(closed)), {"satisfaction": "not_satisfied"})
    html = page.content.decode()
    closed.refresh_from_db()
    assert page.status_code == 200 and "Спасибо, оценка принята" in html and "рассмотрено повторно" in html
    assert closed.status == Status.IN_PROGRESS and closed.satisfaction == "not_satisfied"
    assert closed.due_at > old_due and closed.closed_at is None
    assert AppealEvent.objects.filter(appeal=closed, kind=AppealEvent.Kind.REOPENED).count() == 1


@pytest.mark.parametrize("first", ["satisfied", "not_satisfied"])
def test_a_link_takes_one_verdict(client, closed, first):
    token = links.verdict_token(closed)
    client.post(url(token), {"satisfaction": first})
    again = client.post(url(token), {"satisfaction": "satisfied"})
    assert again.status_code == 410 and "уже принята" in again.content.decode()
    assert client.get(url(token)).status_code == 410
    assert AppealEvent.objects.filter(appeal=closed, kind=AppealEvent.Kind.RATED).count() == 1
    closed.refresh_from_db()
    assert closed.satisfaction == first


@pytest.mark.parametrize("token", [
    "garbage",
    "eyJhIjoxLCJjIjoxfQ:1xW35R:forged-signature",
    "",  # completed below: the real token with one character changed
])
def test_a_tampered_link_gets_a_friendly_400(client, closed, token):
    if not token:
        real = links.verdict_token(closed)
        token = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    for page in (client.get(url(token)), client.post(url(token), {"satisfaction": "not_satisfied"})):
        assert page.status_code == 400
        assert "Ссылка для оценки ответа недействительна" in page.content.decode()
    closed.refresh_from_db()
    assert closed.satisfaction == "" and closed.status == Status.CLOSED


def test_a_link_signed_for_another_purpose_is_refused(client, closed):
    from django.core import signing

    token = signing.dumps({"a": closed.pk, "c": links._stamp(closed.closed_at)}, salt="another.purpose")
    assert client.get(url(token)).status_code == 400


def test_a_link_older_than_60_days_has_expired(client, closed):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 86400):
        token = links.verdict_token(closed)
    page = client.post(url(token), {"satisfaction": "satisfied"})
    assert page.status_code == 410 and "Срок действия ссылки истёк" in page.content.decode()
    closed.refresh_from_db()
    assert closed.satisfaction == ""


def test_a_link_from_an_earlier_answer_cannot_rate_a_later_one(client, closed, operator):
    old_token = links.verdict_token(closed)
    closed = close_again(closed, operator, days=5)
    page = client.post(url(old_token), {"satisfaction": "not_satisfied"})
    assert page.status_code == 410 and "прежнему ответу" in page.content.decode()
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED and closed.satisfaction == ""
    new = client.post(url(links.verdict_token(closed)), {"satisfaction": "satisfied"})
    assert new.status_code == 200
    closed.refresh_from_db()
    assert closed.satisfaction == "satisfied"


def test_after_a_reopening_the_new_answer_can_be_rated_again(client, closed, operator):
    """«Not satisfied» leaves satisfaction set while the appeal is reworked; the next answer is still rated."""
    client.post(url(links.verdict_token(closed)), {"satisfaction": "not_satisfied"})
    appeal = Appeal.objects.get(pk=closed.pk)
    transitions.answer_submit(appeal=appeal, text="Повторно: давление в норме.", by=None)
    appeal = transitions.appeal_close(appeal=appeal, by=operator)
    page = client.post(url(links.verdict_token(appeal)), {"satisfaction": "satisfied"})
    assert page.status_code == 200
    appeal.refresh_from_db()
    assert appeal.satisfaction == "satisfied"


def test_a_choice_outside_the_two_is_refused(client, closed):
    page = client.post(url(links.verdict_token(closed)), {"satisfaction": "maybe"})
    assert page.status_code == 400 and "Выберите один из ответов" in page.content.decode()


def test_the_form_needs_the_csrf_token(closed):
    client = Client(enforce_csrf_checks=True)
    token = links.verdict_token(closed)
    assert client.post(url(token), {"satisfaction": "satisfied"}).status_code == 403
    client.get(url(token))
    csrf = client.cookies["csrftoken"].value
    page = client.post(url(token), {"satisfaction": "satisfied", "csrfmiddlewaretoken": csrf})
    assert page.status_code == 200 and "Спасибо, оценка принята" in page.content.decode()


def test_a_signed_in_operator_sees_the_same_public_page(client, closed, operator):
    client.force_login(operator)
    page = client.get(url(links.verdict_token(closed)))
    assert page.status_code == 200 and ANSWER in page.content.decode()
