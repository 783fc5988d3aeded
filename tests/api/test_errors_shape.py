"""What schemathesis found, pinned: every answer under /api/ is JSON in the one error shape."""

import pytest
from rest_framework.test import APIClient

from tests.personas import client_token


@pytest.fixture
def api(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {client_token('cur_operator')}")
    return client


def test_an_address_under_api_that_names_no_operation_is_a_json_404(api):
    for method in (api.get, api.post):
        response = method("/api/v1/appeals/null,null/answer/")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_a_filter_matching_nothing_with_the_deadline_order_in_a_period_is_an_empty_page(api, make_appeal):
    make_appeal("36632000")
    response = api.get("/api/v1/appeals/", {"order": "deadline", "period": "month", "municipality": 0,
                                            "agency": 0, "sector": 0})
    # an unknown id is a filter error (400), never a 500; a valid filter set matching nothing is an empty page
    assert response.status_code in (200, 400)
    response = api.get("/api/v1/appeals/", {"order": "deadline", "period": "month", "state": "done",
                                            "status": "new"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_method_an_operation_does_not_have_is_a_json_405(api):
    response = api.delete("/api/v1/appeals/")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
