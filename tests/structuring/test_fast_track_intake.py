"""A fast-track mechanism applied on intake: the structured appeal of a covered subtopic and territory is marked,
its body proposed, and the timeline says so; an appeal elsewhere is not."""

import pytest

from appeals.lifecycle import transitions
from appeals.models import AppealEvent
from cur.models import Agency, FastTrack, Subtopic
from municipalities.models import Municipality
from structuring.services import AUTO_REASON, appeals_structure, auto_event_words, routing_rules_load_default
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = pytest.mark.django_db
TEXT = "В с. Пестравка на ул. Советской, д. 12 порыв водопровода, второй день нет холодной воды в кранах"


@pytest.fixture
def every_housing_subtopic():
    """A mechanism over every ЖКХ subtopic of Пестравский район: whichever of them the model picks is covered."""
    track = FastTrack.objects.create(
        region=Municipality.objects.get(oktmo=PESTRAVKA).region, name="ЖКХ Пестравки за 7 дней",
        municipality=Municipality.objects.get(oktmo=PESTRAVKA), agency=Agency.objects.get(code="mup_zhkh_pestravskiy"),
        action="аварийная бригада", deadline_days=6)
    track.subtopics.set(Subtopic.objects.filter(sector__code="housing_utilities"))
    return track


def test_intake_marks_the_appeal_and_proposes_the_mechanisms_body(make_appeal, every_housing_subtopic):
    routing_rules_load_default()
    here = make_appeal(PESTRAVKA, "other", text=TEXT, status="new", due_at=None)
    there = make_appeal(TOLYATTI, "other", text=TEXT.replace("с. Пестравка", "г. Тольятти"), status="new",
                        due_at=None)
    for appeal in (here, there):
        appeal.subtopic = appeal.sector = None
        appeal.save(update_fields=["subtopic", "sector"])
    appeals_structure(appeal_ids=[here.pk, there.pk])
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.sector.code == "housing_utilities" and there.sector.code == "housing_utilities"
    assert here.fast_track == every_housing_subtopic
    assert here.proposed_agency.code == "mup_zhkh_pestravskiy"
    assert there.fast_track is None  # another municipality: the mechanism is Пестравский's own
    event = AppealEvent.objects.get(appeal=here, reason=AUTO_REASON)
    assert f"Механизм ускоренного решения: {every_housing_subtopic}" in auto_event_words(event.new_value)


def test_a_registered_appeal_marked_later_gets_the_shorter_deadline_stored(make_appeal, every_housing_subtopic):
    appeal = make_appeal(PESTRAVKA, "other", text=TEXT, status="new", due_at=None, kind="appeal", channel="letter")
    appeal.subtopic = appeal.sector = None
    appeal.save(update_fields=["subtopic", "sector"])
    appeal = transitions.appeal_register(appeal=appeal, by=None)
    ordinary = appeal.due_at  # 30 calendar days (59-ФЗ)
    appeals_structure(appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.fast_track == every_housing_subtopic and appeal.due_at < ordinary
