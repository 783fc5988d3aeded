"""Clients of the REST API in tests: an integration client's token, as its system would send it."""

import pytest
from rest_framework.test import APIClient

from cur.models import ApiClient
from tests.personas import client_token


@pytest.fixture
def bearer(db):
    """bearer("pestravka_operator") → an APIClient sending `Authorization: Bearer <token>` of a client with that
    demo account's role and territory (a new client each call); `.user` is the client's own user, the actor of
    what it writes."""
    made = {}

    def make(username: str, *, name: str | None = None) -> APIClient:
        client = APIClient(raise_request_exception=False)  # the answer a real client would get, 500 included
        label = name or f"Система {username} {len(made) + 1}"
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {client_token(username, name=label)}")
        client.user = ApiClient.objects.get(name=label).user
        made[label] = client
        return client

    return make
