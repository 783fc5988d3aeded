"""The outbox of answers to ПОС and «Инцидент Менеджмент»: queued with the answer that reaches the citizen, sent to
the emulator's answer endpoint, each answer there once; other channels never queued; failures kept with the reason."""

import httpx
import pytest
from django.contrib.auth import get_user_model

from appeals.lifecycle import transitions
from appeals.models import Answer, Appeal, AppealEvent, Notice, SourceReply
from appeals.sources.replies import reply_body, source_replies_send_due, source_reply_send
from cur.models import Agency
from tests.personas import PESTRAVKA, user
from tests.replies.conftest import AGENCY, CHANNELS, FINAL, INTERIM, poll, sweep_until_done, walk

pytestmark = pytest.mark.django_db
Status = SourceReply.Status


@pytest.mark.parametrize("kind", ["pos", "im"])
def test_an_interim_and_a_final_answer_reach_the_source_once(kind, source, samara):
    server = source(kind, items=3)
    poll(kind, samara, server)
    appeal = Appeal.objects.get(channel=CHANNELS[kind], external_id=sorted(server.emulator.items)[0])

    walk(appeal)

    replies = list(SourceReply.objects.filter(appeal=appeal).select_related("answer").order_by("pk"))
    assert [(r.answer.is_interim, r.status) for r in replies] == [(True, Status.PENDING), (False, Status.PENDING)]
    assert source_replies_send_due() == {"sent": 2}
    truth = server.emulator.truth()["answers"]
    assert set(truth) == {r.key for r in replies}
    for reply in replies:
        reply.refresh_from_db()
        held = truth[reply.key]
        assert reply.status == Status.SENT and reply.sent_at and reply.remote_id == held["id"]
        assert held["item_id"] == appeal.external_id and held["received"] == 1
        assert held["kind"] == ("interim" if reply.answer.is_interim else "final")
        assert held["text"] == (INTERIM if reply.answer.is_interim else FINAL)  # the whole text: the citizen's
        assert held["agency"] == Agency.objects.get(code=AGENCY).name
    assert source_replies_send_due() == {}  # nothing left: nothing sent again
    assert all(a["received"] == 1 for a in server.emulator.truth()["answers"].values())
    # a citizen without an e-mail (the incident's author) is told through the source: the «answered» notice is
    # delivered with the final answer, not left pending; an e-mail notice is the e-mail job's to send
    notice = Notice.objects.get(appeal=appeal, kind=Notice.Kind.ANSWERED)
    if appeal.citizen_email:
        assert notice.via == Notice.Via.EMAIL and notice.state == Notice.State.PENDING
    else:
        assert notice.via == Notice.Via.SOURCE and notice.state == Notice.State.SENT and notice.sent_at
    assert kind == "pos" or notice.via == Notice.Via.SOURCE  # ИМ items carry no e-mail: the source path is tested


def test_the_body_follows_the_contract(source, samara):
    server = source("im", items=1)
    poll("im", samara, server)
    appeal = walk(Appeal.objects.get(channel="incident"), interim=False)
    reply = SourceReply.objects.get(appeal=appeal)

    body = reply_body(reply)

    answer = Answer.objects.get(appeal=appeal)
    assert body == {"answer_id": reply.key, "item_id": appeal.external_id, "kind": "final", "text": FINAL,
                    "agency": answer.agency.name, "answered_at": answer.created_at.isoformat()}
    assert reply.key == f"cur-samara-{answer.pk}"
    # the ИМ endpoint names the incident in its path: a body naming another one is refused by the source
    response = httpx.post(f"{server.url}/api/v1/incidents/{appeal.external_id}/replies",
                          json=dict(body, item_id="IM-other"))
    assert response.status_code == 400


@pytest.mark.parametrize("channel, kind", [("letter", "appeal"), ("api", "message"), ("email", "appeal")])
def test_an_answer_to_another_channel_is_never_queued(channel, kind, make_appeal):
    appeal = make_appeal(PESTRAVKA, channel=channel, kind=kind, status="new", due_at=None,
                         external_id=f"{channel}-1" if channel == "api" else None)

    walk(appeal)

    assert Answer.objects.filter(appeal=appeal).count() == 2
    assert not SourceReply.objects.exists()


def test_an_answer_returned_for_rework_never_leaves(source, samara):
    server = source("pos", items=1)
    poll("pos", samara, server)
    operator = user("cur_operator")
    appeal = Appeal.objects.get(channel="pos")
    appeal = transitions.appeal_register(appeal=appeal, by=operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code=AGENCY), by=operator)
    transitions.answer_submit(appeal=appeal, text="Ваше обращение рассмотрено.", by=None)
    assert not SourceReply.objects.exists()  # a final answer waits for the review: the citizen has not got it
    transitions.appeal_return_for_rework(appeal=appeal, reason="Отписка: ни срока, ни мер", by=operator)
    transitions.answer_submit(appeal=appeal, text=FINAL, by=None)
    transitions.appeal_close(appeal=appeal, by=operator)

    sweep_until_done()

    answers = server.emulator.truth()["answers"]
    assert [a["text"] for a in answers.values()] == [FINAL]
    assert SourceReply.objects.get().answer.review == Answer.Review.ACCEPTED


