"""What a body's turn counts for, on hand-built histories through the real lifecycle services (docs/ratings.md):
each body judged on its own share of the time, the citizen's pause not counted, each part on its day."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals.lifecycle import transitions
from appeals.models import Answer, Appeal, Assignment, Status
from cur.models import Agency
from cur.selectors import working_calendar
from rollups.models import AgencyDay, AgencyMonth, TurnFact
from rollups.services import rollups_rebuild, rollups_refresh
from tests.personas import PESTRAVKA, user
from tests.rollups.snapshot import rollup_snapshot as _snapshot

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)  # Tuesday, an ordinary working day
HOUR = 3600


@pytest.fixture
def operator():
    return user("pestravka_operator")


@pytest.fixture
def zhkh():
    return Agency.objects.get(code="mup_zhkh_pestravskiy")


@pytest.fixture
def admin():
    return Agency.objects.get(code="adm_pestravskiy_mr")


def _registered(make_appeal, operator, **fields):
    appeal = make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None, **fields)
    return transitions.appeal_register(appeal=appeal, by=operator, at=T0)


def _fact(appeal, agency) -> TurnFact:
    return TurnFact.objects.get(appeal=appeal, agency=agency)


def _day(agency, day) -> AgencyDay:
    return AgencyDay.objects.get(agency=agency, day=day)


def test_a_forwarded_appeal_is_split_fairly_between_the_two_bodies(make_appeal, operator, zhkh, admin):
    """ЖКХ held a 59-ФЗ appeal four weeks and forwarded it past the seven days of ст. 8 ч. 3: late, on the day
    its forwarding deadline passed. The administration got it two days before the citizen's deadline and
    answered the day after it — within its guaranteed three working days: on time, not blamed for ЖКХ's weeks."""
    appeal = _registered(make_appeal, operator, kind="appeal", channel="letter")
    assert appeal.due_at == datetime(2024, 4, 11, 18, 0, tzinfo=SAMARA)  # 30 days, the end of the working day
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    appeal = transitions.appeal_forward(appeal=appeal, agency=admin, reason="не по компетенции", by=operator,
                                        at=datetime(2024, 4, 9, 10, 0, tzinfo=SAMARA))
    transitions.answer_submit(appeal=appeal, text="Трубу заменят до 20.04.2024, работы начаты 12.04.2024.",
                              by=user("executor_pestravka_adm"), at=datetime(2024, 4, 12, 15, 0, tzinfo=SAMARA))
    first, second = Assignment.objects.filter(appeal=appeal).order_by("started_at")
    assert first.due_at == datetime(2024, 3, 19, 18, 0, tzinfo=SAMARA)  # forwarding: 7 days from its own start
    assert second.min_due_at == datetime(2024, 4, 12, 18, 0, tzinfo=SAMARA)  # 3 working days from receipt
    assert second.due_at == second.min_due_at  # later than the citizen's 11 April: its own share
    assert (second.working_seconds, second.allowed_seconds) == (28 * HOUR, 31 * HOUR)

    rollups_refresh(now=datetime(2024, 4, 15, tzinfo=SAMARA))
    late, on_time = _fact(appeal, zhkh), _fact(appeal, admin)
    assert (late.is_late, late.decision_day, late.outcome) == (True, date(2024, 3, 19), "forwarded")
    assert (on_time.is_late, on_time.decision_day, on_time.end_day) == (False, date(2024, 4, 12), date(2024, 4, 12))
    assert on_time.answer_bucket == 18  # 28 of 31 working hours: the 90–95 % bucket
    assert (_day(zhkh, date(2024, 3, 19)).late, _day(zhkh, date(2024, 3, 12)).received) == (1, 1)
    day = _day(admin, date(2024, 4, 12))
    assert (day.on_time, day.late, day.answered, day.answer_speed[18]) == (1, 0, 1, 1)
    assert _day(admin, date(2024, 4, 9)).received == 1
    march, april = (AgencyMonth.objects.get(agency=zhkh, month=date(2024, 3, 1)),
                    AgencyMonth.objects.get(agency=admin, month=date(2024, 4, 1)))
    assert (march.received, march.late, april.received, april.on_time) == (1, 1, 1, 1)


def test_the_citizens_pause_does_not_count_against_the_body(make_appeal, operator, zhkh):
    """The body asked the citizen for details; two days passed before the answer came. It answered an hour
    after the original deadline — on time, since the deadline moved by the pause, and the pause is in
    neither its working time nor its allowance."""
    appeal = _registered(make_appeal, operator)
    original_due = appeal.due_at
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    appeal = transitions.appeal_request_clarification(appeal=appeal, question="Уточните номер дома", by=operator,
                                                      at=T0 + timedelta(hours=2))  # Tue 12:00
    appeal = transitions.appeal_receive_clarification(appeal=appeal, text="дом 5", at=T0 + timedelta(days=2))
    calendar = working_calendar(region=appeal.region, agency=zhkh)
    assert calendar.working_time_between(original_due, appeal.due_at) == timedelta(hours=14)  # the pause
    answered = calendar.add_working_time(original_due, timedelta(hours=1))
    transitions.answer_submit(appeal=appeal, text="Кран заменён 20.03.2024, вода подаётся.",
                              by=user("executor_pestravka_zhkh"), at=answered)
    turn = Assignment.objects.get(appeal=appeal)
    start = T0 + timedelta(hours=1)
    held = calendar.working_time_between(start, answered) - timedelta(hours=14)
    assert turn.working_seconds == int(held.total_seconds())
    assert turn.allowed_seconds == int(calendar.working_time_between(start, original_due).total_seconds())
    # a ПОС message's first response is due in 8 working hours; the pause does not shrink that allowance
    assert turn.first_allowed_seconds == 8 * HOUR

    rollups_refresh(now=answered + timedelta(days=1))
    fact = _fact(appeal, zhkh)
    assert (fact.is_late, fact.outcome) == (False, "answered")
    assert fact.answer_bucket == min(20, int(20 * turn.working_seconds / turn.allowed_seconds))


