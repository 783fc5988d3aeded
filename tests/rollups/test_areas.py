"""What an appeal counts for on the heat map and in the slices (rollups/areas.py), on hand-built histories
through the real lifecycle services: the local day of receipt, the state now, the answer time's bucket, the
citizen's verdict, and the day, week and month sums moved when an appeal changes place."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Appeal, Status
from cur.models import Agency
from municipalities.models import Municipality
from rollups.models import (
    AppealFact,
    AreaDay,
    AreaMonth,
    AreaMonthChannel,
    AreaWeek,
    RegionDay,
    RegionMonth,
    RegionWeek,
)
from rollups.services import rollups_rebuild, rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI
from tests.rollups.snapshot import area_snapshot

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
# 23:30 in Самара on Sunday 31 March is 19:30 UTC: the appeal is March's and that week's, not April's
LATE_EVENING = datetime(2024, 3, 31, 23, 30, tzinfo=SAMARA)


def _assigned(make_appeal, oktmo=PESTRAVKA, received=LATE_EVENING, **fields):
    appeal = make_appeal(oktmo, received_at=received, status=Status.NEW, due_at=None, **fields)
    appeal = transitions.appeal_register(appeal=appeal, by=None, at=received)
    return transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
                                     by=None, at=received + timedelta(hours=1))


def test_an_appeal_counts_on_its_local_day_with_its_state_now(make_appeal):
    appeal = _assigned(make_appeal, kind="message", channel="pos")
    rollups_refresh(now=LATE_EVENING + timedelta(hours=2))
    fact = AppealFact.objects.get(appeal=appeal)
    assert fact.received_day == date(2024, 3, 31)
    assert (fact.is_open, fact.is_answered, fact.is_late, fact.satisfied) == (True, False, False, None)
    assert fact.first_hours is None  # no response yet

    answered_at = LATE_EVENING + timedelta(days=3, hours=5)
    other = _assigned(make_appeal, kind="message", channel="pos")
    for one, verdict in ((appeal, "satisfied"), (other, "not_satisfied")):
        transitions.answer_submit(appeal=one, text="Кран заменён 03.04.2024, вода подаётся.", by=None, at=answered_at)
        one = transitions.appeal_close(appeal=Appeal.objects.get(pk=one.pk), by=None, at=answered_at)
        transitions.appeal_rate(appeal=one, satisfaction=verdict, by=None, at=answered_at + timedelta(days=1))
    rollups_refresh(now=answered_at + timedelta(days=2))
    fact = AppealFact.objects.get(appeal=appeal)
    assert (fact.is_open, fact.is_answered, fact.satisfied, fact.answer_days) == (False, True, True, 3)
    assert fact.first_hours == 24  # the answer was its first response: «a day or more»
    # «not satisfied» reopened the other one (the appeal's own column is cleared; the verdict stays counted)
    reopened = AppealFact.objects.get(appeal=other)
    state = (reopened.is_open, reopened.is_answered, reopened.satisfied, reopened.is_repeat)
    assert state == (True, False, False, True)

    day = AreaDay.objects.get(day=date(2024, 3, 31), municipality_id=appeal.municipality_id)
    assert (day.received, day.open, day.answered, day.rated, day.satisfied, day.repeats) == (2, 1, 1, 2, 1, 1)
    assert day.answer_days[3] == 1 and sum(day.answer_days) == 1
    week = AreaWeek.objects.get(week=date(2024, 3, 25), municipality_id=appeal.municipality_id)
    month = AreaMonthChannel.objects.get(month=date(2024, 3, 1), channel="pos", kind="message")
    region = RegionMonth.objects.get(month=date(2024, 3, 1), channel="pos")
    assert week.received == month.received == region.received == 2
    assert RegionDay.objects.get(day=date(2024, 3, 31), channel="pos", kind="message").answer_days[3] == 1
    assert RegionWeek.objects.get(week=date(2024, 3, 25)).received == 2


def test_an_appeal_past_its_deadline_is_late_and_moves_with_a_correction(make_appeal):
    appeal = _assigned(make_appeal, kind="appeal", channel="letter")
    appeals_refresh_overdue(now=appeal.due_at + timedelta(minutes=1))
    rollups_refresh(now=appeal.due_at + timedelta(minutes=2))
    assert AppealFact.objects.get(appeal=appeal).is_late
    pestravka, tolyatti = (Municipality.objects.get(oktmo=code) for code in (PESTRAVKA, TOLYATTI))
    assert AreaMonth.objects.get(municipality_id=pestravka.pk).late == 1

    transitions.appeal_correct(appeal=appeal, changes={"municipality": tolyatti, "settlement": None},
                               reason="адрес в Тольятти", by=None, at=appeal.due_at + timedelta(hours=1))
    rollups_refresh(now=appeal.due_at + timedelta(hours=2))
    moved = AreaMonth.objects.filter(month=date(2024, 3, 1))
    assert {(m.municipality_id, m.received, m.late) for m in moved if m.received or m.late} == {(tolyatti.pk, 1, 1)}
    before = area_snapshot()
    rollups_rebuild(now=appeal.due_at + timedelta(hours=2))
    assert area_snapshot() == before
