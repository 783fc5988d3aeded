"""Each body's own share of the time, agency working schedules, and the 59-ФЗ step deadlines
(registration within 3 days, forwarding within 7 days of registration)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import AppealEvent, Assignment, Status
from cur.models import Agency
from cur.selectors import working_calendar
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)  # Tuesday, an ordinary working day


@pytest.fixture
def operator():
    return user("pestravka_operator")


@pytest.fixture
def agencies():
    return Agency.objects.get(code="mup_zhkh_pestravskiy"), Agency.objects.get(code="adm_pestravskiy_mr")


@pytest.fixture
def in_progress(make_appeal, operator, agencies):
    appeal = make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None)
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    return transitions.appeal_assign(appeal=appeal, agency=agencies[0], by=operator, at=T0 + timedelta(hours=1))


def test_each_body_gets_its_own_share_of_working_time(in_progress, operator, agencies):
    zhkh, admin = agencies
    due = in_progress.due_at
    # ЖКХ holds it from Tue 11:00 to Wed 11:00: 11–13, 14–18, 9–11 = 8 working hours, then forwards it
    appeal = transitions.appeal_forward(appeal=in_progress, agency=admin, reason="не по компетенции", by=operator,
                                      at=T0 + timedelta(days=1, hours=1))
    assert appeal.due_at == due  # the citizen's deadline stays
    executor = user("executor_pestravka_adm")  # the body that holds it now answers (ЖКХ may not any more)
    transitions.answer_submit(appeal=appeal, text="Ремонт выполнен 14.03.2024, акт приложен.",
                            by=executor, at=datetime(2024, 3, 14, 15, 30, tzinfo=SAMARA))
    shares = list(Assignment.objects.filter(appeal=appeal).values_list("agency__code", "outcome", "working_seconds"))
    # the administration: Wed 11:00 → Thu 15:30 = 6 h (Wed) + 5.5 h (Thu) = 11.5 working hours
    assert shares == [
        (zhkh.code, Assignment.Outcome.FORWARDED, 8 * 3600),
        (admin.code, Assignment.Outcome.ANSWERED, int(11.5 * 3600)),
    ]


def test_the_citizen_pause_is_not_the_bodys_time(in_progress, operator):
    appeal = transitions.appeal_request_clarification(appeal=in_progress, question="Уточните номер дома", by=operator,
                                                    at=T0 + timedelta(hours=2))  # Tue 12:00
    appeal = transitions.appeal_receive_clarification(appeal=appeal, text="дом 5", at=T0 + timedelta(days=1))  # Wed 10
    transitions.answer_submit(appeal=appeal, text="Подача воды восстановлена 13.03.2024 в 16:00.",
                            by=user("executor_pestravka_zhkh"), at=T0 + timedelta(days=1, hours=2))  # Wed 12:00
    share = Assignment.objects.get(appeal=appeal)
    # Tue 11–12 (1 h) + Wed 10–12 (2 h); the pause Tue 12:00 → Wed 10:00 does not count
    assert share.working_seconds == 3 * 3600


def test_a_returned_answer_gives_the_body_a_new_turn(in_progress, operator):
    executor = user("executor_pestravka_zhkh")
    appeal = in_progress
    transitions.answer_submit(appeal=appeal, text="Ваше обращение рассмотрено.", by=executor,
                              at=T0 + timedelta(hours=2))
    transitions.appeal_return_for_rework(appeal=appeal, reason="отписка", by=operator, at=T0 + timedelta(hours=3))
    turns = Assignment.objects.filter(appeal=appeal)
    assert [t.outcome for t in turns] == [Assignment.Outcome.ANSWERED, ""]
    assert turns.last().ended_at is None


def test_only_one_body_holds_an_appeal_at_a_time(in_progress, agencies):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(appeal=in_progress, region_id=in_progress.region_id, agency=agencies[1],
                                  started_at=T0)


def test_a_bodys_own_schedule_counts_its_working_hours(in_progress, agencies):
    zhkh = agencies[0]
    zhkh.work_starts, zhkh.work_ends, zhkh.lunch_starts, zhkh.lunch_ends = time(8), time(17), time(12), time(13)
    zhkh.save()
    calendar = working_calendar(region=in_progress.region, agency=zhkh)
    day = [(a.astimezone(SAMARA).time(), b.astimezone(SAMARA).time()) for a, b in calendar.intervals(T0.date())]
    assert day == [(time(8), time(12)), (time(13), time(17))]
    # a pre-holiday day (2024-03-07) ends an hour early on the body's schedule too
    short = calendar.intervals(datetime(2024, 3, 7).date())
    assert short[-1][1].astimezone(SAMARA).time() == time(16)


def test_an_agency_schedule_must_make_sense(agencies):
    zhkh = agencies[0]
    zhkh.lunch_starts, zhkh.lunch_ends = time(19), time(20)
    with pytest.raises(IntegrityError), transaction.atomic():
        zhkh.save()


def test_a_59fz_appeal_must_be_registered_within_three_days(make_appeal, operator):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW, due_at=None)
    assert appeal.registration_due_at.astimezone(SAMARA).date().isoformat() == "2024-03-15"
    appeals_refresh_overdue(now=T0 + timedelta(days=2))
    appeal.refresh_from_db()
    assert not appeal.is_overdue
    appeals_refresh_overdue(now=T0 + timedelta(days=4))
    appeal.refresh_from_db()
    assert appeal.is_overdue
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.OVERDUE)
    assert event.field == "registration_due_at" and "трёх дней" in event.reason
    # registered late: the event says so, the flag goes, the forwarding clock starts
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0 + timedelta(days=4))
    assert not appeal.is_overdue
    assert "с нарушением срока" in appeal.events.get(kind=AppealEvent.Kind.REGISTERED).reason
    assert appeal.forwarding_due_at.astimezone(SAMARA).date().isoformat() == "2024-03-25"  # 23rd is a Saturday


def test_forwarding_after_seven_days_is_recorded_as_late(make_appeal, operator, agencies):
    appeal = make_appeal(PESTRAVKA, kind="appeal", channel="letter", received_at=T0, status=Status.NEW, due_at=None)
    appeal = transitions.appeal_register(appeal=appeal, by=operator, at=T0)
    appeal = transitions.appeal_assign(appeal=appeal, agency=agencies[0], by=operator, at=T0)
    appeal = transitions.appeal_forward(appeal=appeal, agency=agencies[1], reason="по компетенции", by=operator,
                                      at=T0 + timedelta(days=10))
    reason = appeal.events.get(kind=AppealEvent.Kind.FORWARDED).reason
    assert reason.startswith("по компетенции") and "с нарушением срока" in reason


def test_a_pos_message_has_no_registration_clock_but_a_first_response_one(make_appeal, operator):
    message = make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None)
    assert message.registration_due_at is None
    assert message.first_response_due_at == message.due_at and message.due_at > T0
    appeals_refresh_overdue(now=T0 + timedelta(days=3))
    message.refresh_from_db()
    assert message.is_overdue
    event = AppealEvent.objects.get(appeal=message, kind=AppealEvent.Kind.OVERDUE)
    assert event.field == "first_response_due_at" and "первичного ответа" in event.reason
    # registration gives the clock to the answer: the flag goes, `due_at` is the answer's
    message = transitions.appeal_register(appeal=message, by=operator, at=T0 + timedelta(days=3))
    assert not message.is_overdue and message.due_at > T0 + timedelta(days=3)


def test_the_clock_counts_working_time_left_and_overrun():
    from appeals.lifecycle import deadlines

    calendar = working_calendar(region=Agency.objects.get(code="mup_zhkh_pestravskiy").region)
    due = datetime(2024, 3, 13, 18, tzinfo=SAMARA)  # Tue 10:00 → Wed 18:00 = 7 + 8 = 15 working hours
    state = deadlines.clock(calendar=calendar, start=T0, due=due, now=datetime(2024, 3, 12, 15, tzinfo=SAMARA))
    assert (state.allowed, state.used, state.left) == (timedelta(hours=15), timedelta(hours=4), timedelta(hours=11))
    assert state.percent_used == 27 and not state.stopped
    late = deadlines.clock(calendar=calendar, start=T0, due=due, now=datetime(2024, 3, 14, 11, tzinfo=SAMARA))
    assert late.left == -timedelta(hours=2) and late.percent_used == 113
    assert deadlines.working_duration(timedelta(hours=11)) == "1 раб. дн. 3 ч"
    assert deadlines.working_duration(timedelta(minutes=90)) == "1 ч 30 мин"


def test_the_card_shows_the_clock_and_each_bodys_time(client, in_progress, operator, agencies):
    transitions.appeal_forward(appeal=in_progress, agency=agencies[1], reason="по компетенции", by=operator,
                             at=T0 + timedelta(days=1, hours=1))
    client.force_login(operator)
    page = client.get(in_progress.get_absolute_url()).content.decode()
    assert 'id="deadline-clock"' in page and "Срок нарушен на" in page  # 2024 is long past
    assert "Исполнители и их время" in page and "переадресовал · 1 раб. дн. рабочего времени" in page
