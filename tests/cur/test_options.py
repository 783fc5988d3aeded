"""Option lists of reference data are kept between requests and dropped when the data changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cur.models import Agency
from tests.personas import user

pytestmark = pytest.mark.django_db


def _agency_option_queries(ctx) -> int:
    return sum('FROM "cur_agency"' in q["sql"] and '"short_name"' in q["sql"] for q in ctx.captured_queries)


def test_it_reads_the_option_lists_once_and_again_after_a_change(client):
    client.force_login(user("pestravka_operator"))
    client.get("/appeals/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/appeals/").status_code == 200
    assert _agency_option_queries(ctx) == 0  # kept from the first page

    agency = Agency.objects.get(code="mup_zhkh_pestravskiy")
    agency.short_name = "МУП «Водоканал Пестравка»"
    agency.save()
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/appeals/").content.decode()
    assert _agency_option_queries(ctx) >= 1
    assert "МУП «Водоканал Пестравка»" in page


def test_a_scope_that_sees_nothing_gets_empty_lists(client, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(nobody)
    assert client.get("/appeals/").status_code == 200
