"""Notices to the citizen: which lifecycle action owes which notice, how it travels, and the sender."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from appeals import tasks
from appeals.citizen import links
from appeals.citizen.notices import notices_send_pending
from appeals.lifecycle import transitions
from appeals.models import Appeal, Notice, Status
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)  # Tuesday, a working day
ANONYMOUS = {"citizen_name": "", "citizen_email": "", "citizen_phone": "", "citizen_address": ""}


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server is down")


class RefusesNobody(BaseEmailBackend):
    """A mail server that refuses one mailbox and delivers the rest (into the test outbox)."""

    def send_messages(self, email_messages):
        if any("nobody@example.ru" in m.to for m in email_messages):
            raise ValueError("550 mailbox unavailable")
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def operator():
    return user("pestravka_operator")


@pytest.fixture
def zhkh():
    return Agency.objects.get(code="mup_zhkh_pestravskiy")


@pytest.fixture
def adm():
    return Agency.objects.get(code="adm_pestravskiy_mr")


@pytest.fixture
def letter(make_appeal):
    """A 59-ФЗ appeal by letter with an e-mail address."""

    def make(**fields):
        return make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW,
                           due_at=None, **fields)

    return make


def notices(appeal) -> list[tuple[str, str]]:
    return list(Notice.objects.filter(appeal=appeal).order_by("created_at", "pk").values_list("kind", "via"))


def in_work(appeal, operator, agency):
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    return transitions.appeal_assign(appeal=appeal, agency=agency, by=operator, at=T0 + timedelta(hours=1))


def test_registration_of_a_59fz_appeal_tells_the_number_and_the_deadline(letter, operator):
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=T0)
    notice = Notice.objects.get(appeal=appeal)
    assert (notice.kind, notice.via, notice.state, notice.recipient) == (
        "registered", "email", "pending", "petrova@example.ru")
    assert notice.created_at == T0 and notice.region_id == appeal.region_id
    assert f"№ {appeal.number}" in notice.subject
    assert f"не позднее {appeal.due_at.astimezone(SAMARA):%d.%m.%Y}" in notice.text
    assert "зарегистрировано 12.03.2024" in notice.text and "Петрова Анна Сергеевна" in notice.text


def test_the_deadline_date_is_the_regions_not_utc(letter, operator):
    """Registered at 01:30 Samara time on 13 March = 21:30 UTC on 12 March: the citizen reads the 13th."""
    at = datetime(2024, 3, 13, 1, 30, tzinfo=SAMARA)
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=at)
    assert "зарегистрировано 13.03.2024" in Notice.objects.get(appeal=appeal).text


def test_registration_of_a_pos_message_owes_no_notice(make_appeal, operator):
    appeal = make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None)
    transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    assert notices(appeal) == []


def test_an_anonymous_citizen_gets_no_notice_from_any_action(letter, operator, zhkh, adm):
    appeal = in_work(letter(**ANONYMOUS), operator, zhkh)
    appeal = transitions.appeal_forward(appeal=appeal, agency=adm, reason="По компетенции", by=operator,
                                      at=T0 + timedelta(days=1))
    appeal = transitions.appeal_extend(appeal=appeal, days=10, reason="Выезд комиссии", by=operator,
                                     at=T0 + timedelta(days=2))
    transitions.answer_submit(appeal=appeal, text="Трубы заменены 14.03.", by=None, at=T0 + timedelta(days=3))
    transitions.appeal_close(appeal=appeal, by=operator, at=T0 + timedelta(days=4))
    other = transitions.appeal_leave_without_answer(appeal=letter(**ANONYMOUS), ground="no_name_or_address",
                                                  by=operator, at=T0)
    assert notices(appeal) == [] and notices(other) == []


@pytest.mark.parametrize(("contacts", "channel", "via", "recipient"), [
    ({"citizen_email": "ivanov@example.ru", "citizen_address": "ул. Ленина, 1"}, "letter", "email",
     "ivanov@example.ru"),
    ({"citizen_email": "", "citizen_address": "446160, с. Пестравка, ул. Ленина, 1"}, "letter", "post",
     "Петрова Анна Сергеевна, 446160, с. Пестравка, ул. Ленина, 1"),
    ({"citizen_email": "", "citizen_address": "ул. Ленина, 1"}, "pos", "source", ""),
    ({"citizen_email": "", "citizen_address": ""}, "incident", "source", ""),
])
def test_the_notice_goes_by_email_then_the_source_platform_then_post(make_appeal, operator, zhkh, adm, contacts,
                                                                      channel, via, recipient):
    kind = {"letter": "appeal", "pos": "message", "incident": "incident"}[channel]
    appeal = make_appeal(PESTRAVKA, kind=kind, channel=channel, received_at=T0, status=Status.NEW, due_at=None,
                         **contacts)
    appeal = in_work(appeal, operator, zhkh)
    transitions.appeal_forward(appeal=appeal, agency=adm, reason="По компетенции", by=operator, at=T0)
    notice = Notice.objects.get(appeal=appeal, kind="forwarded")
    assert (notice.via, notice.recipient) == (via, recipient)


def test_forwarding_names_the_new_body_and_the_law(letter, operator, zhkh, adm):
    appeal = in_work(letter(), operator, zhkh)
    transitions.appeal_forward(appeal=appeal, agency=adm, reason="Не в компетенции МУП", by=operator,
                             at=T0 + timedelta(days=1))
    notice = Notice.objects.get(appeal=appeal, kind="forwarded")
    assert adm.name in notice.text and "ч. 3 ст. 8" in notice.text
    assert "направлено 13.03.2024" in notice.text
    assert "Не в компетенции МУП" not in notice.text  # the internal reason stays inside


def test_extension_tells_the_new_date_and_the_reason(letter, operator, zhkh):
    appeal = in_work(letter(), operator, zhkh)
    appeal = transitions.appeal_extend(appeal=appeal, days=20, reason="Нужен выезд комиссии", by=operator,
                                     at=T0 + timedelta(days=5))
    notice = Notice.objects.get(appeal=appeal, kind="extended")
    assert f"продлён до {appeal.due_at.astimezone(SAMARA):%d.%m.%Y}" in notice.text
    assert "Нужен выезд комиссии" in notice.text and "ч. 2 ст. 12" in notice.text


def test_a_clarification_request_carries_the_question(make_appeal, operator, zhkh):
    appeal = in_work(make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None), operator, zhkh)
    transitions.appeal_request_clarification(appeal=appeal, question="Уточните номер дома и подъезда", by=operator,
                                           at=T0 + timedelta(days=1))
    notice = Notice.objects.get(appeal=appeal)
    assert notice.kind == "clarification" and "Уточните номер дома и подъезда" in notice.text


@pytest.mark.parametrize("ground", ["unreadable", "repeated_question", "obscene_or_threatening"])
def test_leaving_without_answer_sends_the_st11_notice(letter, operator, ground):
    appeal = transitions.appeal_leave_without_answer(appeal=letter(), ground=ground, by=operator, at=T0)
    notice = Notice.objects.get(appeal=appeal)
    assert notice.kind == "left_without_answer" and transitions.ST11_GROUNDS[ground][1] in notice.text
    assert "ст. 11" in notice.text


@override_settings(CUR_PUBLIC_URL="https://cur.example.ru/")
def test_closing_sends_the_accepted_answer_with_the_verdict_link(letter, operator, zhkh):
    appeal = in_work(letter(), operator, zhkh)
    transitions.answer_submit(appeal=appeal, text="Вопрос на контроле.", by=None, at=T0 + timedelta(days=1))
    appeal = transitions.appeal_return_for_rework(appeal=appeal, reason="Нет срока", by=operator,
                                                at=T0 + timedelta(days=2))
    transitions.answer_submit(appeal=appeal, text="Трубы заменены 14.03 & проверены «Водоканалом».", by=None,
                            at=T0 + timedelta(days=3))
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator, at=T0 + timedelta(days=4))
    notice = Notice.objects.get(appeal=appeal, kind="answered")
    assert "Трубы заменены 14.03 & проверены «Водоканалом»." in notice.text  # plain text, not HTML-escaped
    assert "Вопрос на контроле" not in notice.text  # the returned answer is not the answer
    assert zhkh.name in notice.text
    link = next(line for line in notice.text.splitlines() if line.startswith("https://cur.example.ru/verdict/"))
    token = link.removeprefix("https://cur.example.ru/verdict/").rstrip("/")
    assert links.verdict_check(token) == appeal


def test_each_action_of_a_whole_path_leaves_its_notice(letter, operator, zhkh, adm):
    appeal = in_work(letter(), operator, zhkh)
    appeal = transitions.appeal_forward(appeal=appeal, agency=adm, reason="По компетенции", by=operator,
                                      at=T0 + timedelta(days=1))
    appeal = transitions.appeal_request_clarification(appeal=appeal, question="Номер дома?", by=operator,
                                                    at=T0 + timedelta(days=2))
    appeal = transitions.appeal_receive_clarification(appeal=appeal, text="Дом 5", at=T0 + timedelta(days=3))
    appeal = transitions.appeal_extend(appeal=appeal, days=10, reason="Выезд комиссии", by=operator,
                                     at=T0 + timedelta(days=4))
    transitions.answer_submit(appeal=appeal, text="Сделано 20.03.", by=None, at=T0 + timedelta(days=5))
    transitions.appeal_close(appeal=appeal, by=operator, at=T0 + timedelta(days=6))
    assert notices(appeal) == [("registered", "email"), ("forwarded", "email"), ("clarification", "email"),
                               ("extended", "email"), ("answered", "email")]


def test_a_refused_action_leaves_no_notice(letter, operator):
    appeal = letter()
    with pytest.raises(transitions.TransitionRefused):
        transitions.appeal_extend(appeal=appeal, days=10, reason="Проверка", by=operator)
    assert notices(appeal) == []


# --- sending -----------------------------------------------------------------------------------------------


def test_the_task_sends_an_email_once(letter, operator):
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=T0)
    assert tasks.notices_send() == {"sent": 1, "printed": 0, "retry": 0, "failed": 0}
    assert tasks.notices_send() == {"sent": 0, "printed": 0, "retry": 0, "failed": 0}
    assert len(mail.outbox) == 1
    message, notice = mail.outbox[0], Notice.objects.get(appeal=appeal)
    assert message.to == ["petrova@example.ru"] and message.subject == notice.subject
    assert message.body == notice.text and message.from_email
    assert (notice.state, notice.attempts, notice.error) == ("sent", 1, "") and notice.sent_at is not None


def test_a_letter_goes_to_print_and_the_source_platform_is_left_alone(make_appeal, operator, zhkh, adm):
    by_post = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW,
                          due_at=None, citizen_email="", citizen_address="с. Пестравка, ул. Ленина, 1")
    transitions.appeal_register(appeal=by_post, by=operator, at=T0)
    pos = in_work(make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None, citizen_email=""),
                  operator, zhkh)
    transitions.appeal_forward(appeal=pos, agency=adm, reason="По компетенции", by=operator, at=T0)

    assert notices_send_pending() == {"sent": 0, "printed": 1, "retry": 0, "failed": 0}
    assert mail.outbox == []
    printed, source = Notice.objects.get(appeal=by_post), Notice.objects.get(appeal=pos)
    assert (printed.via, printed.state, printed.attempts) == ("post", "printed", 1) and printed.sent_at
    assert (source.via, source.state, source.attempts, source.sent_at) == ("source", "pending", 0, None)


def test_a_failing_mail_server_is_retried_then_given_up(letter, operator):
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=T0)
    with override_settings(EMAIL_BACKEND="tests.appeals.test_notices.BrokenBackend"):
        for attempt in range(1, 5):
            assert notices_send_pending()["retry"] == 1
            notice = Notice.objects.get(appeal=appeal)
            assert (notice.state, notice.attempts) == ("pending", attempt)
            assert "SMTP server is down" in notice.error
        assert notices_send_pending()["failed"] == 1
        assert notices_send_pending() == {"sent": 0, "printed": 0, "retry": 0, "failed": 0}
    notice = Notice.objects.get(appeal=appeal)
    assert (notice.state, notice.attempts, notice.sent_at) == ("failed", 5, None)
    assert notices_send_pending()["sent"] == 0 and mail.outbox == []  # a working server later: still given up


def test_a_failure_does_not_hold_up_the_others(letter, operator):
    bad = transitions.appeal_register(appeal=letter(citizen_email="nobody@example.ru"), by=operator, at=T0)
    good = transitions.appeal_register(appeal=letter(), by=operator, at=T0 + timedelta(minutes=1))
    with override_settings(EMAIL_BACKEND="tests.appeals.test_notices.RefusesNobody"):
        assert notices_send_pending() == {"sent": 1, "printed": 0, "retry": 1, "failed": 0}
    assert Notice.objects.get(appeal=bad).state == "pending" and Notice.objects.get(appeal=good).state == "sent"
    assert [m.to for m in mail.outbox] == [["petrova@example.ru"]]


def test_the_sender_takes_at_most_its_limit_oldest_first(letter, operator):
    appeals = [transitions.appeal_register(appeal=letter(), by=operator, at=T0 + timedelta(minutes=i))
               for i in range(3)]
    assert notices_send_pending(limit=2)["sent"] == 2
    states = [Notice.objects.get(appeal=a).state for a in appeals]
    assert states == ["sent", "sent", "pending"]


@pytest.mark.django_db(transaction=True)
def test_a_notice_another_worker_holds_is_skipped_not_sent_twice(reference, make_appeal):
    operator = user("pestravka_operator")
    held, free = (
        transitions.appeal_register(appeal=make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0,
                                                     status=Status.NEW, due_at=None), by=operator, at=T0)
        for _ in range(2)
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Notice.objects.select_for_update().get(appeal=held)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert notices_send_pending()["sent"] == 1
    finally:
        release.set()
        thread.join()
    assert [m.to for m in mail.outbox] == [["petrova@example.ru"]]
    assert Notice.objects.get(appeal=held).state == "pending" and Notice.objects.get(appeal=free).state == "sent"


def test_the_beat_schedule_runs_the_sender_every_minute():
    from cur.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "appeals.tasks.notices_send")
    assert entry["schedule"].minute == set(range(60))


# --- the card ----------------------------------------------------------------------------------------------


def test_it_lists_the_notices_on_the_card(client, letter, operator):
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=T0)
    notices_send_pending()
    client.force_login(operator)
    card = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "Уведомления гражданину" in card
    assert "О регистрации" in card and "эл. почта" in card and "отправлено" in card


def test_it_hides_the_card_and_its_notices_from_another_district(client, letter, operator):
    appeal = transitions.appeal_register(appeal=letter(), by=operator, at=T0)
    client.force_login(user("tolyatti_operator"))
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
