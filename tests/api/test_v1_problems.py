"""GET /api/v1/problems/ and /problems/<id>/: the caller's Problems (one of its appeals in the scope), newest
first by keyset, titles masked for a role without personal data (152-ФЗ), the appeals of one Problem."""

import pytest

from appeals.problems.services import problem_join
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
PHONE = "+7 927 123-45-67"


@pytest.fixture
def problems(make_appeal):
    """A Problem of two appeals in Пестравский (its title, from a text, carries a phone) and one in Тольятти."""
    text = f"Не вывозят мусор с площадки у дома 5, звоните {PHONE}"
    first, second = make_appeal(PESTRAVKA, "waste", text=text), make_appeal(PESTRAVKA, "waste", text=text)
    third, fourth = make_appeal(TOLYATTI, "roads", text="Яма у остановки"), make_appeal(TOLYATTI, "roads")
    operator = user("cur_operator")
    return {"pestravka": problem_join(appeal=first, other=second, by=operator),
            "tolyatti": problem_join(appeal=third, other=fourth, by=operator),
            "appeals": [first, second]}


def test_an_operator_of_a_municipality_lists_its_problems_only(bearer, problems):
    response = bearer("pestravka_operator").get("/api/v1/problems/")

    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["results"]] == [problems["pestravka"].pk] and body["next_after"] is None
    found = body["results"][0]
    assert found["appeals_count"] == 2 and found["channels_count"] == 1
    assert found["municipality_oktmo"] == PESTRAVKA and PHONE in found["title"]  # an operator reads it whole


def test_the_detail_lists_the_appeals_and_is_404_outside_the_scope(bearer, problems):
    client = bearer("pestravka_operator")

    own = client.get(f"/api/v1/problems/{problems['pestravka'].pk}/")
    foreign = client.get(f"/api/v1/problems/{problems['tolyatti'].pk}/")

    assert own.status_code == 200
    assert [(a["id"], a["number"], a["status"]) for a in own.json()["appeals"]] == [
        (a.pk, a.number, "new") for a in problems["appeals"]]
    assert foreign.status_code == 404


def test_an_integrator_sees_the_region_with_titles_masked(bearer, problems):
    client = bearer("cur_integrator")

    listed = client.get("/api/v1/problems/").json()["results"]
    detail = client.get(f"/api/v1/problems/{problems['pestravka'].pk}/").json()

    assert {p["id"] for p in listed} == {problems["pestravka"].pk, problems["tolyatti"].pk}
    for title in [p["title"] for p in listed] + [detail["title"]]:
        assert PHONE not in title and "123-45" not in title
    assert "[телефон]" in detail["title"]


def test_an_executor_sees_no_problem_of_appeals_not_assigned_to_its_body(bearer, problems):
    client = bearer("executor_pestravka_zhkh")

    assert client.get("/api/v1/problems/").json()["results"] == []
    assert client.get(f"/api/v1/problems/{problems['pestravka'].pk}/").status_code == 404


def test_pages_go_by_keyset_fifty_at_a_time(bearer, make_appeal, django_assert_max_num_queries):
    operator = user("cur_operator")
    made = [problem_join(appeal=make_appeal(PESTRAVKA, "roads"), other=make_appeal(PESTRAVKA, "roads"), by=operator)
            for _ in range(52)]
    client = bearer("cur_integrator")

    with django_assert_max_num_queries(12):  # a constant number, whatever the page holds
        first = client.get("/api/v1/problems/").json()
    second = client.get(f"/api/v1/problems/?after={first['next_after']}").json()

    ids = [p["id"] for p in first["results"]] + [p["id"] for p in second["results"]]
    assert len(first["results"]) == 50 and second["next_after"] is None
    assert ids == sorted((p.pk for p in made), reverse=True)
    assert client.get("/api/v1/problems/?after=abc").status_code == 400
