"""After an action the card says what happened — the result, in Russian — not «Готово: <command>»."""

import re

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.models import Status
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db


def messages_after(client, appeal, action, **data):
    appeal.refresh_from_db()
    data.setdefault("version", appeal.version)
    response = client.post(reverse("appeals:action", args=[appeal.pk, action]), data, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_every_action_has_its_result_in_words():
    for name, spec in transitions.ACTIONS.items():
        assert spec.done and spec.done[0].isupper(), name
        assert not spec.done.startswith("Готово"), name


def test_a_day_of_the_card_reads_as_results(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None)
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    other = Agency.objects.get(code="adm_pestravskiy_mr")
    operator, executor = user("pestravka_operator"), user("executor_pestravka_zhkh")

    client.force_login(operator)
    [registered] = messages_after(client, appeal, "register")
    assert re.fullmatch(r"Обращение зарегистрировано, срок ответа — до \d\d\.\d\d\.\d{4}\.", registered)
    assert messages_after(client, appeal, "assign", agency=other.pk) == [f"Направлено: {other.short_name}."]
    assert messages_after(client, appeal, "forward", agency=zhkh.pk, reason="Сети — МУП ЖКХ") == \
        [f"Переадресовано: {zhkh.short_name}."]

    client.force_login(executor)
    assert messages_after(client, appeal, "answer_final",
                          text="Трубы заменены 14.03, давление восстановлено.") == ["Ответ отправлен на проверку."]

    client.force_login(operator)
    assert messages_after(client, appeal, "return_for_rework", reason="Нет акта") == \
        [f"Возвращено на доработку: {zhkh.short_name}."]
    client.force_login(executor)
    messages_after(client, appeal, "answer_final", text="Трубы заменены 14.03, акт приложен.")
    client.force_login(operator)
    assert messages_after(client, appeal, "close") == ["Ответ принят, обращение закрыто."]
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED


def test_without_a_deadline_the_message_names_no_date(make_appeal):
    appeal = make_appeal(PESTRAVKA, due_at=None)
    appeal.due_at = None
    assert transitions.action_done("register", appeal) == "Обращение зарегистрировано"
    assert transitions.action_done("close", appeal) == "Ответ принят, обращение закрыто"
