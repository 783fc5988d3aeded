"""REST create (POST /api/v1/appeals/): auth, roles, scoping, idempotency on external_id, error shape."""

import pytest
from rest_framework.test import APIClient

from appeals.models import Appeal, AppealEvent
from tests.personas import PESTRAVKA, TOLYATTI, user

URL = "/api/v1/appeals/"
BODY = {"external_id": "EXT-1", "kind": "message", "text": "На ул. Мира не горят фонари уже неделю",
        "citizen_name": "Орлов Пётр", "citizen_email": "orlov@example.ru", "municipality_oktmo": PESTRAVKA,
        "settlement": "с. Пестравка", "received_at": "2026-11-20T10:00:00+04:00"}


def api(username: str | None = None) -> APIClient:
    client = APIClient()
    if username:
        client.force_authenticate(user(username))
    return client


@pytest.mark.django_db
def test_it_creates_once_and_answers_the_same_appeal_when_posted_again():
    first = api("cur_integrator").post(URL, BODY, format="json")
    again = api("cur_integrator").post(URL, BODY, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind, appeal.external_id) == ("api", "message", "EXT-1")
    assert appeal.municipality.oktmo == PESTRAVKA and appeal.settlement.name == "Пестравка"
    assert first.json()["municipality_oktmo"] == PESTRAVKA
    assert AppealEvent.objects.filter(appeal=appeal, kind="created").count() == 1


@pytest.mark.django_db
def test_a_newer_version_updates_and_an_older_one_is_ignored():
    api("cur_integrator").post(URL, dict(BODY, version=2), format="json")
    newer = api("cur_integrator").post(URL, dict(BODY, version=3, text="Фонари так и не горят"), format="json")
    older = api("cur_integrator").post(URL, dict(BODY, version=1, text="Старый текст"), format="json")

    assert newer.status_code == older.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.text == "Фонари так и не горят" and appeal.source_version == 3
    assert AppealEvent.objects.filter(appeal=appeal, kind="source_updated", field="text").count() == 1


@pytest.mark.django_db
def test_without_an_external_id_each_post_is_a_new_item_unless_identical():
    body = {k: v for k, v in BODY.items() if k != "external_id"}
    first = api("cur_operator").post(URL, body, format="json")
    same = api("cur_operator").post(URL, body, format="json")
    other = api("cur_operator").post(URL, dict(body, text="Другой вопрос: нет воды"), format="json")

    assert (first.status_code, same.status_code, other.status_code) == (201, 200, 201)
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_errors_have_the_one_shape():
    response = api("cur_integrator").post(URL, {"text": "", "received_at": "вчера", "importance": "срочно"},
                                          format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["details"]) >= {"text", "received_at", "importance"}
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_html_only_text_and_an_unknown_oktmo_are_refused_with_a_reason():
    html_only = api("cur_integrator").post(URL, dict(BODY, text="<script>alert(1)</script>"), format="json")
    unknown = api("cur_integrator").post(URL, dict(BODY, municipality_oktmo="99999999"), format="json")

    assert html_only.status_code == 400 and "text: пусто" in str(html_only.json()["error"]["details"])
    assert unknown.status_code == 400 and "municipality_oktmo" in unknown.json()["error"]["details"]


@pytest.mark.django_db
def test_it_refuses_anonymous_and_roles_that_do_not_take_in():
    assert api().post(URL, BODY, format="json").status_code in (401, 403)
    for username in ("cur_curator", "pestravka_zhkh", "executor_pestravka_zhkh"):
        response = api(username).post(URL, BODY, format="json")
        assert response.status_code == 403, username
        assert response.json()["error"]["code"] == "permission_denied"
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_a_municipal_centre_creates_in_its_own_municipality_only():
    foreign = api("pestravka_operator").post(URL, dict(BODY, municipality_oktmo=TOLYATTI), format="json")
    own = api("pestravka_operator").post(URL, dict(BODY, municipality_oktmo=""), format="json")

    assert foreign.status_code == 403
    assert own.status_code == 201 and own.json()["municipality_oktmo"] == PESTRAVKA


@pytest.mark.django_db
def test_the_list_still_answers_on_the_same_address():
    api("cur_integrator").post(URL, BODY, format="json")

    response = api("cur_integrator").get(URL)

    assert response.status_code == 200 and response.json()["results"][0]["external_id"] == "EXT-1"


@pytest.mark.django_db
def test_a_repeat_with_a_partial_body_keeps_the_fields_it_does_not_send():
    """Finding 5: a retry that carries only the text must not erase the citizen's contacts."""
    api("cur_integrator").post(URL, dict(BODY, citizen_phone="+7 927 000-00-00", title="Фонари", importance="high"),
                               format="json")

    again = api("cur_integrator").post(URL, {"external_id": "EXT-1", "text": "Фонари так и не горят"}, format="json")

    assert again.status_code == 200, again.content
    appeal = Appeal.objects.get()
    assert appeal.text == "Фонари так и не горят"
    assert (appeal.citizen_name, appeal.citizen_email, appeal.citizen_phone) == (
        "Орлов Пётр", "orlov@example.ru", "+7 927 000-00-00")
    assert (appeal.title, appeal.importance) == ("Фонари", "high")
    changed = AppealEvent.objects.filter(appeal=appeal, kind="source_updated").values_list("field", flat=True)
    assert list(changed) == ["text"]
    cleared = api("cur_integrator").post(URL, {"external_id": "EXT-1", "text": "Фонари так и не горят",
                                               "citizen_phone": ""}, format="json")
    appeal.refresh_from_db()
    assert cleared.status_code == 200 and appeal.citizen_phone == "" and appeal.citizen_name == "Орлов Пётр"
