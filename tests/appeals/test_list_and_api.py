"""The appeal list, its keyset pages, the API's errors and the CSV export."""

import pytest
from django.urls import reverse

from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sixty(make_appeal):
    return [make_appeal(PESTRAVKA, text=f"Обращение номер {i}") for i in range(60)]


def test_it_pages_with_a_keyset_cursor_and_htmx(client, sixty):
    client.force_login(user("pestravka_operator"))
    first = client.get(reverse("appeals:list"))
    assert len(first.context["appeals"]) == 50
    cursor = first.context["next_cursor"]
    assert cursor == sixty[10].pk  # newest first: the 50th newest is the 11th created

    more = client.get(reverse("appeals:list"), {"after": cursor}, HTTP_HX_REQUEST="true")
    assert [a.pk for a in more.context["appeals"]] == [a.pk for a in reversed(sixty[:10])]
    assert more.context["next_cursor"] is None
    assert "<html" not in more.content.decode()  # a fragment of rows for the HTMX swap


def test_it_filters_the_list(client, sixty, make_appeal):
    roads = make_appeal(PESTRAVKA, "roads", text="Яма на дороге")
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:list"), {"sector": roads.sector_id})
    assert [a.pk for a in response.context["appeals"]] == [roads.pk]


def test_the_api_refuses_a_bad_filter_with_a_clear_error(client, sixty):
    client.force_login(user("cur_operator"))
    response = client.get("/api/v1/appeals/", {"status": "nonsense"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and "status" in error["details"]


def test_the_api_pages_with_next_after(client, sixty):
    client.force_login(user("cur_operator"))
    page = client.get("/api/v1/appeals/").json()
    assert len(page["results"]) == 50
    rest = client.get("/api/v1/appeals/", {"after": page["next_after"]}).json()
    assert len(rest["results"]) == 10 and rest["next_after"] is None


def test_the_csv_export_has_russian_headers_and_no_personal_data(client, sixty):
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:export_csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = body.strip().splitlines()
    assert header.startswith("Номер;Поступило;Вид;Канал;Статус")
    assert len(rows) == 60
    assert "Петрова" not in body and "petrova@example.ru" not in body
