"""The answer check while the executor types: htmx hints under the answer, scoped, nothing written."""

from urllib.parse import urljoin

import pytest
from django.urls import reverse

from appeals.lifecycle import quality
from appeals.models import Answer, AppealEvent, Status
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

FORMAL = "Ваше обращение рассмотрено, вопрос на контроле."
ON_THE_MERITS = "Яма засыпана щебнем сегодня, асфальтирование запланировано на май 2027 г."


@pytest.fixture
def assigned(make_appeal):
    appeal = make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS)
    appeal.subtopic.evidence_required = False  # the evidence reminder has a test of its own
    appeal.subtopic.save(update_fields=["evidence_required"])
    return appeal


def hints(client, appeal, text, **data):
    return client.post(reverse("appeals:answer_hints", args=[appeal.pk]), {"text": text, **data})


def test_the_answer_field_asks_for_hints_as_the_executor_types(client, assigned):
    client.force_login(user("executor_pestravka_zhkh"))
    card_url = reverse("appeals:detail", args=[assigned.pk])
    card = client.get(card_url).content.decode()

    assert 'hx-trigger="input changed delay:600ms, answer-files"' in card
    assert 'hx-post="answer-hints/"' in card and 'hx-params="text"' in card
    assert urljoin(card_url, "answer-hints/") == reverse("appeals:answer_hints", args=[assigned.pk])
    assert '<div class="answer-hints" aria-live="polite"></div>' in card
    assert "js/answer-hints.js" in card and "<script>" not in card  # CSP: no inline script


def test_it_says_what_to_add_to_a_formal_reply(client, assigned):
    client.force_login(user("executor_pestravka_zhkh"))
    response = hints(client, assigned, FORMAL, action="answer_final")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Перед отправкой дополните ответ" in page
    assert "Назовите срок: до какого числа будет сделано" in page
    assert "Назовите действие" in page and f'data-hints="{quality.TEMPLATE_ONLY} {quality.NO_DATE_OR_ACTION}"' in page


def test_an_answer_on_the_merits_gets_no_remarks(client, assigned):
    client.force_login(user("executor_pestravka_zhkh"))
    page = hints(client, assigned, ON_THE_MERITS, action="answer_final").content.decode()

    assert "Замечаний к ответу нет" in page and "Назовите" not in page


def test_an_empty_text_shows_nothing(client, assigned):
    client.force_login(user("executor_pestravka_zhkh"))
    assert hints(client, assigned, "   ", action="answer_final").content.decode().strip() == ""


def test_an_interim_answer_is_only_checked_for_templates(client, assigned):
    client.force_login(user("executor_pestravka_zhkh"))
    page = hints(client, assigned, "Бригада выедет на место, о результатах сообщим.",
                 action="answer_interim").content.decode()
    assert "Замечаний к ответу нет" in page
    page = hints(client, assigned, "Вопрос на контроле.", action="answer_interim").content.decode()
    assert "общих фраз" in page and "Назовите срок" not in page


def test_chosen_files_silence_the_evidence_reminder(client, assigned):
    assigned.subtopic.evidence_required = True
    assigned.subtopic.save(update_fields=["evidence_required"])
    client.force_login(user("executor_pestravka_zhkh"))

    assert "приложите к ответу фото" in hints(client, assigned, ON_THE_MERITS, action="answer_final").content.decode()
    page = hints(client, assigned, ON_THE_MERITS, action="answer_final", files="2").content.decode()
    assert "приложите к ответу фото" not in page and "Замечаний к ответу нет" in page


def test_it_is_cheap_and_writes_nothing(client, assigned, django_assert_max_num_queries):
    client.force_login(user("executor_pestravka_zhkh"))
    events, version = AppealEvent.objects.count(), assigned.version
    with django_assert_max_num_queries(6):
        assert hints(client, assigned, FORMAL * 200, action="answer_final").status_code == 200
    assigned.refresh_from_db()
    assert AppealEvent.objects.count() == events and assigned.version == version
    assert not Answer.objects.filter(appeal=assigned).exists()


def test_an_appeal_outside_the_scope_is_404(client, assigned):
    client.force_login(user("tolyatti_operator"))
    assert hints(client, assigned, FORMAL, action="answer_final").status_code == 404


def test_a_role_without_the_right_to_answer_is_refused(client, assigned):
    client.force_login(user("pestravka_operator"))
    assert hints(client, assigned, FORMAL, action="answer_final").status_code == 403


def test_an_appeal_that_awaits_no_answer_is_refused(client, make_appeal):
    closed = make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy", status=Status.CLOSED)
    client.force_login(user("executor_pestravka_zhkh"))
    assert hints(client, closed, FORMAL, action="answer_final").status_code == 403
    assert hints(client, closed, FORMAL, action="close").status_code == 403


def test_only_post_and_only_signed_in(client, assigned):
    url = reverse("appeals:answer_hints", args=[assigned.pk])
    assert client.post(url, {"text": FORMAL}).status_code == 302  # to the login page
    client.force_login(user("executor_pestravka_zhkh"))
    assert client.get(url).status_code == 405
