"""The acceptance run: the emulator times out, answers 500 and loses its replies to answers it did store (so the
platform sends them again); after sweeping until nothing is pending every answer is at the source once, and after
polling the feed — itself with faults and duplicated records — every rating is applied once."""

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, SourceCursor, SourceReply, Status
from tests.replies.conftest import CHANNELS, poll, sweep_until_done, walk

pytestmark = pytest.mark.django_db
FAULTS = {"timeout_rate": 0.15, "error_rate": 0.15, "lost_reply_rate": 0.3, "duplicate_rate": 0.3}


@pytest.mark.parametrize("kind", ["pos", "im"])
def test_with_faults_every_answer_arrives_once_and_every_rating_is_applied_once(kind, source, samara):
    server = source(kind, items=12, seed=3, not_satisfied_rate=0.5, **FAULTS)
    poll(kind, samara, server)
    appeals = [walk(appeal, interim=number % 2 == 0)
               for number, appeal in enumerate(Appeal.objects.filter(channel=CHANNELS[kind]).order_by("external_id"))]
    assert len(appeals) == 12

    sweep_until_done()

    counters = server.emulator.state()["counters"]
    assert counters["timeout"] and counters["error"] and counters["lost_reply"], "a fault was not injected"
    replies = list(SourceReply.objects.order_by("pk"))
    assert len(replies) == 18 and {r.status for r in replies} == {SourceReply.Status.SENT}
    held = server.emulator.truth()["answers"]
    assert sorted(held) == sorted(r.key for r in replies), "an answer lost, or one the source holds twice"
    assert all(held[r.key]["id"] == r.remote_id and held[r.key]["item_id"] == r.external_id for r in replies)
    assert sum(a["received"] for a in held.values()) > len(held)  # sent again after lost replies: deduplicated

    before = timezone.now()
    poll(kind, samara, server)

    verdicts = {held[r.key]["item_id"]: held[r.key]["rating"] for r in replies if held[r.key]["kind"] == "final"}
    assert set(verdicts.values()) == {"satisfied", "not_satisfied"}
    for appeal in Appeal.objects.filter(pk__in=[a.pk for a in appeals]):
        verdict = verdicts[appeal.external_id]
        assert appeal.satisfaction == verdict
        if verdict == "not_satisfied":
            assert appeal.status == Status.IN_PROGRESS and appeal.due_at > before
        else:
            assert appeal.status == Status.CLOSED
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.RATED).count() == 1
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.REOPENED).count() == (
            verdict == "not_satisfied")
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.RATING_NOT_APPLIED).exists()
    counted = AppealEvent.objects.filter(kind__in=[AppealEvent.Kind.RATED, AppealEvent.Kind.REOPENED]).count()

    SourceCursor.objects.filter(source=CHANNELS[kind]).update(cursor="")
    poll(kind, samara, server)  # the whole feed again, duplicates and all

    assert AppealEvent.objects.filter(kind__in=[AppealEvent.Kind.RATED, AppealEvent.Kind.REOPENED]).count() == counted
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.RATING_NOT_APPLIED).exists()
