"""Each role sees exactly its part of the data — through every page, the API and the export."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from appeals.models import Appeal
from cur.scoping import scope_appeals
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeals(make_appeal):
    """Two appeals in Пестравский (ЖКХ for the МУП, roads for the administration), one in Тольятти."""
    return {
        "pestravka_housing": make_appeal(PESTRAVKA, "housing_utilities", agency="mup_zhkh_pestravskiy",
                                         text="Нет холодной воды в с. Пестравка"),
        "pestravka_roads": make_appeal(PESTRAVKA, "roads", agency="adm_pestravskiy_mr",
                                       text="Яма на дороге у школы в Пестравке"),
        "tolyatti": make_appeal(TOLYATTI, "housing_utilities", text="Течёт крыша в Автозаводском районе"),
    }


VISIBLE = {
    "cur_operator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "cur_curator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "cur_integrator": {"pestravka_housing", "pestravka_roads", "tolyatti"},
    "pestravka_operator": {"pestravka_housing", "pestravka_roads"},
    "pestravka_head": {"pestravka_housing", "pestravka_roads"},
    "pestravka_zhkh": {"pestravka_housing"},
    "tolyatti_operator": {"tolyatti"},
    "volzhsky_operator": set(),
    "executor_pestravka_zhkh": {"pestravka_housing"},
    "executor_pestravka_adm": {"pestravka_roads"},
    "executor_minobr": set(),
}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_appeals_per_role(appeals, username):
    seen = set(scope_appeals(Appeal.objects.all(), user(username)).values_list("pk", flat=True))
    assert seen == {appeals[key].pk for key in VISIBLE[username]}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_shows_each_role_only_its_appeals_in_the_list(client, appeals, username):
    client.force_login(user(username))
    response = client.get(reverse("appeals:list"))
    assert response.status_code == 200
    shown = {a.pk for a in response.context["appeals"]}
    assert shown == {appeals[key].pk for key in VISIBLE[username]}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_opens_the_card_only_inside_the_scope(client, appeals, username):
    client.force_login(user(username))
    for key, appeal in appeals.items():
        response = client.get(reverse("appeals:detail", args=[appeal.pk]))
        assert response.status_code == (200 if key in VISIBLE[username] else 404), key


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_the_api_list_and_detail(client, appeals, username):
    client.force_login(user(username))
    body = client.get("/api/v1/appeals/").json()
    assert {row["id"] for row in body["results"]} == {appeals[key].pk for key in VISIBLE[username]}
    for key, appeal in appeals.items():
        response = client.get(f"/api/v1/appeals/{appeal.pk}/")
        assert response.status_code == (200 if key in VISIBLE[username] else 404), key
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_it_scopes_the_csv_export(client, appeals, username):
    client.force_login(user(username))
    response = client.get(reverse("appeals:export_csv"))
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    numbers = {line.split(";")[0] for line in lines[1:]}
    assert numbers == {appeals[key].number for key in VISIBLE[username]}


def test_a_pestravka_operator_cannot_reach_a_tolyatti_appeal_through_any_page(client, appeals):
    client.force_login(user("pestravka_operator"))
    tolyatti = appeals["tolyatti"]
    pages = [
        reverse("home"), reverse("appeals:list"), f"{reverse('appeals:list')}?municipality={tolyatti.municipality_id}",
        reverse("appeals:export_csv"), "/api/v1/appeals/", reverse("heatmap:index") + "?days=365",
        reverse("ratings:index") + "?days=365",
    ]
    for page in pages:
        response = client.get(page)
        content = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        assert tolyatti.text not in content, page
        assert "Тольятти" not in content or page.endswith("municipality=" + str(tolyatti.municipality_id)), page
    assert client.get(reverse("appeals:detail", args=[tolyatti.pk])).status_code == 404
    assert client.get(f"/api/v1/appeals/{tolyatti.pk}/").status_code == 404


def test_filter_choices_do_not_leak_other_municipalities(client, appeals):
    client.force_login(user("pestravka_operator"))
    form = client.get(reverse("appeals:list")).context["filter"].form
    names = {str(m) for m in form.fields["municipality"].queryset}
    assert names == {"Пестравский район"}


def test_an_integrator_reads_the_api_with_a_token(client, appeals):
    token = Token.objects.create(user=user("cur_integrator"))
    response = client.get("/api/v1/appeals/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_anonymous_users_see_nothing(client, appeals):
    assert client.get(reverse("appeals:list")).status_code == 302
    assert client.get(reverse("appeals:detail", args=[appeals["tolyatti"].pk])).status_code == 302
    assert client.get("/api/v1/appeals/").status_code in (401, 403)


def test_a_user_without_a_role_sees_nothing(client, appeals, django_user_model):
    client.force_login(django_user_model.objects.create_user("stranger", password="x-very-long-pass"))
    assert list(client.get(reverse("appeals:list")).context["appeals"]) == []


@pytest.mark.parametrize(("username", "masked"), [
    ("pestravka_operator", False), ("executor_pestravka_zhkh", False),
    ("pestravka_zhkh", True), ("cur_curator", True), ("cur_integrator", True),
])
def test_it_masks_personal_data_for_roles_that_do_not_need_it(client, appeals, username, masked):
    client.force_login(user(username))
    appeal = appeals["pestravka_housing"]
    card = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    api = client.get(f"/api/v1/appeals/{appeal.pk}/").json()["citizen"]
    assert ("Петрова Анна Сергеевна" in card) is not masked
    assert ("petrova@example.ru" in card) is not masked
    assert (api["name"] == "Петрова Анна Сергеевна") is not masked
    if masked:
        assert api["name"] == "П*** А. С."
