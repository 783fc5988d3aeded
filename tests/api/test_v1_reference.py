"""The reference lists of /api/v1/reference/: the caller's region only, ids and codes, bodies as the caller may
route to them, no boundaries."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from cur.models import Sector, Subtopic
from municipalities.models import Municipality
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db


def results(client, path: str) -> list[dict]:
    response = client.get(f"/api/v1/reference/{path}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_sectors_and_subtopics_of_the_region_with_codes_and_deadlines(bearer):
    client = bearer("cur_integrator")

    sectors = results(client, "sectors/")
    housing = next(s for s in sectors if s["code"] == "housing_utilities")
    subtopics = results(client, f"subtopics/?sector={housing['id']}")

    assert {s["code"] for s in sectors} >= {"housing_utilities", "roads", "other"}
    own = Sector.objects.filter(pk__in=[s["id"] for s in sectors], centre__isnull=False)
    assert all(sector.centre.region.code == "samara" for sector in own)
    assert not Sector.objects.filter(centre__region__code="chuvashia", pk__in=[s["id"] for s in sectors]).exists()
    assert subtopics and {s["sector"] for s in subtopics} == {"housing_utilities"}
    assert {s["id"] for s in subtopics} == set(Subtopic.objects.filter(sector_id=housing["id"]).values_list("pk",
                                                                                                         flat=True))
    assert all(s["message_deadline"]["unit"] == "working_days" and s["message_deadline"]["amount"] > 0
               for s in subtopics)  # the rubricator gives every subtopic its ПОС deadline
    assert client.get("/api/v1/reference/subtopics/?sector=abc").status_code == 400


def test_municipalities_without_boundaries_and_settlements_of_one(bearer):
    client = bearer("pestravka_operator")

    places = results(client, "municipalities/")
    pestravka = next(p for p in places if p["oktmo"] == PESTRAVKA)
    settlements = results(client, f"settlements/?municipality={pestravka['id']}")

    assert all(p["oktmo"].startswith("36") for p in places) and any(p["oktmo"] == TOLYATTI for p in places)
    assert "boundary" not in pestravka and pestravka["kind"] == "municipal_district"
    assert isinstance(pestravka["population"], int)
    assert "Пестравка" in {s["name"] for s in settlements}
    assert {s["municipality_id"] for s in settlements} == {pestravka["id"]}
    assert client.get("/api/v1/reference/settlements/").status_code == 400
    chuvash = Municipality.objects.filter(region__code="chuvashia").first()
    assert client.get(f"/api/v1/reference/settlements/?municipality={chuvash.pk}").status_code == 404


def test_agencies_are_those_the_caller_may_route_to(bearer):
    mcu = {a["code"] for a in results(bearer("pestravka_operator"), "agencies/")}
    executor = results(bearer("executor_pestravka_zhkh"), "agencies/")
    region = {a["code"] for a in results(bearer("cur_integrator"), "agencies/")}

    assert {"mup_zhkh_pestravskiy", "gzhi_so"} <= mcu and "adm_tolyatti_go" not in mcu
    assert [a["code"] for a in executor] == ["mup_zhkh_pestravskiy"]
    assert executor[0]["sectors"] == ["housing_utilities"] and executor[0]["municipality_oktmo"] == PESTRAVKA
    assert {"adm_tolyatti_go", "mup_zhkh_pestravskiy", "gzhi_so"} <= region
    assert not {"minobr_chr", "adm_cheboksary_g"} & region


def test_a_caller_without_a_region_gets_404(db):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("nobody", password="x-very-long-pass"))

    for path in ("sectors/", "subtopics/", "municipalities/", "settlements/?municipality=1", "agencies/"):
        assert client.get(f"/api/v1/reference/{path}").status_code == 404, path


def test_the_lists_read_in_a_few_queries(bearer, django_assert_max_num_queries):
    client = bearer("cur_integrator")
    for path in ("sectors/", "subtopics/", "municipalities/", "agencies/"):
        with django_assert_max_num_queries(10):
            assert client.get(f"/api/v1/reference/{path}").status_code == 200
