"""Integration clients' tokens: hashed at rest, refused when revoked, expired or switched off, rotated with a grace
period, their last use recorded, and limited per token (429 with Retry-After)."""

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal, AppealEvent
from cur.api_clients import (
    api_client_create,
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    api_token_rotate,
)
from cur.models import ApiToken, Centre
from tests.personas import PESTRAVKA

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_cur():
    return api_client_create(name="Портал г. о. Самара", role="integrator",
                             centre=Centre.objects.get(short_name="ЦУР Самарской области"))


def api(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_it_keeps_only_the_hash_of_a_token(client_of_cur):
    issued = api_token_issue(client=client_of_cur)

    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.key_hash == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.raw not in {stored.key_hash, stored.prefix} and len(stored.prefix) < len(issued.raw)
    row = ApiToken.objects.filter(pk=stored.pk).values().get()
    assert not any(issued.raw in str(value) for value in row.values())
    assert api(issued.raw).get("/api/v1/appeals/").status_code == 200


def test_it_refuses_a_missing_or_unknown_token_with_401():
    for raw in (None, "cur_" + "x" * 43, "nonsense"):
        response = api(raw).get("/api/v1/appeals/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}


def test_it_refuses_a_revoked_token_at_once(client_of_cur):
    issued = api_token_issue(client=client_of_cur)
    assert api(issued.raw).get("/api/v1/appeals/").status_code == 200

    api_token_revoke(token=issued.token)

    response = api(issued.raw).get("/api/v1/appeals/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Токен неизвестен, отозван или истёк."


def test_it_refuses_an_expired_token(client_of_cur):
    issued = api_token_issue(client=client_of_cur, expires_at=timezone.now() + timedelta(hours=1))
    assert api(issued.raw).get("/api/v1/appeals/").status_code == 200

    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api(issued.raw).get("/api/v1/appeals/").status_code == 401


def test_it_refuses_the_tokens_of_a_client_switched_off(client_of_cur):
    issued = api_token_issue(client=client_of_cur)
    client_of_cur.is_active = False
    client_of_cur.save()

    assert api(issued.raw).get("/api/v1/appeals/").status_code == 401


def test_rotation_keeps_the_old_token_for_the_grace_period_only(client_of_cur):
    old = api_token_issue(client=client_of_cur)
    with override_settings(CUR_API_TOKEN_GRACE_HOURS=24):
        new = api_token_rotate(client=client_of_cur)

    assert api(old.raw).get("/api/v1/appeals/").status_code == 200
    assert api(new.raw).get("/api/v1/appeals/").status_code == 200
    grace_end = ApiToken.objects.get(pk=old.token.pk).expires_at
    assert timedelta(hours=23) < grace_end - timezone.now() <= timedelta(hours=24)
    assert ApiToken.objects.get(pk=new.token.pk).expires_at is None

    ApiToken.objects.filter(pk=old.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(old.raw).get("/api/v1/appeals/").status_code == 401
    assert api(new.raw).get("/api/v1/appeals/").status_code == 200


def test_it_records_the_last_use_at_most_once_a_minute(client_of_cur):
    issued = api_token_issue(client=client_of_cur)
    api(issued.raw).get("/api/v1/appeals/", REMOTE_ADDR="198.51.100.7")
    first = ApiToken.objects.get(pk=issued.token.pk)
    assert first.last_used_at is not None and first.last_used_ip == "198.51.100.7"

    api(issued.raw).get("/api/v1/appeals/", REMOTE_ADDR="198.51.100.8")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first.last_used_at  # not a write per request

    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api(issued.raw).get("/api/v1/appeals/", REMOTE_ADDR="198.51.100.8")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_ip == "198.51.100.8"


def test_it_limits_each_token_to_its_rate_with_429_and_retry_after(client_of_cur):
    limited = api_token_issue(client=client_of_cur)
    other = api_client_create(name="Диспетчерская ЖКХ", role="integrator",
                              centre=Centre.objects.get(short_name="ЦУР Самарской области"), rate="2/minute")
    slow = api_token_issue(client=other)
    cache.clear()  # the suite's own Redis: no count of another test's requests
    try:
        with override_settings(CUR_API_RATE="3/minute"):
            codes = [api(limited.raw).get("/api/v1/appeals/").status_code for _ in range(4)]
            slow_codes = [api(slow.raw).get("/api/v1/appeals/").status_code for _ in range(3)]
            last = api(limited.raw).get("/api/v1/appeals/")
    finally:
        cache.clear()

    assert codes == [200, 200, 200, 429]
    assert slow_codes == [200, 200, 429]  # the client's own rate, its own count
    assert last.status_code == 429 and last.json()["error"]["code"] == "throttled"
    assert 0 < int(last["Retry-After"]) <= 60


def test_a_write_by_a_token_is_an_event_naming_the_client(client_of_cur):
    issued = api_token_issue(client=client_of_cur)

    response = api(issued.raw).post("/api/v1/appeals/", {
        "external_id": "PORTAL-1", "kind": "message", "text": "Не горят фонари на ул. Мира",
        "municipality_oktmo": PESTRAVKA}, format="json")

    assert response.status_code == 201
    event = AppealEvent.objects.get(appeal=Appeal.objects.get(pk=response.json()["id"]), kind="created")
    assert event.actor == client_of_cur.user and event.actor.first_name == "Портал г. о. Самара"


def test_the_command_issues_a_token_once(capsys):
    call_command("api_token", "Региональная BI", "--create", "--role", "integrator",
                 "--centre", "ЦУР Самарской области", "--days", "30")
    raw = capsys.readouterr().out.strip()

    assert raw.startswith("cur_")
    token = ApiToken.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())
    assert token.client.name == "Региональная BI"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert api(raw).get("/api/v1/appeals/").status_code == 200


def test_a_client_is_made_with_a_role_that_fits_its_organisation():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_client_create(name="Без центра", role="integrator")
    with pytest.raises(ValidationError):
        api_client_create(name="Куратор", role="curator", centre=Centre.objects.first())


def test_a_clients_times_are_in_its_regions_zone():
    for short_name, offset, oktmo in (("ЦУР Самарской области", "+04:00", PESTRAVKA),
                                      ("ЦУР Чувашии", "+03:00", None)):
        client = api_client_create(name=f"Часы {short_name}", role="integrator",
                                   centre=Centre.objects.get(short_name=short_name))
        body = {"kind": "message", "text": "Не горят фонари", **({"municipality_oktmo": oktmo} if oktmo else {})}
        response = api(api_token_issue(client=client).raw).post("/api/v1/appeals/", body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["received_at"].endswith(offset)


def test_the_demo_portals_token_is_kept_in_var_and_reissued_for_another_database(tmp_path):
    from cur.demo import DEMO_TOKEN_FILE, demo_api_token_ensure

    with override_settings(BASE_DIR=tmp_path):
        demo_api_token_ensure()
        path = tmp_path / "var" / DEMO_TOKEN_FILE
        first = path.read_text().strip()
        assert api_token_authenticate(first).client.name == "Демо: портал Самарской области"
        assert oct(path.stat().st_mode & 0o777) == "0o600"

        demo_api_token_ensure()
        assert path.read_text().strip() == first  # still good here: kept

        path.write_text("cur_a-token-of-another-database\n")
        demo_api_token_ensure()
        assert api_token_authenticate(path.read_text().strip()) is not None


def test_the_admin_makes_a_client_and_shows_its_token_once(client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root18", "root18@example.ru", "x")
    client.force_login(admin)
    centre = Centre.objects.get(short_name="МЦУ м.р. Пестравский")

    response = client.post("/admin/cur/apiclient/add/", {
        "name": "Портал Пестравского района", "role": "operator", "centre": centre.pk, "agency": "",
        "contact": "it@example.ru", "rate": "", "token_expires_at": ""}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for line in shown for word in line.split() if word.startswith("cur_"))
    token = api_token_authenticate(raw)
    assert token.client.name == "Портал Пестравского района" and token.client.user.membership.centre == centre
    page = client.get(f"/admin/cur/apiclient/{token.client.pk}/change/").content.decode()
    assert raw not in page and token.prefix in page  # the secret once; afterwards only its beginning

    refused = client.post("/admin/cur/apiclient/add/", {
        "name": "Без органа", "role": "executor", "centre": centre.pk, "agency": "", "contact": "", "rate": "",
        "token_expires_at": ""})
    assert refused.status_code == 200 and "Исполнитель относится к органу" in refused.content.decode()
