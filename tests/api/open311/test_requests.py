"""GET requests.<format>, requests/<id>.<format> and tokens/<token>.<format>: the region's appeals as public
service requests — filters of the spec, newest first, at most a thousand, paged by Link; never personal data,
never another region's appeal; the per-address rate."""

import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from api.open311 import selectors
from appeals.models import Appeal
from cur.models import Agency
from municipalities.models import Municipality
from tests.api.open311.conftest import BASE, xml_of
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "media_url"]
PHONE, NAME, EMAIL = "+7 927 123-45-67", "Смирнова Ольга Викторовна", "smirnova@example.ru"


def ids_of(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [row["service_request_id"] for row in answer.json()]


@pytest.fixture
def appeals(make_appeal):
    now = timezone.now()
    return {
        "new": make_appeal(PESTRAVKA, "housing_utilities", received_at=now - timedelta(days=1)),
        "older": make_appeal(TOLYATTI, "roads", received_at=now - timedelta(days=10)),
        "closed": make_appeal(PESTRAVKA, "education", received_at=now - timedelta(days=20), status="closed",
                              closed_at=now - timedelta(days=5)),
        "ancient": make_appeal(PESTRAVKA, "housing_utilities", received_at=now - timedelta(days=120)),
    }


def test_it_lists_the_last_90_days_newest_first(o311, appeals):
    answer = o311.get(BASE + "requests.json")

    assert ids_of(answer) == [appeals[k].number for k in ("new", "older", "closed")]
    row = answer.json()[0]
    assert list(row) == REQUEST_FIELDS
    appeal = appeals["new"]
    assert row["status"] == "open" and row["status_notes"] == "Новое"
    assert (row["service_code"], row["service_name"]) == (appeal.subtopic.code, appeal.subtopic.name)
    assert row["address_id"] == PESTRAVKA and row["zipcode"] is None and "lat" not in row
    assert row["requested_datetime"] == timezone.localtime(appeal.received_at).isoformat(timespec="seconds")
    assert row["expected_datetime"].endswith("+04:00")  # the region's zone, with its offset
    closed = answer.json()[2]
    assert closed["status"] == "closed" and closed["updated_datetime"] == timezone.localtime(
        appeals["closed"].closed_at).isoformat(timespec="seconds")


def test_it_writes_the_requests_as_xml(o311, appeals):
    root = xml_of(o311.get(BASE + "requests.xml"))

    assert root.tag == "service_requests" and {e.tag for e in root} == {"request"}
    assert [e.tag for e in root[0]] == REQUEST_FIELDS
    assert root[0].find("service_request_id").text == appeals["new"].number
    assert root[0].find("zipcode").text is None  # null: an empty element


def test_it_filters_by_status(o311, appeals):
    assert ids_of(o311.get(BASE + "requests.json", {"status": "closed"})) == [appeals["closed"].number]
    assert ids_of(o311.get(BASE + "requests.json", {"status": "open"})) == [appeals["new"].number,
                                                                          appeals["older"].number]
    assert len(ids_of(o311.get(BASE + "requests.json", {"status": "open,closed"}))) == 3


def test_it_filters_by_service_code(o311, appeals):
    codes = f"{appeals['older'].subtopic.code},{appeals['closed'].subtopic.code}"

    assert ids_of(o311.get(BASE + "requests.json", {"service_code": codes})) == [appeals["older"].number,
                                                                               appeals["closed"].number]
    assert ids_of(o311.get(BASE + "requests.json", {"service_code": "no.such"})) == []


def test_it_filters_by_dates(o311, appeals):
    now = timezone.now()
    window = {"start_date": (now - timedelta(days=15)).isoformat(), "end_date": (now - timedelta(days=5)).isoformat()}

    assert ids_of(o311.get(BASE + "requests.json", window)) == [appeals["older"].number]
    old = {"start_date": (now - timedelta(days=130)).isoformat()}  # 90 days from it
    assert ids_of(o311.get(BASE + "requests.json", old)) == [appeals["ancient"].number]
    recent = {"end_date": (now - timedelta(days=5)).date().isoformat()}  # a day alone: to its end
    assert ids_of(o311.get(BASE + "requests.json", recent)) == [appeals["older"].number, appeals["closed"].number]


def test_it_takes_a_list_of_ids_over_every_other_filter(o311, appeals):
    wanted = f"{appeals['ancient'].number},{appeals['new'].pk}"

    answer = o311.get(BASE + "requests.json", {"service_request_id": wanted, "status": "closed"})

    assert ids_of(answer) == [appeals["new"].number, appeals["ancient"].number]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("params", "named"), [
    ({"start_date": "вчера"}, "start_date"),
    ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),  # over 90 days
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "start_date"),
    ({"status": "pending"}, "status"),
    ({"service_request_id": "12,abc"}, "service_request_id"),
    ({"after": "nonsense"}, "after"),
])
def test_bad_parameters_are_400(o311, fmt, params, named):
    answer = o311.get(f"{BASE}requests.{fmt}", params)

    assert answer.status_code == 400
    if fmt == "json":
        [error] = answer.json()
        assert error["code"] == 400 and error["description"].startswith(named)
    else:
        root = xml_of(answer)
        assert root.tag == "errors" and root.find("error/code").text == "400"
        assert root.find("error/description").text.startswith(named)


