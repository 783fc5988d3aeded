import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_it_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["version"].startswith("18")
    assert body["broker"]["ok"]


@pytest.mark.django_db
def test_it_reports_a_broker_that_is_down(client, tmp_path):
    with override_settings(REDIS_URL=f"unix://{tmp_path}/no-such.sock"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"]
    assert not body["broker"]["ok"] and "error" in body["broker"]


@pytest.mark.django_db
def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200
