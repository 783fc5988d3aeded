"""The ПОС and «Инцидент Менеджмент» adapters against their emulators: every injected fault is
survived and the database ends equal to the emulator's truth — nothing lost, nothing doubled."""

import json

import httpx
import pytest

from appeals.models import Appeal, AppealEvent, QuarantinedItem, SourceCursor
from appeals.sources.im import im_poll
from appeals.sources.pos import pos_poll
from tests.intake.conftest import database_equals_truth, fast_client

POLLS = {"pos": (pos_poll, "pos"), "im": (im_poll, "incident")}


def poll_to_end(kind, region, server, **client):
    poll, _ = POLLS[kind]
    with fast_client(server.url, **client) as http:
        return poll(region=region, client=http, max_pages=100)


@pytest.mark.parametrize("kind", ["pos", "im"])
def test_it_takes_in_a_clean_feed_once(kind, feed, samara):
    server = feed(kind, items=120, updates=30)

    result = poll_to_end(kind, samara, server)

    channel = POLLS[kind][1]
    database_equals_truth(channel, server.emulator.truth())
    assert result.written.created == 120  # a page holding versions 1 and 2 of an item writes version 2 once
    assert SourceCursor.objects.get(region=samara, source=channel).cursor == str(len(server.emulator.log))
    again = poll_to_end(kind, samara, server)  # nothing new: nothing written
    assert again.written.created == again.written.updated == 0
    assert Appeal.objects.filter(channel=channel).count() == 120


@pytest.mark.parametrize("kind", ["pos", "im"])
@pytest.mark.parametrize("fault", [
    {"timeout_rate": 0.3}, {"error_rate": 0.4}, {"rate_limit_rate": 0.4}, {"garbled_rate": 0.3},
    {"malformed_rate": 0.15}, {"duplicate_rate": 0.4}, {"out_of_order_rate": 0.6},
])
def test_it_survives_each_fault_and_ends_equal_to_the_truth(kind, fault, feed, samara):
    server = feed(kind, items=150, updates=60, **fault)
    poll, channel = POLLS[kind]

    with fast_client(server.url, attempts=12) as http:
        result = _poll_pages(poll, samara, http)  # small pages: many requests, so the fault really happens

    counters = server.emulator.state()["counters"]
    injected = next(iter(fault)).removesuffix("_rate")  # each fault's counter bears its name
    assert counters[injected] > 0, "the fault was not injected: the test would prove nothing"
    assert result.stopped == ""
    database_equals_truth(channel, server.emulator.truth())


def _poll_pages(poll, region, http, size: int = 25):
    from django.conf import settings
    from django.test import override_settings

    sources = {name: dict(conf, page_size=size) for name, conf in settings.CUR_SOURCES.items()}
    with override_settings(CUR_SOURCES=sources):
        return poll(region=region, client=http, max_pages=1000)


def test_the_emulator_answers_each_request_fault_its_way_and_counts_it(feed):
    server = feed("pos", items=30, retry_after=7)
    page_url = f"{server.url}/api/v1/feed?limit=10"
    with httpx.Client(timeout=5) as http:
        http.post(f"{server.url}/_control", json={"script": ["timeout", 500, "rate_limit", 429, "garbled", "error"]})
        answers = [http.get(page_url) for _ in range(7)]

    assert [a.status_code for a in answers] == [504, 500, 429, 429, 200, 500, 200]
    assert answers[2].headers["Retry-After"] == "7" and answers[3].headers["Retry-After"] == "7"
    whole = answers[6].content
    assert len(json.loads(whole)["items"]) == 10
    assert answers[4].content == whole[: len(whole) // 2]  # a garbled page: the same page cut in the middle
    counters = server.emulator.state()["counters"]
    assert {name: counters[name] for name in ("requests", "pages", "timeout", "error", "rate_limit", "garbled")} == {
        "requests": 7, "pages": 2, "timeout": 1, "error": 2, "rate_limit": 2, "garbled": 1}
    refused = httpx.post(f"{server.url}/_control", json={"script": ["slow"]})
    assert refused.status_code == 400 and "slow" in refused.json()["error"]


def test_an_out_of_order_update_never_overwrites_a_newer_one(feed, samara):
    server = feed("pos", items=5)
    poll_to_end("pos", samara, server)
    emulator = server.emulator
    newest = emulator.items["POS-0000001"]
    old = dict(newest, version=1, text="Старая версия текста")
    emulator.update(5)  # every item at version 2
    emulator.log.append(old)  # … and the first one's version 1 arrives late

    poll_to_end("pos", samara, server)

    appeal = Appeal.objects.get(channel="pos", external_id="POS-0000001")
    assert appeal.source_version == 2 and appeal.text == emulator.items["POS-0000001"]["text"]
    database_equals_truth("pos", emulator.truth())


def test_an_update_becomes_an_event_per_changed_field(feed, samara):
    server = feed("im", items=3)
    poll_to_end("im", samara, server)
    server.emulator.update(3)

    poll_to_end("im", samara, server)

    events = AppealEvent.objects.filter(kind=AppealEvent.Kind.SOURCE_UPDATED)
    assert {e.appeal.external_id for e in events} == set(server.emulator.items)
    text_event = events.filter(field="text").first()
    assert text_event.new_value.startswith(text_event.old_value) and "версия 2" in text_event.reason
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.CREATED).count() == 3


