"""The REST API answers every error in its own JSON shape: a body over the size limit, missing or bad
credentials (401 with WWW-Authenticate, so a client knows to send a token)."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from appeals.models import Appeal
from tests.personas import PESTRAVKA, client_token, user

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals/"


def token_client(username: str = "cur_integrator") -> APIClient:
    client = APIClient(raise_request_exception=False)  # see the response a real client would get
    token = client_token(username)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def oversize_body() -> bytes:
    text = "Нет воды. " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 10)
    body = json.dumps({"external_id": "BIG-1", "text": text, "municipality_oktmo": PESTRAVKA}, ensure_ascii=False)
    assert len(body.encode()) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return body.encode()


def test_a_body_over_the_size_limit_gets_the_json_error_shape():
    response = token_client().post(URL, oversize_body(), content_type="application/json")

    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert "МБ" in error["message"]
    assert not Appeal.objects.exists()


def test_a_form_encoded_body_over_the_size_limit_gets_the_json_error_shape_too():
    body = b"text=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = token_client().post(URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413, response.content[:300]
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_body_within_the_limit_is_still_taken_in():
    response = token_client().post(URL, {"external_id": "OK-1", "text": "Нет воды на ул. Мира",
                                         "municipality_oktmo": PESTRAVKA}, format="json")
    assert response.status_code == 201, response.content


def test_no_credentials_get_401_with_www_authenticate():
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_bad_token_gets_401_with_www_authenticate():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    for response in (client.get(URL), client.post(URL, {"text": "x"}, format="json")):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json()["error"]["code"] == "authentication_failed"


def test_a_session_still_works_and_a_forbidden_role_still_gets_403(client):
    client.force_login(user("cur_operator"))
    assert client.get(URL).status_code == 200
    client.force_login(user("cur_curator"))
    response = client.post(URL, {"text": "Нет воды"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
