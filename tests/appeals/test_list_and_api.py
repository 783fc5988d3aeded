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
    assert cursor == str(sixty[10].pk)  # newest first: the 50th newest is the 11th created

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


def test_the_queue_sorts_by_deadline_across_pages(client, make_appeal):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    # deadlines deliberately out of creation order, two sharing one moment
    appeals = [make_appeal(PESTRAVKA, due_at=now + timedelta(hours=h)) for h in (30, 5, 70, 5, 12) * 12]
    client.force_login(user("pestravka_operator"))
    first = client.get(reverse("appeals:list"), {"order": "deadline"})
    second = client.get(reverse("appeals:list"), {"order": "deadline", "after": first.context["next_cursor"]})
    seen = [a.pk for a in first.context["appeals"]] + [a.pk for a in second.context["appeals"]]
    expected = [a.pk for a in sorted(appeals, key=lambda a: (a.due_at, a.pk))]
    assert seen == expected and second.context["next_cursor"] is None


def test_due_within_and_low_confidence_filters(client, make_appeal):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    urgent = make_appeal(PESTRAVKA, due_at=now + timedelta(hours=3), structuring_confidence=0.9)
    later = make_appeal(PESTRAVKA, due_at=now + timedelta(days=4), structuring_confidence=0.4)
    client.force_login(user("pestravka_operator"))
    within = client.get(reverse("appeals:list"), {"due_within": 6}).context["appeals"]
    unsure = client.get(reverse("appeals:list"), {"low_confidence": "true"}).context["appeals"]
    assert [a.pk for a in within] == [urgent.pk]
    assert [a.pk for a in unsure] == [later.pk]


def test_a_hand_edited_cursor_is_harmless(client, sixty):
    client.force_login(user("pestravka_operator"))
    for junk in ["abc", "1_2_3", "nan_x", "-5", "inf_1", "1e30_1", "-1e30_1"]:
        for order in ("new", "deadline"):
            assert client.get(reverse("appeals:list"), {"after": junk, "order": order}).status_code == 200