def test_an_open_turn_is_late_on_the_day_its_deadline_passes_and_not_before(make_appeal, operator, zhkh):
    appeal = _registered(make_appeal, operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    rollups_refresh(now=appeal.due_at - timedelta(minutes=1))
    fact = _fact(appeal, zhkh)
    assert (fact.is_late, fact.decision_day, fact.open_due) == (None, None, appeal.due_at)
    # the deadline passes with no event at all: the next refresh finds the turn by its `open_due`
    rollups_refresh(now=appeal.due_at + timedelta(minutes=1))
    fact = _fact(appeal, zhkh)
    local_due = appeal.due_at.astimezone(SAMARA).date()
    assert (fact.is_late, fact.decision_day, fact.open_due) == (True, local_due, None)
    assert _day(zhkh, local_due).late == 1


def _photo():
    picture = io.BytesIO()
    Image.new("RGB", (40, 30)).save(picture, "JPEG")
    return SimpleUploadedFile("акт.jpg", picture.getvalue())


def test_returned_formal_and_rated_answers_fall_into_quality_completeness_and_satisfaction(
        make_appeal, operator, zhkh, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = _registered(make_appeal, operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    executor = user("executor_pestravka_zhkh")
    day1 = T0 + timedelta(days=1)
    transitions.answer_submit(appeal=appeal, text="Ваше обращение рассмотрено, вопрос на контроле.", by=executor,
                              at=day1)
    appeal = transitions.appeal_return_for_rework(appeal=appeal, reason="отписка", by=operator,
                                                  at=day1 + timedelta(hours=1))
    transitions.answer_submit(appeal=appeal, text="Кран заменён 13.03.2024, вода подаётся, акт составлен.",
                              by=executor, at=day1 + timedelta(hours=3), files=[_photo()])
    assert Answer.objects.filter(appeal=appeal).order_by("created_at").last().flags == []
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator,
                                      at=day1 + timedelta(hours=4))
    transitions.appeal_rate(appeal=appeal, satisfaction="satisfied", at=day1 + timedelta(hours=5))
    rollups_refresh(now=day1 + timedelta(days=1))
    formal, good = TurnFact.objects.filter(appeal=appeal).order_by("turn__started_at")
    assert (formal.quality_ok, formal.complete_ok, formal.satisfied) == (False, False, None)
    assert (good.quality_ok, good.complete_ok, good.satisfied) == (True, True, True)
    day = _day(zhkh, day1.date())
    assert (day.answered, day.quality_ok, day.quality_bad, day.complete_ok, day.complete_bad,
            day.rated, day.satisfied) == (2, 1, 1, 1, 1, 1, 1)
    assert (day.received, _day(zhkh, T0.date()).received) == (0, 1)  # a rework is not a new appeal received
    assert Assignment.objects.filter(appeal=appeal).order_by("started_at").last().min_due_at is None


def test_not_satisfied_reopens_a_repeat_turn(make_appeal, operator, zhkh):
    appeal = _registered(make_appeal, operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    transitions.answer_submit(appeal=appeal, text="Кран заменён 13.03.2024, вода подаётся.",
                              by=user("executor_pestravka_zhkh"), at=T0 + timedelta(hours=5))
    appeal = transitions.appeal_close(appeal=Appeal.objects.get(pk=appeal.pk), by=operator,
                                      at=T0 + timedelta(hours=6))
    transitions.appeal_rate(appeal=appeal, satisfaction="not_satisfied", at=T0 + timedelta(days=1))
    rollups_refresh(now=T0 + timedelta(days=2))
    first, repeat = TurnFact.objects.filter(appeal=appeal).order_by("turn__started_at")
    assert (first.satisfied, first.is_repeat, repeat.is_repeat) == (False, False, True)
    assert _day(zhkh, date(2024, 3, 13)).repeats == 1


def test_the_rebuild_equals_the_incremental_rollup_and_a_ranged_rebuild_repairs_the_sums(
        make_appeal, operator, zhkh, admin):
    appeal = _registered(make_appeal, operator)
    appeal = transitions.appeal_assign(appeal=appeal, agency=zhkh, by=operator, at=T0 + timedelta(hours=1))
    transitions.appeal_forward(appeal=appeal, agency=admin, reason="не по компетенции", by=operator,
                               at=T0 + timedelta(days=1))
    now = T0 + timedelta(days=3)
    rollups_refresh(now=now)
    before = _snapshot()
    rollups_rebuild(now=now)
    assert _snapshot() == before
    AgencyDay.objects.filter(agency=zhkh, day=date(2024, 3, 12)).update(received=99)  # damage one day's sums
    AgencyMonth.objects.filter(agency=zhkh).update(late=7)  # and its month's
    rollups_rebuild(region_id=appeal.region_id, date_from=date(2024, 3, 12), date_to=date(2024, 3, 12), now=now)
    assert _snapshot() == before

