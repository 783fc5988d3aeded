"""The sources' word coming back in their feeds: the item's status and the citizen's rating of our answer. A rating
is applied through the verdict link's service (not satisfied reopens with a fresh deadline), once however often
the feed repeats it; a rating the appeal cannot take is recorded with the reason and never breaks the poll; the
upsert stays one query per batch."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals.intake.items import Territory
from appeals.intake.upsert import appeals_upsert
from appeals.lifecycle import transitions
from appeals.models import Appeal, AppealEvent, SourceCursor, SourceReply, Status
from appeals.sources.pos import parse_pos_item
from tests.personas import user
from tests.replies.conftest import CHANNELS, poll, sweep_until_done, walk

pytestmark = pytest.mark.django_db
FEEDBACK_KINDS = (AppealEvent.Kind.RATED, AppealEvent.Kind.REOPENED, AppealEvent.Kind.RATING_NOT_APPLIED)


def _events() -> list[tuple]:
    """What the feeds' word on our answers did: ratings, reopenings, ratings not applied, statuses at the source."""
    return list(AppealEvent.objects.filter(Q(kind__in=FEEDBACK_KINDS) | Q(field="source_status"))
                .order_by("pk").values_list("appeal_id", "kind", "field", "new_value"))


@pytest.mark.parametrize("kind", ["pos", "im"])
@pytest.mark.parametrize("verdict", ["satisfied", "not_satisfied"])
def test_the_citizens_rating_in_the_feed_is_applied_once(kind, verdict, source, samara):
    server = source(kind, items=2, not_satisfied_rate=1.0 if verdict == "not_satisfied" else 0.0)
    poll(kind, samara, server)
    appeal = walk(Appeal.objects.filter(channel=CHANNELS[kind]).order_by("external_id").first())
    sweep_until_done()
    item = server.emulator.items[appeal.external_id]
    assert item["status"] == "answered" and item["rating"]["value"] == verdict
    before = timezone.now()

    poll(kind, samara, server)

    appeal.refresh_from_db()
    assert appeal.satisfaction == verdict
    reply = SourceReply.objects.get(appeal=appeal, answer__is_interim=False)
    assert (reply.rating, reply.remote_status, reply.rating_note) == (verdict, "answered", "")
    assert reply.rated_at.isoformat() == item["rating"]["at"]
    if verdict == "not_satisfied":  # repeat consideration with a fresh deadline, as the verdict link does
        assert appeal.status == Status.IN_PROGRESS and appeal.closed_at is None and appeal.due_at > before
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.REOPENED).count() == 1
    else:
        assert appeal.status == Status.CLOSED
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.RATED).count() == 1
    # the page held the interim answer's version («in_progress») and the final one's: the newest one is taken
    status = AppealEvent.objects.get(appeal=appeal, field="source_status")
    assert (status.old_value, status.new_value, status.kind) == ("", "answered", AppealEvent.Kind.SOURCE_UPDATED)
    events = _events()

    SourceCursor.objects.filter(source=CHANNELS[kind]).update(cursor="")  # the whole feed read again
    poll(kind, samara, server)
    server.emulator.update(2)  # and a newer version of every item, still carrying the rating
    poll(kind, samara, server)

    assert _events() == events, "the same rating applied twice"


def test_a_rating_of_an_appeal_reopened_meanwhile_is_recorded_not_applied(source, samara):
    server = source("pos", items=3, not_satisfied_rate=1.0)
    poll("pos", samara, server)
    first, second, _ = [walk(a, interim=False) for a in Appeal.objects.order_by("external_id")]
    sweep_until_done()
    transitions.appeal_reopen(appeal=first, reason="Прокуратура просит повторно проверить", by=user("cur_operator"))

    result = poll("pos", samara, server)  # the poll goes on past the rating it could not apply

    assert result.stopped == ""
    first.refresh_from_db()
    assert first.status == Status.IN_PROGRESS and first.satisfaction == ""
    event = AppealEvent.objects.get(appeal=first, kind=AppealEvent.Kind.RATING_NOT_APPLIED)
    assert "Не удовлетворён" in event.reason and "«В работе»" in event.reason
    assert "«В работе»" in SourceReply.objects.get(appeal=first).rating_note
    second.refresh_from_db()
    assert second.satisfaction == "not_satisfied" and second.status == Status.IN_PROGRESS  # applied to the others
    poll("pos", samara, server)
    assert AppealEvent.objects.filter(appeal=first, kind=AppealEvent.Kind.RATING_NOT_APPLIED).count() == 1


def test_a_rating_after_the_citizens_verdict_by_our_link_is_not_a_second_verdict(source, samara):
    server = source("pos", items=1)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.get(), interim=False)
    sweep_until_done()
    transitions.appeal_rate(appeal=appeal, satisfaction="satisfied", by=None)  # the e-mail's link, first

    poll("pos", samara, server)

    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.RATED).count() == 1
    assert "уже оценил" in AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.RATING_NOT_APPLIED).reason


def test_a_rating_of_an_earlier_answer_does_not_rate_the_new_one(source, samara):
    server = source("pos", items=1, not_satisfied_rate=1.0)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.get(), interim=False)
    sweep_until_done()
    poll("pos", samara, server)  # not satisfied: reopened
    appeal = Appeal.objects.get(pk=appeal.pk)
    transitions.answer_submit(appeal=appeal, text="Повторно: трубы заменены, акт приложен.", by=None)
    transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=user("cur_operator"))
    first_rating = server.emulator.items[appeal.external_id]["rating"]
    late = dict(server.emulator.items[appeal.external_id], version=99,
                rating=dict(first_rating, at=(timezone.now() + timedelta(seconds=1)).isoformat()))
    server.emulator.items[appeal.external_id] = late  # the first answer's rating, changed at the source …
    server.emulator.log.append(late)  # … after our second answer

    poll("pos", samara, server)

    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED  # the second answer waits for its own verdict
    assert "прежнему ответу" in AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.RATING_NOT_APPLIED).reason
    sweep_until_done()  # the second answer reaches the source, whose citizen rates it
    poll("pos", samara, server)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.IN_PROGRESS
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.RATED).count() == 2


def test_a_broken_rating_waits_in_the_quarantine(source, samara):
    server = source("pos", items=1)
    poll("pos", samara, server)
    record = dict(server.emulator.items["POS-0000001"], version=2, rating={"value": "так себе", "at": "вчера"})
    server.emulator.log.append(record)

    result = poll("pos", samara, server)

    assert result.written.quarantined == 1
    assert Appeal.objects.get().source_version == 1


@pytest.mark.parametrize("size", [10, 40])
def test_the_status_costs_one_query_per_batch_not_one_per_item(size, source, samara):
    server = source("pos", items=size)
    territory = Territory.of(samara)
    records = list(server.emulator.items.values())
    appeals_upsert(region=samara, items=[parse_pos_item(r, territory) for r in records])
    plain = [parse_pos_item(dict(r, version=2), territory) for r in records]
    with_status = [parse_pos_item(dict(r, version=3, status="in_progress"), territory) for r in records]

    with CaptureQueriesContext(connection) as without:
        appeals_upsert(region=samara, items=plain)
    with CaptureQueriesContext(connection) as carrying:
        appeals_upsert(region=samara, items=with_status)

    assert len(carrying) == len(without) + 1
