"""What the structuring pipeline proposed, on the card: the routing proposal preselected in «направить
исполнителю», the ст. 11 signs as a hint."""

import pytest

from appeals.models import Appeal, Status
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db


def test_the_card_preselects_the_proposed_body_and_shows_the_signs(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, status=Status.REGISTERED)
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    Appeal.objects.filter(pk=appeal.pk).update(proposed_agency=zhkh, legal_flags=["obscene_or_threatening"])
    client.force_login(user("pestravka_operator"))
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "Предложено маршрутизацией" in page
    assert f'<option value="{zhkh.pk}" selected>' in page
    assert "Нецензурные либо оскорбительные выражения, угрозы" in page


def test_personal_data_inside_the_text_is_masked_for_roles_without_access(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, text="Звоните мне: +7 927 123-45-67, Иванова Мария Петровна. Нет воды в доме 5")
    client.force_login(user("pestravka_operator"))
    assert "+7 927 123-45-67" in client.get(appeal.get_absolute_url()).content.decode()
    client.force_login(user("cur_curator"))
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert "123-45-67" not in page and "Иванова Мария" not in page and "Нет воды в доме 5" in page


def test_the_api_masks_personal_data_in_the_text_for_an_integrator(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, text="Мой телефон +7 927 123-45-67. Нет воды в доме 5")
    client.force_login(user("cur_integrator"))
    detail = client.get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert "123-45-67" not in detail["text"] and "Нет воды" in detail["text"]
    listed = client.get("/api/v1/appeals/").json()["results"]
    assert listed and all("123-45-67" not in item["text"] for item in listed)
