"""The status machine: every action through a service, an event each, illegal ones refused."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from appeals.lifecycle import transitions
from appeals.lifecycle.transitions import TransitionRefused
from appeals.models import Answer, Appeal, AppealEvent, Status
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
# Tuesday 12 March 2024, 10:00 in Samara: an ordinary working day.
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)


@pytest.fixture
def operator():
    return user("pestravka_operator")


@pytest.fixture
def zhkh():
    return Agency.objects.get(code="mup_zhkh_pestravskiy")


@pytest.fixture
def new_message(make_appeal):
    return make_appeal(PESTRAVKA, "housing_utilities", received_at=T0, status=Status.NEW, due_at=None)


def test_registration_sets_the_pos_deadline_from_the_subtopic_rule(new_message, operator):
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    assert appeal.status == Status.REGISTERED and appeal.version == 2
    # the subtopic (housing.apartment_buildings — first by code in ЖКХ) has 10 working days in the rubricator
    days = appeal.subtopic.sla_policies.get(kind="message", target="final").amount
    local_due = appeal.due_at.astimezone(SAMARA)
    assert local_due.time().hour in (17, 18)
    assert T0 < appeal.warn_at < appeal.due_at
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.REGISTERED)
    assert (event.old_value, event.new_value, event.actor) == ("new", "registered", operator)
    assert days > 0


def test_a_59fz_appeal_gets_30_calendar_days_moved_off_a_weekend(make_appeal, operator):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW, due_at=None)
    # registered on Friday 5 April 2024: +30 days = Sunday 5 May → Monday 6 May 2024
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=datetime(2024, 4, 5, 11, tzinfo=SAMARA))
    assert appeal.due_at.astimezone(SAMARA).date().isoformat() == "2024-05-06"


def test_an_incident_gets_8_working_hours_or_4_when_important(make_appeal, operator):
    normal = make_appeal(PESTRAVKA, kind="incident", channel="incident", received_at=T0, status=Status.NEW)
    urgent = make_appeal(PESTRAVKA, kind="incident", channel="incident", received_at=T0, status=Status.NEW,
                         importance="high")
    normal = transitions.appeal_register(appeal=normal, by=operator, at=T0)
    urgent = transitions.appeal_register(appeal=urgent, by=operator, at=T0)
    # 10:00 + 8 working hours with lunch 13–14 → next day 10:00; 4 hours → 15:00 the same day
    assert normal.first_response_due_at == datetime(2024, 3, 13, 10, tzinfo=SAMARA)
    assert urgent.first_response_due_at == datetime(2024, 3, 12, 15, tzinfo=SAMARA)


def test_an_illegal_transition_is_refused_and_changes_nothing(new_message, operator, zhkh):
    with pytest.raises(TransitionRefused, match="Нельзя закрыть"):
        transitions.appeal_close(appeal=new_message, by=operator)
    with pytest.raises(TransitionRefused, match="не применяется"):
        transitions.appeal_extend(appeal=new_message, days=10, reason="проверка", by=operator)
    new_message.refresh_from_db()
    assert new_message.status == Status.NEW and new_message.version == 1
    assert list(AppealEvent.objects.filter(appeal=new_message).values_list("kind", flat=True)) == ["created"]


def test_the_whole_path_with_rework_and_a_verdict(new_message, operator, zhkh):
    executor = user("executor_pestravka_zhkh")
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    transitions.answer_submit(appeal=appeal, text="Вопрос на контроле.", by=executor, at=T0 + timedelta(days=1))
    appeal = transitions.appeal_return_for_rework(appeal=appeal, reason="Нет срока работ", by=operator,
                                                at=T0 + timedelta(days=1, hours=2))
    transitions.answer_submit(appeal=appeal, text="Трубы заменены 14.03, фотоотчёт приложен.",
                            by=executor, at=T0 + timedelta(days=2))
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator, at=T0 + timedelta(days=3))
    appeal = transitions.appeal_rate(appeal=appeal, satisfaction="satisfied", at=T0 + timedelta(days=4))

    assert appeal.status == Status.CLOSED and appeal.satisfaction == "satisfied"
    assert list(Answer.objects.filter(appeal=appeal).order_by("created_at").values_list("review", flat=True)) == [
        "returned", "accepted"]
    kinds = list(AppealEvent.objects.filter(appeal=appeal).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["created", "registered", "assigned", "answered", "returned_for_rework", "answered", "closed",
                     "rated"]


def test_not_satisfied_reopens_with_a_fresh_deadline_counted_against_the_body(new_message, operator, zhkh):
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    transitions.answer_submit(appeal=appeal, text="Сделано.", by=None, at=T0 + timedelta(days=1))
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator, at=T0 + timedelta(days=1))
    old_due = appeal.due_at
    later = T0 + timedelta(days=20)
    appeal = transitions.appeal_rate(appeal=appeal, satisfaction="not_satisfied", at=later)
    assert appeal.status == Status.IN_PROGRESS and appeal.due_at > old_due and appeal.closed_at is None
    reopened = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.REOPENED)
    assert reopened.agency == zhkh and "не удовлетворён" in reopened.reason


def test_forwarding_keeps_the_citizens_deadline(new_message, operator, zhkh):
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    due = appeal.due_at
    other = Agency.objects.get(code="adm_pestravskiy_mr")
    appeal = transitions.appeal_forward(appeal=appeal, agency=other, reason="Не в компетенции МУП", by=operator,
                                      at=T0 + timedelta(days=2))
    assert appeal.due_at == due and appeal.agency == other
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.FORWARDED)
    assert event.old_value == str(zhkh) and event.agency == other


def test_a_complaint_never_goes_to_the_body_complained_about(make_appeal, operator, zhkh):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW,
                         complained_agency=zhkh)
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    with pytest.raises(TransitionRefused, match="обжалуются его действия"):
        transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator)


def test_one_extension_of_up_to_30_days_with_a_reason(make_appeal, operator):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW)
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    with pytest.raises(TransitionRefused, match="1–30"):
        transitions.appeal_extend(appeal=appeal, days=31, reason="Запрос в другой орган", by=operator)
    with pytest.raises(TransitionRefused, match="основание"):
        transitions.appeal_extend(appeal=appeal, days=10, reason=" ", by=operator)
    appeal = transitions.appeal_extend(appeal=appeal, days=30, reason="Запрос в другой орган", by=operator)
    assert appeal.extensions == 1
    with pytest.raises(TransitionRefused, match="одно продление"):
        transitions.appeal_extend(appeal=appeal, days=5, reason="Ещё раз", by=operator)
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.EXTENDED)
    assert "уведомлён" in event.reason


@pytest.mark.parametrize("ground", sorted(transitions.ST11_GROUNDS))
def test_each_st11_ground_leaves_the_appeal_without_answer_with_its_notice(make_appeal, operator, ground):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW)
    appeal = transitions.appeal_leave_without_answer(appeal=appeal, ground=ground, by=operator, at=T0)
    assert appeal.status == Status.LEFT_WITHOUT_ANSWER and appeal.closed_at == T0
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.LEFT_WITHOUT_ANSWER)
    assert transitions.ST11_GROUNDS[ground][1] in event.reason


def test_clarification_stops_the_clock_for_exactly_the_paused_working_time(new_message, operator, zhkh):
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    due = appeal.due_at
    asked = datetime(2024, 3, 13, 10, tzinfo=SAMARA)   # Wednesday 10:00
    answered = datetime(2024, 3, 14, 10, tzinfo=SAMARA)  # Thursday 10:00: 8 working hours later
    appeal = transitions.appeal_request_clarification(appeal=appeal, question="Уточните номер дома", by=operator,
                                                    at=asked)
    appeal = transitions.appeal_receive_clarification(appeal=appeal, text="Дом 5", at=answered)
    assert appeal.status == Status.IN_PROGRESS and appeal.paused_at is None
    from cur.selectors import working_calendar

    calendar = working_calendar(region=appeal.region)
    assert calendar.working_time_between(due, appeal.due_at) == timedelta(hours=8)


def test_an_interim_answer_starts_the_incident_deadline_after_interim(make_appeal, operator, zhkh):
    appeal = make_appeal(PESTRAVKA, kind="incident", channel="incident", received_at=T0, status=Status.NEW)
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    later = T0 + timedelta(hours=3)
    transitions.answer_submit(appeal=appeal, text="Бригада выехала.", is_interim=True, by=None, at=later)
    appeal.refresh_from_db()
    assert appeal.status == Status.INTERIM_ANSWERED and appeal.first_response_at == later
    # 7 working days after Tuesday 12 March 2024 → Thursday 21 March, end of day
    assert appeal.due_at.astimezone(SAMARA).date().isoformat() == "2024-03-21"


def test_a_stale_page_cannot_overwrite_a_newer_change(new_message, operator):
    seen = new_message.version
    transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    with pytest.raises(TransitionRefused, match="другой пользователь"):
        transitions.appeal_assign(appeal=new_message, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                by=operator, expected_version=seen)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_updates_never_lose_one(reference, make_appeal):
    """Two operators act on one 59-ФЗ appeal at once — one forwards it, the other extends its deadline:
    the row lock serialises them and neither change is lost, in whichever order they land."""
    operator = user("pestravka_operator")
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW)
    transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    zhkh, adm = Agency.objects.get(code="mup_zhkh_pestravskiy"), Agency.objects.get(code="adm_pestravskiy_mr")
    transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    barrier = threading.Barrier(2)
    errors = []

    def act(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(lambda: transitions.appeal_forward(
            appeal=appeal, agency=adm, reason="По компетенции", by=operator),)),
        threading.Thread(target=act, args=(lambda: transitions.appeal_extend(
            appeal=appeal, days=20, reason="Нужен выезд комиссии", by=operator),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    appeal.refresh_from_db()
    assert appeal.agency == adm and appeal.extensions == 1  # both changes are there
    assert appeal.version == 5  # created 1, registered 2, assigned 3, and both concurrent changes
    kinds = set(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert {"forwarded", "extended"} <= kinds


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_extensions_give_exactly_one(reference, make_appeal):
    """Without the row lock both would read «not extended yet» and extend twice."""
    operator = user("pestravka_operator")
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW)
    transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    barrier = threading.Barrier(2)
    outcomes = []

    def extend():
        try:
            barrier.wait()
            transitions.appeal_extend(appeal=appeal, days=15, reason="Нужен выезд комиссии", by=operator)
            outcomes.append("extended")
        except TransitionRefused as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=extend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[0] == "extended" and "одно продление" in sorted(outcomes)[1]
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.EXTENDED).count() == 1


def test_a_formal_reply_is_flagged_for_the_operator(new_message, operator, zhkh, client):
    appeal = transitions.appeal_register(appeal=new_message, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0)
    answer = transitions.answer_submit(appeal=appeal, text="Вопрос находится на контроле.", by=None, at=T0)
    assert "template_only" in answer.flags and "no_date_or_action" in answer.flags
    client.force_login(operator)
    card = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "шаблонный ответ без сути" in card
