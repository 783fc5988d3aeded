"""POST requests.<format>: a service request of a civic app becomes an appeal of the `open311` channel through
the one intake path, within the client's territory and rights; errors in the spec's format."""

import json

import pytest

from appeals.models import Appeal, AppealEvent
from appeals.sources.open311 import CHOSEN_REASON
from cur.api_clients import api_client_create, api_token_issue
from cur.models import Centre
from municipalities.models import Municipality
from structuring.services import appeals_structure
from tests.api.open311.conftest import BASE, point_in, xml_of
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db


def form(api_key: str, **fields) -> dict:
    return {"api_key": api_key, "service_code": "education.kindergarten", **fields}


def post(o311, data: dict, fmt: str = "json", **extra):
    return o311.post(f"{BASE}requests.{fmt}", data, **extra)  # form-encoded, as the spec sends it


def test_it_creates_an_appeal_from_a_point_inside_pestravsky_district(o311, api_key):
    raw, client_user = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)

    answer = post(o311, form(raw, lat=lat, long=lon, email="ivanova@example.ru", first_name="Мария",
                             last_name="Иванова", phone="+7 917 000-11-22", device_id="dev-1", account_id="acc-7",
                             description="Нет мест в детском саду «Солнышко», очередь не движется"))

    assert answer.status_code == 201, answer.content
    [created] = answer.json()
    assert list(created) == ["service_request_id", "service_notice", "account_id"]
    appeal = Appeal.objects.get(pk=int(created["service_request_id"]))
    assert created["service_request_id"] == appeal.number and created["account_id"] == "acc-7"
    assert "Срок ответа — 10 рабочих дней" in created["service_notice"]
    assert (appeal.channel, appeal.kind, appeal.status) == ("open311", "message", "new")
    assert appeal.subtopic.code == "education.kindergarten" and appeal.sector.code == "education"
    assert appeal.municipality.oktmo == PESTRAVKA
    assert (appeal.citizen_name, appeal.citizen_email, appeal.citizen_phone) == (
        "Иванова Мария", "ivanova@example.ru", "+7 917 000-11-22")
    assert appeal.text.startswith("Нет мест в детском саду")
    assert appeal.due_at is not None  # the arrival clock of a message
    events = {(e.kind, e.field): e for e in AppealEvent.objects.filter(appeal=appeal)}
    assert events[("created", "")].actor == client_user
    assert f"точка {lat:.6f}" in events[("created", "")].reason  # the point is kept in the history only
    for name in ("sector", "subtopic", "municipality"):  # the client's choice, kept by structuring
        event = events[("field_changed", name)]
        assert event.actor == client_user and not event.reason.startswith("Структурировано автоматически")
    assert events[("field_changed", "subtopic")].reason.startswith(CHOSEN_REASON)


def test_a_repeated_post_is_the_same_appeal(o311, api_key):
    raw, _ = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)
    data = form(raw, lat=lat, long=lon, device_id="dev-2", description="Яма у школы")

    first = post(o311, data)
    again = post(o311, data, fmt="xml")

    assert first.status_code == 201 and again.status_code == 200
    number = first.json()[0]["service_request_id"]
    root = xml_of(again)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == number
    assert "уже принят" in root.find("request/service_notice").text
    assert Appeal.objects.filter(channel="open311").count() == 1
    assert AppealEvent.objects.filter(appeal_id=int(number), kind="field_changed", field="subtopic").count() == 1
    other = post(o311, {**data, "description": "Другая яма"})
    assert other.status_code == 201 and other.json()[0]["service_request_id"] != number


def test_it_finds_the_municipality_by_the_address_string(o311, api_key):
    raw, _ = api_key("cur_integrator")

    answer = post(o311, form(raw, address_string="ул. Крайнова, 1, с. Пестравка"), fmt="xml")

    assert answer.status_code == 201, answer.content
    number = xml_of(answer).find("request/service_request_id").text
    appeal = Appeal.objects.get(pk=int(number))
    assert appeal.municipality.oktmo == PESTRAVKA and appeal.address == "ул. Крайнова, 1, с. Пестравка"
    assert appeal.text == "Детские сады: очередь и места. ул. Крайнова, 1, с. Пестравка"  # no description sent


