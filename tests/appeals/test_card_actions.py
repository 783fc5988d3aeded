"""The card's actions through the web: role rights, scope, stale pages, refusals with a message."""

import pytest
from django.urls import reverse

from appeals.models import AppealEvent, Status
from cur.models import Agency
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(make_appeal):
    return make_appeal(PESTRAVKA, "housing_utilities", status=Status.NEW, due_at=None)


def act(client, appeal, action, **data):
    appeal.refresh_from_db()
    data.setdefault("version", appeal.version)
    return client.post(reverse("appeals:action", args=[appeal.pk, action]), data, follow=True)


def test_an_operator_registers_and_assigns_from_the_card(client, fresh):
    client.force_login(user("pestravka_operator"))
    card = client.get(reverse("appeals:detail", args=[fresh.pk])).content.decode()
    assert 'data-action="register"' in card and 'data-action="close"' not in card

    response = act(client, fresh, "register")
    assert "Обращение зарегистрировано, срок ответа — до " in response.content.decode()
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    assert f"Направлено: {zhkh.short_name}." in act(client, fresh, "assign", agency=zhkh.pk).content.decode()
    fresh.refresh_from_db()
    assert fresh.status == Status.IN_PROGRESS and fresh.agency == zhkh and fresh.due_at is not None
    assert AppealEvent.objects.filter(appeal=fresh, kind="assigned", actor=user("pestravka_operator")).exists()


def test_the_executor_answers_and_cannot_close(client, fresh):
    operator, executor = user("pestravka_operator"), user("executor_pestravka_zhkh")
    client.force_login(operator)
    act(client, fresh, "register")
    act(client, fresh, "assign", agency=Agency.objects.get(code="mup_zhkh_pestravskiy").pk)

    client.force_login(executor)
    card = client.get(reverse("appeals:detail", args=[fresh.pk])).content.decode()
    assert 'data-action="answer_final"' in card and 'data-action="assign"' not in card
    act(client, fresh, "answer_final", text="Вопрос на контроле.")
    fresh.refresh_from_db()
    assert fresh.status == Status.ANSWERED
    assert act(client, fresh, "close").status_code == 403

    client.force_login(operator)
    card = client.get(reverse("appeals:detail", args=[fresh.pk])).content.decode()
    assert "шаблонный ответ без сути" in card  # the operator sees the flag before deciding
    act(client, fresh, "return_for_rework", reason="Нет срока и конкретных работ")
    fresh.refresh_from_db()
    assert fresh.status == Status.RETURNED_FOR_REWORK


def test_an_operator_of_another_district_cannot_act(client, fresh):
    client.force_login(user("tolyatti_operator"))
    assert act(client, fresh, "register").status_code == 404
    fresh.refresh_from_db()
    assert fresh.status == Status.NEW


def test_a_curator_has_no_actions(client, fresh):
    client.force_login(user("cur_curator"))
    assert 'data-action=' not in client.get(reverse("appeals:detail", args=[fresh.pk])).content.decode()
    assert act(client, fresh, "register").status_code == 403


def test_a_stale_page_gets_a_clear_message_and_changes_nothing(client, fresh):
    client.force_login(user("pestravka_operator"))
    stale = fresh.version
    act(client, fresh, "register")
    response = client.post(reverse("appeals:action", args=[fresh.pk, "leave_without_answer"]),
                           {"version": stale, "ground": "unreadable"}, follow=True)
    assert "уже изменил другой пользователь" in response.content.decode()
    fresh.refresh_from_db()
    assert fresh.status == Status.REGISTERED


def test_an_illegal_action_is_refused_with_its_reason(client, make_appeal):
    appeal = make_appeal(TOLYATTI, kind="message", status=Status.NEW)
    client.force_login(user("tolyatti_operator"))
    response = act(client, appeal, "extend", days=10, reason="Проверка")
    assert "не применяется к виду" in response.content.decode()


def test_a_form_error_is_shown_not_raised(client, fresh):
    client.force_login(user("pestravka_operator"))
    act(client, fresh, "register")
    response = act(client, fresh, "assign", agency=999999)
    assert response.status_code == 200 and "Проверьте форму" in response.content.decode()


def test_the_executor_inbox_opens_on_open_items_nearest_deadline_first(client, make_appeal):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    later = make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy", due_at=now + timedelta(days=5))
    sooner = make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy", due_at=now + timedelta(days=1))
    make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy", status=Status.CLOSED)
    client.force_login(user("executor_pestravka_zhkh"))
    response = client.get(reverse("appeals:list"))
    assert "Входящие исполнителя" in response.content.decode()
    assert [a.pk for a in response.context["appeals"]] == [sooner.pk, later.pk]
