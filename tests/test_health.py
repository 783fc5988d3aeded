"""/healthz: public, it says only ok / not ok; the detail (versions, latencies) and the worker round
trip are for a staff login or the monitoring token."""

import pytest
from django.test import override_settings

from cur import health
from tests.personas import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_calls(monkeypatch):
    """Record worker round trips instead of waiting for a worker (tests/cur/test_worker.py runs a real one)."""
    calls = []

    def fake_worker_status(timeout: float = 5.0) -> dict:
        calls.append(timeout)
        return {"ok": True, "latency_ms": 1.0, "worker": "test@host"}

    monkeypatch.setattr(health, "worker_status", fake_worker_status)
    return calls


def test_it_says_only_ok_to_anyone(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "18." not in response.content.decode()  # no database version for strangers


def test_it_says_only_not_ok_when_the_broker_is_down(client, tmp_path):
    with override_settings(REDIS_URL=f"unix://{tmp_path}/no-such.sock"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_an_anonymous_worker_check_is_refused_and_queues_nothing(client, worker_calls):
    response = client.get("/healthz?worker=1")
    assert response.status_code == 403
    assert response.json()["status"] == "forbidden"
    assert "version" not in response.content.decode()
    assert worker_calls == []


def test_a_user_without_staff_rights_gets_no_detail(client, worker_calls):
    client.force_login(user("cur_operator"))
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/healthz?worker=1").status_code == 403
    assert worker_calls == []


def test_staff_see_the_versions_and_may_run_the_worker_check(client, worker_calls):
    client.force_login(user("cur_head"))  # staff: edits reference data
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["version"].startswith("18")
    assert body["broker"]["ok"]
    assert "worker" not in body and worker_calls == []

    with_worker = client.get("/healthz?worker=1")
    assert with_worker.status_code == 200 and with_worker.json()["worker"]["worker"] == "test@host"
    assert len(worker_calls) == 1


def test_staff_see_which_part_is_down(client, tmp_path):
    client.force_login(user("cur_head"))
    with override_settings(REDIS_URL=f"unix://{tmp_path}/no-such.sock"):
        body = client.get("/healthz").json()
    assert body["status"] == "error" and body["database"]["ok"]
    assert not body["broker"]["ok"] and "error" in body["broker"]


@override_settings(CUR_HEALTHZ_TOKEN="monitoring-secret-0123456789")
def test_the_monitoring_token_gives_the_detail_and_a_wrong_one_does_not(client, worker_calls):
    good = client.get("/healthz?worker=1", HTTP_AUTHORIZATION="Bearer monitoring-secret-0123456789")
    assert good.status_code == 200 and good.json()["database"]["version"].startswith("18")
    assert len(worker_calls) == 1

    wrong = client.get("/healthz?worker=1", HTTP_AUTHORIZATION="Bearer monitoring-secret-0123456780")
    assert wrong.status_code == 403 and len(worker_calls) == 1
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer nope").json() == {"status": "ok"}


def test_no_token_is_accepted_when_none_is_configured(client, worker_calls):
    with override_settings(CUR_HEALTHZ_TOKEN=""):
        assert client.get("/healthz?worker=1", HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert worker_calls == []


def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200
