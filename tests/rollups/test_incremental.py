"""After any sequence of lifecycle actions — with refreshes between them or not, deadlines passing, the sweep
running — the incrementally kept rollups equal a full rebuild from the history (hypothesis). Every action
commits on its own, so each refresh sees only what came after the previous one's watermark."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Appeal, Status
from cur.models import Agency, Subtopic
from municipalities.models import Municipality
from rollups.areas import CUBES
from rollups.models import AgencyDay, AgencyMonth, RollupState
from rollups.services import rollups_rebuild, rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI
from tests.rollups.snapshot import rollup_snapshot

pytestmark = pytest.mark.django_db(transaction=True)
SAMARA = ZoneInfo("Europe/Samara")
T0 = datetime(2024, 3, 12, 10, 0, tzinfo=SAMARA)
BODIES = ("mup_zhkh_pestravskiy", "adm_pestravskiy_mr", "gzhi_so")
GOOD = "Кран заменён 14.03.2024, вода подаётся, акт составлен."
FORMAL = "Ваше обращение рассмотрено, вопрос на контроле."
ACTIONS = ("assign", "forward", "clarify", "resume", "interim", "answer", "formal", "return", "close", "satisfied",
           "not_satisfied", "extend", "leave", "reopen", "sweep", "refresh", "correct")


@contextmanager
def cleaned_up():
    """Each example's appeals and rollups removed after it. The test runs without a wrapping transaction:
    every service commits on its own, as in production, so the watermark (the oldest running transaction)
    really moves past what a refresh has seen — inside one long test transaction it never would."""
    try:
        yield
    finally:
        Appeal.objects.filter(region__code="samara").delete()  # their events, answers, turns and facts
        for model in (AgencyDay, AgencyMonth, *(cube.model for cube in CUBES), RollupState):
            model.objects.all().delete()


def _act(action: str, appeal: Appeal, at: datetime, bodies: list[Agency], pick: int) -> None:
    body = bodies[pick % len(bodies)]
    common = {"appeal": appeal, "by": None, "at": at}
    match action:
        case "assign":
            transitions.appeal_assign(agency=body, **common)
        case "forward":
            transitions.appeal_forward(agency=body, reason="не по компетенции", **common)
        case "clarify":
            transitions.appeal_request_clarification(question="Уточните адрес", **common)
        case "resume":
            transitions.appeal_receive_clarification(text="дом 5", **common)
        case "interim":
            transitions.answer_submit(text="Выехала бригада, работы начаты 14.03.2024.", is_interim=True, **common)
        case "answer" | "formal":
            transitions.answer_submit(text=GOOD if action == "answer" else FORMAL, **common)
        case "return":
            transitions.appeal_return_for_rework(reason="отписка", **common)
        case "close":
            transitions.appeal_close(**common)
        case "satisfied" | "not_satisfied":
            transitions.appeal_rate(satisfaction=action, **common)
        case "extend":
            transitions.appeal_extend(days=1 + pick % 20, reason="нужна экспертиза", **common)
        case "leave":
            transitions.appeal_leave_without_answer(ground="unreadable", **common)
        case "reopen":
            transitions.appeal_reopen(reason="жалоба на ответ", **common)
        case "sweep":
            appeals_refresh_overdue(now=at)
        case "refresh":
            rollups_refresh(now=at)
        case "correct":  # the appeal moves to another territory and topic: the area sums move with it
            place = Municipality.objects.get(oktmo=(PESTRAVKA, TOLYATTI)[pick % 2])
            subtopic = Subtopic.objects.filter(sector__centre__isnull=True).order_by("pk")[pick]
            transitions.appeal_correct(changes={"municipality": place, "settlement": None, "subtopic": subtopic},
                                       reason="уточнено", **common)


STEPS = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS), st.integers(1, 80), st.integers(0, 5)),
                 min_size=1, max_size=24)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=STEPS)
def test_the_incremental_rollup_equals_a_full_rebuild(reference, make_appeal, steps):
    bodies = [Agency.objects.get(code=code) for code in BODIES]
    with cleaned_up():
        ids = []
        for n, (kind, channel) in enumerate((("appeal", "letter"), ("message", "pos"), ("incident", "incident"))):
            appeal = make_appeal(PESTRAVKA, received_at=T0, status=Status.NEW, due_at=None, kind=kind, channel=channel)
            appeal = transitions.appeal_register(appeal=appeal, by=None, at=T0)
            ids.append(transitions.appeal_assign(appeal=appeal, agency=bodies[n], by=None,
                                                 at=T0 + timedelta(hours=1)).pk)
        clock = T0 + timedelta(hours=1)
        for index, action, hours, pick in steps:
            clock += timedelta(hours=hours)
            try:
                _act(action, Appeal.objects.get(pk=ids[index]), clock, bodies, pick)
            except ValidationError:  # refused by the status machine (TransitionRefused): nothing changed
                pass
        end = clock + timedelta(hours=1)
        rollups_refresh(now=end)
        incremental = rollup_snapshot()
        assert len(incremental[0]) >= 3  # every appeal has at least its first turn
        assert len(incremental[3][0]) == 3  # and one area fact
        rollups_rebuild(now=end)
        assert rollup_snapshot() == incremental