def test_an_incident_keeps_its_url_importance_author_and_all_posts(feed, samara):
    server = feed("im", items=10, updates=10)
    poll_to_end("im", samara, server)

    for external_id, record in server.emulator.items.items():
        appeal = Appeal.objects.get(channel="incident", external_id=external_id)
        assert appeal.kind == "incident"
        assert appeal.source_url == record["url"] and appeal.importance == record["importance"]
        assert appeal.citizen_name == record["author"]["name"]
        assert appeal.municipality.oktmo == record["territory"]["oktmo"]
        for post in record["posts"][1:]:
            assert post["text"] in appeal.text


def test_pos_messages_and_59fz_appeals_come_from_one_feed(feed, samara):
    server = feed("pos", items=60)
    poll_to_end("pos", samara, server)

    kinds = {r["id"]: r["type"] for r in server.emulator.items.values()}
    assert {"message", "appeal"} <= set(kinds.values())
    for appeal in Appeal.objects.filter(channel="pos"):
        assert appeal.kind == kinds[appeal.external_id]
        # 59-ФЗ: registered within three days of receipt — the same deadline as every appeal
        assert (appeal.registration_due_at is not None) == (appeal.kind == "appeal")


def test_a_source_down_leaves_the_cursor_and_the_next_poll_catches_up(feed, samara):
    server = feed("pos", items=80)
    server.emulator.control({"faults": {"error_rate": 1.0}})

    result = poll_to_end("pos", samara, server, attempts=3)

    assert result.stopped and result.written.created == 0
    cursor = SourceCursor.objects.get(region=samara, source="pos")
    assert cursor.cursor == "" and "500" in cursor.last_error
    server.emulator.control({"faults": {"error_rate": 0.0}})
    poll_to_end("pos", samara, server)
    database_equals_truth("pos", server.emulator.truth())


def test_a_wrong_token_is_not_retried_and_takes_in_nothing(feed, samara):
    server = feed("im", items=5, token="secret")

    result = poll_to_end("im", samara, server, token="wrong")

    assert "401" in result.stopped and server.emulator.counters["requests"] == 1
    assert not Appeal.objects.filter(channel="incident").exists()
    assert poll_to_end("im", samara, server, token="secret").written.created == 5


def test_a_broken_record_delivered_again_waits_in_the_quarantine_once(feed, samara):
    server = feed("pos", items=40, malformed_rate=0.3)
    poll_to_end("pos", samara, server)
    SourceCursor.objects.filter(source="pos").update(cursor="")  # the feed read again from the start

    poll_to_end("pos", samara, server)

    database_equals_truth("pos", server.emulator.truth())
    assert QuarantinedItem.objects.filter(source="pos").count() == len(server.emulator.malformed) > 0


def test_all_faults_at_once_with_new_items_arriving_between_polls(feed, samara):
    server = feed("im", items=100, updates=20, timeout_rate=0.05, error_rate=0.1, rate_limit_rate=0.1,
                  garbled_rate=0.05, malformed_rate=0.05, duplicate_rate=0.2, out_of_order_rate=0.3)
    with fast_client(server.url, attempts=15) as http:
        for _ in range(4):
            _poll_pages(im_poll, samara, http, size=30)
            server.emulator.add(25)
            server.emulator.update(15)
        _poll_pages(im_poll, samara, http, size=30)

    database_equals_truth("incident", server.emulator.truth())
