"""Reference data is edited in the Django admin, by administrators only."""

import pytest

from cur.models import SlaPolicy, Subtopic
from tests.personas import user

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/", "/admin/cur/subtopic/", "/admin/cur/sector/", "/admin/cur/agency/", "/admin/cur/centre/",
    "/admin/cur/slapolicy/", "/admin/cur/calendarday/",
    "/admin/municipalities/municipality/", "/admin/municipalities/settlement/", "/admin/auth/user/",
]


@pytest.mark.parametrize("page", PAGES)
def test_it_opens_every_reference_page_for_the_administrator(client, page):
    client.force_login(user("admin"))
    response = client.get(page)
    assert response.status_code == 200
    assert "Справочники" in response.content.decode() or "ЦУР" in response.content.decode()


def test_the_head_of_the_cur_edits_a_subtopic_deadline(client):
    client.force_login(user("cur_head"))
    policy = SlaPolicy.objects.get(subtopic__code="roads.snow", kind="message", target="final")
    page = client.get(f"/admin/cur/slapolicy/{policy.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/admin/cur/slapolicy/{policy.pk}/change/", {
        "target": "final", "kind": "message", "channel": "", "subtopic": policy.subtopic_id, "importance": "",
        "unit": "working_days", "amount": 2, "warn_at_percent": 75, "is_active": "on", "note": "Указ о снегопаде",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.amount == 2


@pytest.mark.parametrize("username", ["pestravka_operator", "executor_pestravka_zhkh", "cur_curator"])
def test_operators_and_executors_have_no_admin(client, username):
    client.force_login(user(username))
    assert client.get("/admin/cur/subtopic/").status_code == 302  # sent to the admin login


def test_the_subtopics_come_from_the_rubricator_with_their_flags():
    assert Subtopic.objects.count() == 63
    snow = Subtopic.objects.get(code="roads.snow")
    assert (snow.seasonal, snow.evidence_required) == ("winter", True)
    assert snow.sla_policies.get(kind="message", target="final").amount == 3
    assert snow.sector.name == "Дорожная деятельность"
