"""Idempotency-Key on a POST that creates: a repeat gets the first answer and creates nothing, a concurrent repeat
waits for the first and replays it, the key with another body is refused, a refusal is not kept."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal
from cur.models import IdempotencyKey
from tests.personas import PESTRAVKA, client_token

BODY = {"kind": "message", "text": "Яма на дороге у школы № 2", "municipality_oktmo": PESTRAVKA}


def api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.django_db
def test_a_repeat_with_the_key_replays_the_first_answer_and_creates_nothing():
    client = api(client_token("cur_integrator"))
    before = Appeal.objects.count()

    first = client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == before + 1  # no external_id: without the key it would be two appeals
    assert client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    assert Appeal.objects.count() == before + 2


@pytest.mark.django_db
def test_the_key_is_the_callers_own():
    one, other = api(client_token("cur_integrator")), api(client_token("cur_operator"))
    first = one.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = other.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


@pytest.mark.django_db
def test_the_key_with_another_body_is_refused():
    client = api(client_token("cur_integrator"))
    client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    response = client.post("/api/v1/appeals/", BODY | {"text": "Другое"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


@pytest.mark.django_db
def test_a_refusal_is_not_kept_so_the_fixed_body_may_use_the_key():
    client = api(client_token("cur_integrator"))
    bad = client.post("/api/v1/appeals/", BODY | {"text": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.filter(key="k-4").exists()

    # the same key, another (fixed) body: no longer "reused", it is the first success
    assert client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-4").status_code == 201


@pytest.mark.django_db
def test_an_expired_key_is_a_new_request():
    client = api(client_token("cur_integrator"))
    first = client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    with override_settings(CUR_API_IDEMPOTENCY_HOURS=24):
        IdempotencyKey.objects.filter(key="k-5").update(created_at=timezone.now() - timedelta(hours=25))
        second = client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-5")

    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]


@pytest.mark.django_db
def test_a_key_too_long_is_refused():
    client = api(client_token("cur_integrator"))
    response = client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="x" * 129)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["details"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_create_one_appeal(reference):
    raw = client_token("cur_integrator")
    before = Appeal.objects.count()
    barrier = threading.Barrier(4)
    answers = []

    def post():
        try:
            barrier.wait()
            answers.append(api(raw).post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Appeal.objects.count() == before + 1
    assert sum(answer.get("Idempotent-Replayed") == "true" for answer in answers) == 3


@pytest.mark.django_db
def test_the_daily_purge_forgets_old_answers_only():
    from cur.api_clients import idempotency_keys_purge

    client = api(client_token("cur_integrator"))
    client.post("/api/v1/appeals/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="old")
    client.post("/api/v1/appeals/", BODY | {"text": "Свежая яма"}, format="json", HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    with override_settings(CUR_API_IDEMPOTENCY_HOURS=24):
        assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.filter(key__in=["old", "new"]).values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_a_multipart_upload_over_the_body_limit_may_carry_a_key(tmp_path):
    """The key's fingerprint hashes the parsed upload, not `request.body` (which Django caps at 2.5 MB)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(client_token("cur_operator"))
    rows = "text,received_at\n" + "".join(f"Яма на дороге у дома {n},2026-11-20\n" for n in range(120_000))
    assert len(rows.encode()) > 2_621_440
    upload = SimpleUploadedFile("big.csv", rows.encode(), content_type="text/csv")

    response = client.post("/api/v1/import-jobs/", {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="up")

    assert response.status_code == 201, response.content[:300]
    upload.seek(0)
    again = client.post("/api/v1/import-jobs/", {"file": upload}, format="multipart", HTTP_IDEMPOTENCY_KEY="up")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == response.json()["id"]
