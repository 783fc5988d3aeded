"""Corrections of the structured fields: each one an event with the old and the new value."""

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.lifecycle.transitions import TransitionRefused
from appeals.models import AppealEvent
from cur.models import Subtopic
from municipalities.models import Municipality, Settlement
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def test_a_new_subtopic_brings_its_sector_and_every_change_is_an_event(make_appeal):
    appeal = make_appeal(PESTRAVKA, "housing_utilities", structuring_confidence=0.4)
    snow = Subtopic.objects.get(code="roads.snow")
    operator = user("pestravka_operator")
    changes = {"subtopic": snow, "address": "ул. Ленина, 3"}
    appeal = transitions.appeal_correct(appeal=appeal, by=operator, changes=changes)
    assert appeal.sector.code == "roads" and appeal.structuring_confidence == 1.0
    events = {e.field: e for e in AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.FIELD_CHANGED)}
    assert set(events) == {"subtopic", "sector", "address"}
    assert events["sector"].old_value == "Жилищно-коммунальное хозяйство"
    assert events["sector"].new_value == "Дорожная деятельность" and events["sector"].actor == operator


def test_nothing_changed_writes_nothing(make_appeal):
    appeal = make_appeal(PESTRAVKA)
    before = appeal.version
    transitions.appeal_correct(appeal=appeal, by=None, changes={"address": appeal.address})
    appeal.refresh_from_db()
    assert appeal.version == before
    assert not AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.FIELD_CHANGED).exists()


def test_a_settlement_must_lie_in_the_municipality(make_appeal):
    appeal = make_appeal(PESTRAVKA)
    tolyatti = Settlement.objects.filter(municipality__oktmo=TOLYATTI).first()
    with pytest.raises(TransitionRefused, match="не относится"):
        transitions.appeal_correct(appeal=appeal, by=None, changes={"settlement": tolyatti})
    with pytest.raises(TransitionRefused, match="не исправляются"):
        transitions.appeal_correct(appeal=appeal, by=None, changes={"status": "closed"})


def test_the_card_form_corrects_the_subtopic_and_shows_it_in_the_history(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, "housing_utilities")
    client.force_login(user("pestravka_operator"))
    card = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "Исправить структуру" in card
    snow = Subtopic.objects.get(code="roads.snow")
    pestravsky = Municipality.objects.get(oktmo=PESTRAVKA)
    response = client.post(reverse("appeals:correct", args=[appeal.pk]), {
        "version": appeal.version, "subtopic": snow.pk, "municipality": pestravsky.pk,
        "settlement": appeal.settlement_id, "address": appeal.address, "importance": "normal",
    }, follow=True)
    page = response.content.decode()
    assert "исправления записаны" in page
    assert "Подтема:" in page and "Уборка снега и наледи на дорогах" in page


def test_an_executor_cannot_correct(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, agency="mup_zhkh_pestravskiy")
    client.force_login(user("executor_pestravka_zhkh"))
    assert "Исправить структуру" not in client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert client.post(reverse("appeals:correct", args=[appeal.pk]), {"version": 1}).status_code == 403