def test_the_send_is_scheduled_once_the_answer_commits(source, samara, django_capture_on_commit_callbacks):
    server = source("pos", items=1)
    poll("pos", samara, server)
    operator = user("cur_operator")
    appeal = transitions.appeal_register(appeal=Appeal.objects.get(channel="pos"), by=operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code=AGENCY), by=operator)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transitions.answer_submit(appeal=appeal, text=INTERIM, by=None, is_interim=True)

    sends = [c for c in callbacks if getattr(c, "__qualname__", "").startswith("source_reply_enqueue")]
    assert len(sends) == 1
    assert server.emulator.truth()["answers"] == {}  # nothing is sent inside the answer's transaction


def test_a_refused_answer_fails_at_once_with_the_reason_and_an_event(source, samara, make_appeal):
    source("pos", items=1)
    unknown = make_appeal(PESTRAVKA, channel="pos", kind="message", external_id="POS-NOT-THERE", status="new",
                          due_at=None)
    walk(unknown, interim=False)
    reply = SourceReply.objects.get(appeal=unknown)

    assert source_reply_send(reply_id=reply.pk) == "failed"

    reply.refresh_from_db()
    assert reply.status == Status.FAILED and reply.attempts == 1 and "404" in reply.last_error
    event = AppealEvent.objects.get(appeal=unknown, kind=AppealEvent.Kind.REPLY_FAILED)
    assert "404" in event.reason and event.new_value == reply.key
    assert source_reply_send(reply_id=reply.pk) == "skipped"  # a failed reply is not tried again by itself


def test_a_source_down_is_retried_with_backoff_then_failed_after_the_cap(source, samara, settings):
    settings.CUR_REPLY_MAX_ATTEMPTS = 3
    settings.CUR_REPLY_RETRY_DELAY = 30.0
    server = source("pos", items=1)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.get(channel="pos"), interim=False)
    server.emulator.control({"faults": {"error_rate": 1.0}})
    reply = SourceReply.objects.get(appeal=appeal)

    assert source_reply_send(reply_id=reply.pk) == "retry"
    reply.refresh_from_db()
    assert reply.status == Status.PENDING and reply.attempts == 1 and "500" in reply.last_error
    assert reply.claimed_until is None and reply.next_attempt_at > reply.created_at
    assert source_replies_send_due() == {}  # not due yet: 30 s … 33 s from now
    for attempts in (2, 3):
        SourceReply.objects.filter(pk=reply.pk).update(next_attempt_at=reply.created_at)  # its time has come
        source_replies_send_due()
        reply.refresh_from_db()
        assert reply.attempts == attempts
    assert reply.status == Status.FAILED
    assert server.emulator.state()["counters"]["error"] == 3 * settings.CUR_REPLY_ATTEMPTS
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.REPLY_FAILED).count() == 1


def test_a_source_without_a_url_keeps_its_replies_waiting(source, samara, settings):
    server = source("pos", items=1)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.get(channel="pos"), interim=False)
    settings.CUR_SOURCES = {**settings.CUR_SOURCES, "pos": dict(settings.CUR_SOURCES["pos"], url="")}

    assert source_replies_send_due() == {"skipped": 1}

    reply = SourceReply.objects.get(appeal=appeal)
    assert reply.status == Status.PENDING and reply.attempts == 0


def test_a_token_is_sent_and_a_wrong_one_fails_the_reply(source, samara):
    server = source("im", items=1, token="secret")
    poll("im", samara, server)
    appeal = walk(Appeal.objects.get(channel="incident"), interim=False)

    assert source_replies_send_due() == {"sent": 1}
    assert len(server.emulator.truth()["answers"]) == 1

    appeal = Appeal.objects.get(pk=appeal.pk)
    transitions.appeal_reopen(appeal=appeal, reason="Повторная проверка", by=user("cur_operator"))
    transitions.answer_submit(appeal=appeal, text="Проверено повторно: всё исправно.", by=None)
    transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=user("cur_operator"))
    server.emulator.token = "rotated"
    assert source_replies_send_due() == {"failed": 1}
    assert "401" in SourceReply.objects.get(status=Status.FAILED).last_error


def test_the_admin_lists_the_outbox_and_sends_a_failed_reply_again(client, source, samara):
    server = source("pos", items=1)
    poll("pos", samara, server)
    appeal = walk(Appeal.objects.get(channel="pos"), interim=False)
    server.emulator.token = "unknown-to-us"
    source_replies_send_due()
    reply = SourceReply.objects.get(appeal=appeal)
    assert reply.status == Status.FAILED
    client.force_login(get_user_model().objects.get(username="admin"))

    page = client.get("/admin/appeals/sourcereply/")
    assert page.status_code == 200 and reply.external_id in page.content.decode()
    assert "401" in page.content.decode()
    assert client.get(f"/admin/appeals/sourcereply/{reply.pk}/change/").status_code == 200
    assert client.get("/admin/appeals/sourcereply/add/").status_code == 403

    server.emulator.token = ""
    response = client.post("/admin/appeals/sourcereply/", {"action": "resend", "_selected_action": [reply.pk]})
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == Status.PENDING and reply.attempts == 0
    assert source_replies_send_due() == {"sent": 1}
    assert list(server.emulator.truth()["answers"]) == [reply.key]


def test_an_operator_has_no_outbox_admin(client):
    client.force_login(user("cur_operator"))
    assert client.get("/admin/appeals/sourcereply/").status_code == 302
