"""Open311 in tests: a plain client (reading needs no key), an integration client's raw api_key, the XML parsed
with ElementTree, and the per-address rate lifted (the suite's requests all come from one address) except where
a test sets it."""

import secrets
from xml.etree import ElementTree

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from cur.models import ApiClient
from municipalities.geometry import label_point
from municipalities.models import Municipality
from tests.personas import client_token

BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def open311_rate():
    with override_settings(CUR_OPEN311_RATE="100000/minute"):
        yield


@pytest.fixture
def o311(db) -> APIClient:
    """A client from an address of its own: the rate's counts live in the shared cache, keyed by address."""
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    return APIClient(raise_request_exception=False, REMOTE_ADDR=address)


@pytest.fixture
def api_key(db):
    """api_key("cur_integrator") → (raw key, the client's user) of a new client with that account's role."""
    made = []

    def make(username: str):
        name = f"Open311 {username} {len(made) + 1}"
        raw = client_token(username, name=name)
        made.append(name)
        return raw, ApiClient.objects.get(name=name).user

    return make


def xml_of(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ElementTree.fromstring(response.content)


def point_in(oktmo: str) -> tuple[float, float]:
    """(lat, lon) surely inside the municipality's boundary."""
    return label_point(Municipality.objects.get(oktmo=oktmo).boundary)
