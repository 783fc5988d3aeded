"""GET /api/v1/heatmap/ and /heatmap/municipalities/<id>/: the page's figures from the rollups, in the caller's
scope, each with the queue filter `area` that lists exactly the appeals it counted."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from cur.models import Sector
from municipalities.models import Municipality
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
MARCH = "period=month&on=2024-03-10"


@pytest.fixture
def march(make_appeal):
    """March 2024: three ЖКХ appeals and one road appeal in Пестравский, two ЖКХ in Тольятти; one in February."""
    for day, oktmo, sector in ((4, PESTRAVKA, "housing_utilities"), (5, PESTRAVKA, "housing_utilities"),
                               (6, PESTRAVKA, "housing_utilities"), (7, PESTRAVKA, "roads"),
                               (8, TOLYATTI, "housing_utilities"), (9, TOLYATTI, "housing_utilities")):
        make_appeal(oktmo, sector, received_at=datetime(2024, 3, day, 10, tzinfo=SAMARA))
    make_appeal(PESTRAVKA, "housing_utilities", received_at=datetime(2024, 2, 10, 10, tzinfo=SAMARA))
    rollups_refresh(now=datetime(2024, 4, 5, tzinfo=SAMARA))


def row(body, oktmo):
    return next(r for r in body["rows"] if r["municipality"]["oktmo"] == oktmo)


def test_the_matrix_counts_as_the_page_and_each_figure_drills_to_its_appeals(bearer, march):
    client = bearer("cur_integrator")

    body = client.get(f"/api/v1/heatmap/?{MARCH}").json()

    assert body["period"] == {"kind": "month", "first": "2024-03-01", "last": "2024-03-31", "label": "март 2024"}
    assert body["compared_with"]["first"] == "2024-02-01" and body["column_dimension"] == "sector"
    pestravka = row(body, PESTRAVKA)
    assert pestravka["count"] == pestravka["value"] == 4 and pestravka["change_pct"] == 300.0
    housing = [c["code"] for c in body["columns"]].index("housing_utilities")
    assert pestravka["cells"][housing]["count"] == 3 and body["columns"][housing]["count"] == 5
    assert body["total"]["count"] == 6
    listed = client.get("/api/v1/appeals/", {"area": pestravka["cells"][housing]["area"]}).json()
    assert len(listed["results"]) == 3
    assert {a["municipality_oktmo"] for a in listed["results"]} == {PESTRAVKA}
    assert len(client.get("/api/v1/appeals/", {"area": body["total"]["area"]}).json()["results"]) == 6


def test_a_mcu_sees_its_own_row_and_measures_and_filters_work(bearer, march):
    client = bearer("pestravka_operator")
    housing = Sector.objects.get(code="housing_utilities")

    body = client.get(f"/api/v1/heatmap/?{MARCH}&measure=change_abs&sector={housing.pk}").json()

    assert [r["municipality"]["oktmo"] for r in body["rows"]] == [PESTRAVKA]
    assert body["measure"] == "change_abs" and body["column_dimension"] == "subtopic"
    assert body["filters"] == {"sector": housing.pk}
    assert row(body, PESTRAVKA)["value"] == 2  # three ЖКХ in March against one in February
    assert body["total"]["count"] == 3


def test_the_municipality_page_and_its_scope(bearer, march):
    pestravka, tolyatti = (Municipality.objects.get(oktmo=o) for o in (PESTRAVKA, TOLYATTI))
    client = bearer("pestravka_operator")

    page = client.get(f"/api/v1/heatmap/municipalities/{pestravka.pk}/?{MARCH}")
    foreign = client.get(f"/api/v1/heatmap/municipalities/{tolyatti.pk}/?{MARCH}")

    assert page.status_code == 200 and foreign.status_code == 404
    body = page.json()
    assert body["municipality"]["oktmo"] == PESTRAVKA and body["total"]["count"] == 4
    housing = next(s for s in body["sectors"] if s["id"] == Sector.objects.get(code="housing_utilities").pk)
    assert housing["count"] == 3 and sum(s["count"] for s in housing["subtopics"]) == 3
    assert set(housing["values"]) == set(body["measures"]) and housing["areas"]["count"]
    assert sum(s["count"] for s in body["settlements"]) == 4
    listed = client.get("/api/v1/appeals/", {"area": housing["areas"]["count"]}).json()["results"]
    assert len(listed) == 3


def test_bad_parameters_are_400_and_no_region_is_404(bearer):
    client = bearer("cur_integrator")
    nobody = APIClient()
    nobody.force_authenticate(get_user_model().objects.create_user("nobody", password="x-very-long-pass"))

    assert client.get("/api/v1/heatmap/?period=custom&from=2024-03-10&to=2024-03-01").status_code == 400
    assert client.get("/api/v1/heatmap/?measure=beauty").status_code == 400
    assert client.get("/api/v1/heatmap/?sector=abc").status_code == 400
    assert nobody.get("/api/v1/heatmap/").status_code == 404
    pestravka = Municipality.objects.get(oktmo=PESTRAVKA)
    assert nobody.get(f"/api/v1/heatmap/municipalities/{pestravka.pk}/").status_code == 404
