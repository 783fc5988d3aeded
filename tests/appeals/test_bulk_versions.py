"""Bulk actions carry the version each row had when the operator saw it (issue 11, finding 6): a row
changed since — by a card action of someone else — is not acted on, and the report names it."""

import re

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.models import Appeal, Status
from appeals.workspace.bulk import appeals_bulk_act
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db


def ticked_values(html: str) -> dict[str, str]:
    """The checkbox values of the queue's rows as the browser would post them, by appeal id."""
    values = re.findall(r'name="ids" value="([^"]+)" form="bulk"', html)
    return {value.split(":")[0]: value for value in values}


def test_a_row_changed_since_the_queue_was_seen_is_not_overwritten_by_the_bulk_action(client, make_appeal):
    seen, untouched = (make_appeal(PESTRAVKA, status=Status.REGISTERED, text=f"Обращение {i}") for i in range(2))
    operator, head = user("pestravka_operator"), user("pestravka_head")
    client.force_login(operator)
    values = ticked_values(client.get(reverse("appeals:list")).content.decode())
    assert str(seen.pk) in values and str(untouched.pk) in values

    # meanwhile the head routes the first one from its card
    card_choice = Agency.objects.get(code="mup_zhkh_pestravskiy")
    transitions.appeal_act(action="assign", appeal=seen, by=head, data={"version": seen.version, "agency": card_choice})

    bulk_choice = Agency.objects.get(code="adm_pestravskiy_mr")
    response = client.post(reverse("appeals:bulk"), {
        "ids": [values[str(seen.pk)], values[str(untouched.pk)]], "action": "assign", "agency": bulk_choice.pk},
        follow=True)
    texts = [str(m) for m in response.context["messages"]]
    seen.refresh_from_db()
    untouched.refresh_from_db()
    assert seen.agency == card_choice  # the card's action stands
    assert untouched.agency == bulk_choice
    assert any("изменены с тех пор: 1" in text for text in texts), texts
    assert any(seen.number in text and "изменил" in text for text in texts), texts


def test_the_service_reports_changed_rows_apart_from_refusals(make_appeal):
    one, two = (make_appeal(PESTRAVKA, status=Status.NEW, due_at=None) for _ in range(2))
    operator = user("pestravka_operator")
    seen = {one.pk: one.version, two.pk: two.version}
    transitions.appeal_act(action="register", appeal=one, by=user("pestravka_head"), data={"version": one.version})
    result = appeals_bulk_act(user=operator, seen=seen, action="register", data={})
    assert result.done == [two.number]
    assert result.changed == [one.number]
    assert result.refused == []
    assert "изменены с тех пор: 1" in result.summary
    assert Appeal.objects.get(pk=one.pk).events.filter(kind="registered").count() == 1


def test_a_bare_id_without_the_version_seen_is_refused_by_the_form(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, status=Status.NEW, due_at=None)
    client.force_login(user("pestravka_operator"))
    response = client.post(reverse("appeals:bulk"), {"ids": [str(appeal.pk)], "action": "register"}, follow=True)
    appeal.refresh_from_db()
    assert appeal.status == Status.NEW
    assert any("обновите страницу" in str(m) for m in response.context["messages"])
