"""Open311 discovery, the service list and the service definitions (the spec's examples, JSON and XML)."""

import pytest

from api.open311.selectors import answer_policies, region_subtopics, term_phrase
from appeals.lifecycle.deadlines import policy_for
from appeals.models import Appeal
from cur.models import FastTrack, SlaPolicy, Subtopic
from municipalities.models import Region
from tests.api.open311.conftest import BASE, xml_of

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def test_it_describes_the_endpoint(o311):
    answer = o311.get(BASE + "discovery.json")

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    assert "Центр управления регионом Самарской области" in body["contact"]
    assert "cur@samara.example.ru" in body["key_service"]
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]

    root = xml_of(o311.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert [e.tag for e in root.find("endpoints")] == ["endpoint"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_it_lists_the_subtopics_as_services_with_their_answer_term(o311):
    answer = o311.get(BASE + "services.json")

    assert answer.status_code == 200 and answer["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in answer.json()}
    assert set(services) == set(Subtopic.objects.filter(is_active=True).values_list("code", flat=True))
    kindergarten = services["education.kindergarten"]
    assert list(kindergarten) == SERVICE_FIELDS
    assert kindergarten == {
        "service_code": "education.kindergarten", "service_name": "Детские сады: очередь и места",
        "description": "Детские сады: очередь и места. Срок ответа — 10 рабочих дней.", "metadata": False,
        "type": "realtime", "keywords": kindergarten["keywords"], "group": "Образование"}
    assert "детский сад" in kindergarten["keywords"]
    assert "Срок ответа — 15 рабочих дней." in services["education.buildings"]["description"]
    assert services["waste.collection_delay"]["metadata"] is True


def test_a_rule_edited_in_the_admin_changes_the_term_at_once(o311):
    subtopic = Subtopic.objects.get(code="education.kindergarten")
    SlaPolicy.objects.create(target=SlaPolicy.Target.FINAL, kind="message", channel="open311", subtopic=subtopic,
                             unit=SlaPolicy.Unit.CALENDAR_DAYS, amount=3)

    services = {s["service_code"]: s for s in o311.get(BASE + "services.json").json()}

    assert "Срок ответа — 3 календарных дня." in services["education.kindergarten"]["description"]


def test_the_term_is_the_rule_the_deadlines_choose_for_every_subtopic():
    """The services' one query picks the rule policy_for picks for an Open311 message of each subtopic."""
    region = Region.objects.get(code="samara")
    subtopics = list(region_subtopics(region))
    chosen = answer_policies(region=region, subtopics=subtopics)

    for subtopic in subtopics:
        probe = Appeal(region=region, kind="message", channel="open311", importance="normal",
                       sector_id=subtopic.sector_id, subtopic_id=subtopic.pk)
        assert chosen[subtopic.pk] == policy_for(appeal=probe, target=SlaPolicy.Target.FINAL), subtopic.code


def test_it_writes_the_service_list_as_xml(o311):
    root = xml_of(o311.get(BASE + "services.xml"))

    assert root.tag == "services"
    assert {e.tag for e in root} == {"service"}
    first = root[0]
    assert [e.tag for e in first] == SERVICE_FIELDS
    assert first.find("metadata").text in ("true", "false") and first.find("type").text == "realtime"


def test_a_service_with_a_fast_track_asks_the_place_and_a_photo(o311):
    answer = o311.get(BASE + "services/waste.collection_delay.json")

    assert answer.status_code == 200
    body = answer.json()
    assert body["service_code"] == "waste.collection_delay"
    details, photo = body["attributes"]
    assert details["code"] == "address_details" and details["required"] is True  # a region-wide mechanism
    assert details["variable"] is True and details["datatype"] == "string" and details["order"] == 1
    assert "Невывоз ТКО" in details["description"]
    assert photo["code"] == "photo_url" and photo["required"] is False and photo["order"] == 2

    root = xml_of(o311.get(BASE + "services/waste.collection_delay.xml"))
    assert root.tag == "service_definition"
    assert [e.tag for e in root] == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert [e.tag for e in attribute] == ["variable", "code", "datatype", "required", "datatype_description",
                                          "order", "description"]
    assert attribute.find("required").text == "true"


def test_a_municipal_fast_track_asks_the_place_without_requiring_it(o311):
    details = o311.get(BASE + "services/roads.potholes.json").json()["attributes"][0]

    assert details["code"] == "address_details" and details["required"] is False
    assert "Пестравский район" in details["description"]


def test_the_attributes_follow_the_data(o311):
    track = FastTrack.objects.get(region__code="samara", name__startswith="Невывоз ТКО")
    track.is_active = False
    track.save()

    attributes = o311.get(BASE + "services/waste.collection_delay.json").json()["attributes"]

    assert [a["code"] for a in attributes] == ["photo_url"]  # the subtopic itself requires a photo report


def test_a_service_without_attributes_has_an_empty_list(o311):
    body = o311.get(BASE + "services/education.kindergarten.json").json()
    assert body == {"service_code": "education.kindergarten", "attributes": []}

    root = xml_of(o311.get(BASE + "services/education.kindergarten.xml"))
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


def test_an_unknown_service_is_404_in_the_spec_format(o311):
    answer = o311.get(BASE + "services/no.such.json")
    assert answer.status_code == 404
    [error] = answer.json()
    assert error["code"] == 404 and "no.such" in error["description"]

    answer = o311.get(BASE + "services/no.such.xml")
    assert answer.status_code == 404
    root = xml_of(answer)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    assert root.find("error/code").text == "404" and "не найден" in root.find("error/description").text


def test_another_jurisdiction_is_not_served(o311):
    assert o311.get(BASE + "services.json", {"jurisdiction_id": "samara"}).status_code == 200

    answer = o311.get(BASE + "services.json", {"jurisdiction_id": "chuvashia"})

    assert answer.status_code == 404 and "chuvashia" in answer.json()[0]["description"]


def test_an_unknown_resource_or_format_is_404_in_the_spec_format(o311):
    assert o311.get(BASE + "services.csv").status_code == 404
    assert xml_of(o311.get(BASE + "services.csv")).tag == "errors"
    answer = o311.get(BASE + "nothing.json")
    assert answer.status_code == 404 and answer.json()[0]["code"] == 404


def test_a_wrong_method_is_refused_in_the_spec_format(o311):
    answer = o311.delete(BASE + "services.json")

    assert answer.status_code == 405 and answer.json()[0]["code"] == 405


@pytest.mark.parametrize(("amount", "unit", "said"), [
    (1, "working_days", "1 рабочий день"), (3, "calendar_days", "3 календарных дня"),
    (11, "working_days", "11 рабочих дней"), (21, "working_hours", "21 рабочий час"),
    (24, "working_hours", "24 рабочих часа")])
def test_the_term_is_said_in_russian(amount, unit, said):
    assert term_phrase(SlaPolicy(amount=amount, unit=unit)) == said
    assert term_phrase(None) == ""