def test_one_request_in_both_formats(o311, appeals):
    appeal = appeals["older"]

    answer = o311.get(f"{BASE}requests/{appeal.number}.json")
    assert ids_of(answer) == [appeal.number]
    assert o311.get(f"{BASE}requests/{appeal.pk}.json").json() == answer.json()  # without the zeros too

    root = xml_of(o311.get(f"{BASE}requests/{appeal.number}.xml"))
    assert root.tag == "service_requests" and [e.tag for e in root] == ["request"]
    assert root.find("request/service_request_id").text == appeal.number

    missing = o311.get(BASE + "requests/99999999.xml")
    assert missing.status_code == 404 and xml_of(missing).find("error/code").text == "404"


def test_no_personal_data_leaves_in_any_answer(o311, make_appeal):
    appeal = make_appeal(PESTRAVKA, text=f"Я, {NAME}, тел. {PHONE}, пишу: во дворе не вывозят мусор",
                         citizen_name=NAME, citizen_email=EMAIL, citizen_phone=PHONE,
                         address="ул. Крайнова, д. 3, кв. 12")

    answers = [o311.get(BASE + f"requests.{fmt}") for fmt in ("json", "xml")]
    answers += [o311.get(f"{BASE}requests/{appeal.number}.{fmt}") for fmt in ("json", "xml")]

    for answer in answers:
        assert answer.status_code == 200
        body = answer.content.decode()
        assert "не вывозят мусор" in body  # the description is there, masked
        for secret in (PHONE, "123-45-67", "Смирнова", "Ольга", EMAIL, "кв. 12"):
            assert secret not in body, (secret, body)


def test_a_59_fz_appeal_is_listed_without_its_text(o311, make_appeal):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", text="Прошу разобраться с отоплением")

    [row] = o311.get(f"{BASE}requests/{appeal.number}.json").json()

    assert row["description"] is None and "отоплением" not in str(row)


def test_another_regions_appeals_are_never_shown(o311, make_appeal, appeals):
    chuvash = make_appeal(Municipality.objects.filter(region__code="chuvashia").first().oktmo,
                          received_at=timezone.now() - timedelta(hours=1))
    assert chuvash.region.code == "chuvashia"

    assert chuvash.number not in ids_of(o311.get(BASE + "requests.json"))
    assert ids_of(o311.get(BASE + "requests.json", {"service_request_id": chuvash.number})) == []
    assert o311.get(f"{BASE}requests/{chuvash.number}.json").status_code == 404
    assert o311.get(f"{BASE}tokens/{chuvash.number}.json").status_code == 404
    assert o311.get(BASE + "requests.json", {"jurisdiction_id": "chuvashia"}).status_code == 404