def test_an_address_string_naming_no_known_place_leaves_the_place_to_structuring(o311, api_key):
    raw, _ = api_key("cur_integrator")

    answer = post(o311, form(raw, address_string="у третьего подъезда", description="Нет мест в саду"))

    appeal = Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"]))
    assert appeal.municipality is None
    assert not AppealEvent.objects.filter(appeal=appeal, field="municipality").exists()


def test_it_takes_the_address_id_as_oktmo_and_a_json_body(o311, api_key):
    raw, _ = api_key("cur_integrator")

    answer = o311.post(BASE + "requests.json", json.dumps(form(raw, address_id=TOLYATTI, description="Сад")),
                       content_type="application/json")

    assert answer.status_code == 201, answer.content
    assert Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"])).municipality.oktmo == TOLYATTI


def test_the_attributes_and_the_media_url_are_taken(o311, api_key):
    raw, _ = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)
    data = {**form(raw, lat=lat, long=lon, description="Контейнеры переполнены"), "service_code":
            "waste.collection_delay", "attribute[address_details]": "у дома 5, за магазином",
            "attribute[photo_url]": "https://photos.example.ru/2.jpg", "attribute[unknown]": "x",
            "media_url": "https://photos.example.ru/1.jpg"}

    answer = post(o311, data)

    assert answer.status_code == 201, answer.content
    appeal = Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"]))
    assert appeal.address == "у дома 5, за магазином" and appeal.source_url == "https://photos.example.ru/1.jpg"
    created = AppealEvent.objects.get(appeal=appeal, kind="created")
    assert "unknown" in created.reason  # said, not silently dropped


def test_a_required_attribute_is_asked_for(o311, api_key):
    raw, _ = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)

    answer = post(o311, form(raw, lat=lat, long=lon, service_code="waste.collection_delay"))

    assert answer.status_code == 400
    assert "attribute[address_details]" in answer.json()[0]["description"]
    assert not Appeal.objects.filter(channel="open311").exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_service_code_is_400(o311, api_key, fmt):
    raw, _ = api_key("cur_integrator")

    answer = post(o311, {"api_key": raw, "address_string": "с. Пестравка"}, fmt=fmt)

    assert answer.status_code == 400
    if fmt == "json":
        assert answer.json() == [{"code": 400, "description": "service_code: обязательный параметр"}]
    else:
        root = xml_of(answer)
        assert root.tag == "errors" and [e.tag for e in root.find("error")] == ["code", "description"]
        assert root.find("error/code").text == "400" and "service_code" in root.find("error/description").text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_404(o311, api_key, fmt):
    raw, _ = api_key("cur_integrator")

    answer = post(o311, form(raw, service_code="no.such", address_string="с. Пестравка"), fmt=fmt)

    assert answer.status_code == 404
    description = answer.json()[0]["description"] if fmt == "json" else xml_of(answer).find("error/description").text
    assert "no.such" in description


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_bad_api_key_is_403_and_writes_nothing(o311, fmt):
    answer = post(o311, form("cur_not-a-real-key", address_string="с. Пестравка"), fmt=fmt)

    assert answer.status_code == 403
    code = answer.json()[0]["code"] if fmt == "json" else int(xml_of(answer).find("error/code").text)
    assert code == 403
    assert not Appeal.objects.filter(channel="open311").exists()


def test_a_missing_api_key_is_400(o311):
    answer = post(o311, {"service_code": "education.kindergarten", "address_string": "с. Пестравка"})

    assert answer.status_code == 400 and answer.json()[0]["description"] == "api_key: обязательный параметр"


def test_a_role_without_the_right_to_create_is_403(o311, api_key):
    raw, _ = api_key("executor_pestravka_zhkh")

    answer = post(o311, form(raw, address_string="с. Пестравка"))

    assert answer.status_code == 403 and not Appeal.objects.filter(channel="open311").exists()


