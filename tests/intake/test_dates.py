"""Finding 9: an absurd date (received in 1800, 1900, or years ahead) is refused at intake with one
rule and one message on every path — the feeds, files (CSV text and XLSX date cells), REST and the
staff form. The earliest plausible date is a setting (CUR_EARLIEST_DATE)."""

from datetime import date, datetime

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from appeals.intake.items import Invalid, Territory
from appeals.models import Appeal, QuarantinedItem
from appeals.sources.pos import parse_pos_item
from municipalities.models import Region
from tests.intake.test_files import TEXTS, csv_bytes, rows, run_import, xlsx_bytes
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

TOO_EARLY = "раньше 01.01.2000"


@pytest.mark.parametrize(("received_at", "why"), [
    ("1800-01-01T00:00:00Z", TOO_EARLY),
    ("1900-06-01T10:00:00+04:00", TOO_EARLY),
    ("2099-01-01T10:00:00+04:00", "в будущем"),
])
def test_rest_refuses_an_absurd_date(received_at, why):
    client = APIClient()
    client.force_authenticate(user("cur_integrator"))

    response = client.post("/api/v1/appeals/", {"external_id": "EXT-OLD", "text": "Нет воды",
                                                "received_at": received_at}, format="json")

    assert response.status_code == 400, response.content
    assert why in str(response.json()["error"]["details"])
    assert not Appeal.objects.exists()


def test_xlsx_date_cells_follow_the_same_rule():
    job = run_import(xlsx_bytes([
        ["Номер", "Дата поступления", "Текст", "ОКТМО"],
        ["X-1800", datetime(1800, 5, 1, 9, 0), TEXTS[0], int(PESTRAVKA)],
        ["X-1900", date(1900, 1, 1), TEXTS[1], int(PESTRAVKA)],
        ["X-2099", datetime(2099, 1, 1, 9, 0), TEXTS[2], int(PESTRAVKA)],
        ["X-OK", datetime(2026, 10, 5, 9, 30), TEXTS[2], int(PESTRAVKA)],
    ]), name="реестр.xlsx")

    assert (job.created, job.quarantined) == (1, 3)
    assert list(Appeal.objects.values_list("external_id", flat=True)) == ["X-OK"]
    why = dict(QuarantinedItem.objects.values_list("external_id", "reason"))
    assert TOO_EARLY in why["X-1800"] and TOO_EARLY in why["X-1900"] and "в будущем" in why["X-2099"]


@override_settings(CUR_EARLIEST_DATE="2010-01-01")
def test_the_earliest_date_is_a_setting_for_files_and_feeds():
    job = run_import(csv_bytes(rows(1, external_id="OLD", received_at="01.01.2005")
                               + rows(1, external_id="NEW", received_at="01.01.2012")))

    assert (job.created, job.quarantined) == (1, 1)
    assert "раньше 01.01.2010" in QuarantinedItem.objects.get(external_id="OLD").reason
    territory = Territory.of(Region.objects.get(code="samara"))
    record = {"id": "POS-1", "type": "message", "version": 1, "created_at": "2005-03-01T10:00:00+04:00",
              "text": "Не убирают снег"}
    with pytest.raises(Invalid, match="created_at: дата 01.03.2005 раньше 01.01.2010"):
        parse_pos_item(record, territory)


@pytest.mark.parametrize(("received_at", "why"), [("1900-01-01T10:00", TOO_EARLY), ("2099-01-01T10:00", "в будущем")])
def test_the_staff_form_refuses_an_absurd_date(client, received_at, why):
    client.force_login(user("pestravka_operator"))

    response = client.post("/appeals/intake/new/", {"channel": "letter", "kind": "appeal", "received_at": received_at,
                                                    "text": "Прошу отремонтировать крышу"})

    assert response.status_code == 200 and why in response.content.decode()
    assert not Appeal.objects.exists()