def test_the_agency_and_the_fast_track_are_public(o311, make_appeal):
    agency = Agency.objects.filter(region__code="samara").first()
    appeal = make_appeal(PESTRAVKA, agency=agency.code)

    [row] = o311.get(f"{BASE}requests/{appeal.number}.json").json()

    assert row["agency_responsible"] == agency.name
    assert row["service_notice"] is None  # no fast-track mechanism handles it


def test_a_media_url_is_shown_for_open311_requests_only(o311, make_appeal):
    own = make_appeal(PESTRAVKA, channel="open311", source_url="https://photos.example.ru/1.jpg")
    social = make_appeal(PESTRAVKA, channel="incident", kind="incident", source_url="https://vk.com/wall1_2")

    rows = {row["service_request_id"]: row for row in o311.get(BASE + "requests.json").json()}

    assert rows[own.number]["media_url"] == "https://photos.example.ru/1.jpg"
    assert rows[social.number]["media_url"] is None


def test_pages_follow_the_link(o311, make_appeal):
    now = timezone.now()
    made = [make_appeal(PESTRAVKA, received_at=now - timedelta(hours=k)) for k in range(4)]
    made.append(make_appeal(PESTRAVKA, received_at=made[1].received_at))  # a tie on the moment: by id

    seen, url, pages = [], BASE + "requests.json?status=open&page_size=2", 0  # five appeals, three pages
    while url:
        answer = o311.get(url)
        seen += ids_of(answer)
        pages += 1
        link = answer.headers.get("Link")
        url = None
        if link:
            target = urlsplit(link[1:link.index(">")])
            assert parse_qs(target.query)["status"] == ["open"]  # the filters travel with the cursor
            assert parse_qs(target.query)["page_size"] == ["2"]
            url = f"{target.path}?{target.query}"

    expected = sorted(made, key=lambda a: (a.received_at, a.pk), reverse=True)
    assert seen == [a.number for a in expected] and pages == 3


def test_a_page_is_two_hundred_unless_page_size_asks(o311):
    assert selectors.PAGE == 200 and selectors.LIMIT == 1000
    for bad in ("0", "1001", "x"):
        answer = o311.get(BASE + f"requests.json?page_size={bad}")
        assert answer.status_code == 400 and "page_size" in answer.json()[0]["description"]


def test_the_list_reads_a_fixed_number_of_queries(o311, make_appeal, django_assert_num_queries):
    for _ in range(5):
        make_appeal(PESTRAVKA)
    with django_assert_num_queries(2):  # the region, the page
        answer = o311.get(BASE + "requests.json")
    assert len(answer.json()) == 5


def test_a_token_is_the_request_id_we_answered_with(o311, appeals):
    number = appeals["new"].number

    assert o311.get(f"{BASE}tokens/{number}.json").json() == [{"service_request_id": number, "token": number}]
    root = xml_of(o311.get(f"{BASE}tokens/{number}.xml"))
    assert [e.tag for e in root.find("request")] == ["service_request_id", "token"]
    assert o311.get(BASE + "tokens/abc.json").status_code == 404


def test_reading_is_limited_per_address(o311):
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # a fresh address: the cache is shared
    with override_settings(CUR_OPEN311_RATE="2/minute"):
        here = {"REMOTE_ADDR": address}
        assert o311.get(BASE + "services.json", **here).status_code == 200
        assert o311.get(BASE + "requests.json", **here).status_code == 200
        answer = o311.get(BASE + "requests.xml", **here)
        assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
        assert xml_of(answer).find("error/code").text == "429"
        assert o311.get(BASE + "services.json", REMOTE_ADDR=address + "1").status_code == 200  # another address


def test_open311_is_not_in_the_openapi_description():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    assert paths and all(path.startswith("/api/v1/") for path in paths)


def test_an_appeal_outside_the_window_stays_out_of_the_default_list(o311, appeals):
    assert appeals["ancient"].number not in ids_of(o311.get(BASE + "requests.json"))
    assert Appeal.objects.filter(region__code="samara").count() == 4