@pytest.mark.parametrize(("fields", "named"), [
    ({}, "location"),
    ({"lat": "52.4"}, "lat"),
    ({"lat": "91", "long": "50"}, "lat"),
    ({"lat": "abc", "long": "50"}, "lat"),
    ({"lat": "55.75", "long": "37.62"}, "lat"),  # Moscow: outside every municipality of the region
    ({"address_id": "45000000"}, "address_id"),
    ({"address_string": "с. Пестравка", "email": "not-an-email"}, "email"),
    ({"address_string": "с. Пестравка", "description": "я" * 4001}, "description"),
    ({"address_string": "с. Пестравка", "media_url": "ftp://x/1.jpg"}, "media_url"),
])
def test_an_invalid_request_is_400_naming_the_parameter(o311, api_key, fields, named):
    raw, _ = api_key("cur_integrator")

    answer = post(o311, form(raw, **fields))

    assert answer.status_code == 400, answer.content
    assert answer.json()[0]["description"].startswith(named)
    assert not Appeal.objects.filter(channel="open311").exists()


def test_a_mcu_client_is_refused_a_point_in_another_municipality(o311, api_key):
    raw, _ = api_key("pestravka_operator")
    lat, lon = point_in(TOLYATTI)

    answer = post(o311, form(raw, lat=lat, long=lon, description="Нет мест в саду"))

    assert answer.status_code == 403
    assert "вне территории вашего МЦУ" in answer.json()[0]["description"]
    assert not Appeal.objects.filter(channel="open311").exists()


def test_a_mcu_client_creates_inside_its_own_municipality(o311, api_key):
    raw, _ = api_key("pestravka_operator")
    lat, lon = point_in(PESTRAVKA)

    own = post(o311, form(raw, lat=lat, long=lon, description="Нет мест в саду"))
    placeless = post(o311, form(raw, address_string="у третьего подъезда", description="Очередь в сад"))

    assert own.status_code == 201 and placeless.status_code == 201
    for answer in (own, placeless):
        assert Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"])).municipality == \
            Municipality.objects.get(oktmo=PESTRAVKA)


def test_a_key_of_another_region_is_403(o311):
    client = api_client_create(name="Портал Чувашии", role="integrator",
                               centre=Centre.objects.get(region__code="chuvashia", level="region"))
    raw = api_token_issue(client=client).raw

    answer = post(o311, form(raw, address_string="с. Пестравка"))

    assert answer.status_code == 403 and not Appeal.objects.filter(channel="open311").exists()


def test_structuring_keeps_the_chosen_topic_and_place_and_adds_the_rest(o311, api_key):
    """The text speaks of another topic and town; the citizen chose the service and the point: those stay, and
    structuring still marks the fast-track mechanism of that service and place."""
    raw, _ = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)
    answer = post(o311, form(raw, lat=lat, long=lon, service_code="housing.cold_water",
                             description="В Тольятти в школе плохо кормят детей, учитель грубит"))
    appeal = Appeal.objects.get(pk=int(answer.json()[0]["service_request_id"]))

    appeals_structure(appeal_ids=[appeal.pk])

    appeal.refresh_from_db()
    assert appeal.subtopic.code == "housing.cold_water" and appeal.sector.code == "housing_utilities"
    assert appeal.municipality.oktmo == PESTRAVKA
    assert appeal.fast_track is not None and "Пестравский" in appeal.fast_track.name
    assert appeal.structured_at is not None


def test_a_citizens_chosen_service_is_not_learnt_as_an_operators_correction(o311, api_key):
    """The category a citizen picked in an app is kept on the appeal, but the model learns from operators only."""
    from structuring.models import TrainingExample
    from structuring.services import examples_from_corrections

    raw, _ = api_key("cur_integrator")
    lat, lon = point_in(PESTRAVKA)
    answer = post(o311, form(raw, lat=lat, long=lon, service_code="housing.cold_water",
                             description="В школе плохо кормят детей"))
    appeal_id = int(answer.json()[0]["service_request_id"])

    examples_from_corrections()

    assert not TrainingExample.objects.filter(appeal_id=appeal_id).exists()
