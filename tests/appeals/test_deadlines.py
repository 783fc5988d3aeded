"""The deadline module (appeals/lifecycle/deadlines.py) tested directly, without HTTP: the rule table
(the most specific rule wins, a region's own rule over the federal default), the three units on the real
production calendar, and each application an appeal goes through."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appeals.lifecycle import deadlines
from appeals.models import Appeal
from cur.models import Sector, SlaPolicy, Subtopic
from cur.selectors import working_calendar
from municipalities.models import Region

pytestmark = pytest.mark.django_db

SAMARA = ZoneInfo("Europe/Samara")
Target, Unit = SlaPolicy.Target, SlaPolicy.Unit


@pytest.fixture
def samara():
    return Region.objects.get(code="samara")


@pytest.fixture
def water():
    return Subtopic.objects.filter(sector__code="housing_utilities").order_by("code").first()


def probe(region, subtopic=None, **fields) -> Appeal:
    fields.setdefault("kind", "message")
    fields.setdefault("channel", "pos")
    return Appeal(region=region, sector=subtopic.sector if subtopic else None, subtopic=subtopic, **fields)


def rule(**fields) -> SlaPolicy:
    fields.setdefault("kind", "message")
    fields.setdefault("target", Target.FINAL)
    fields.setdefault("unit", Unit.WORKING_DAYS)
    return SlaPolicy.objects.create(**fields)


def test_the_most_specific_rule_wins(samara, water):
    SlaPolicy.objects.filter(kind="message", target=Target.FINAL).delete()
    general = rule(amount=10)
    sector = rule(amount=12, sector=water.sector)
    subtopic = rule(amount=15, subtopic=water)
    other = Subtopic.objects.filter(sector=water.sector).exclude(pk=water.pk).first()
    elsewhere = Subtopic.objects.exclude(sector=water.sector).first()
    assert deadlines.policy_for(appeal=probe(samara, water), target=Target.FINAL) == subtopic
    assert deadlines.policy_for(appeal=probe(samara, other), target=Target.FINAL) == sector
    assert deadlines.policy_for(appeal=probe(samara, elsewhere), target=Target.FINAL) == general
    # a channel's own rule beats one for any channel at the same level; an inactive rule does not count
    by_mail = rule(amount=20, subtopic=water, channel="email")
    assert deadlines.policy_for(appeal=probe(samara, water, channel="email"), target=Target.FINAL) == by_mail
    by_mail.is_active = False
    by_mail.save()
    assert deadlines.policy_for(appeal=probe(samara, water, channel="email"), target=Target.FINAL) == subtopic


def test_a_regions_own_rule_overrides_the_default_and_stays_in_its_region(samara):
    chuvashia = Region.objects.get(code="chuvashia")
    default = SlaPolicy.objects.get(kind="incident", target=Target.FIRST_RESPONSE, importance="", region=None,
                                    channel="", sector=None, subtopic=None)
    own = SlaPolicy.objects.create(kind="incident", target=Target.FIRST_RESPONSE, unit=Unit.WORKING_HOURS,
                                   amount=6, region=samara)
    incident = dict(kind="incident", channel="incident", importance="normal")
    assert deadlines.policy_for(appeal=probe(samara, **incident), target=Target.FIRST_RESPONSE) == own
    assert deadlines.policy_for(appeal=probe(chuvashia, **incident), target=Target.FIRST_RESPONSE) == default


def test_an_important_incident_gets_the_shorter_first_response(samara):
    normal = deadlines.policy_for(appeal=probe(samara, kind="incident", channel="incident", importance="normal"),
                                  target=Target.FIRST_RESPONSE)
    high = deadlines.policy_for(appeal=probe(samara, kind="incident", channel="incident", importance="high"),
                                target=Target.FIRST_RESPONSE)
    assert (normal.unit, normal.amount, high.unit, high.amount) == (Unit.WORKING_HOURS, 8, Unit.WORKING_HOURS, 4)


def test_no_rule_no_deadline(samara):
    appeal = probe(samara, kind="message")
    assert deadlines.policy_for(appeal=appeal, target=Target.FORWARDING) is None
    assert deadlines.deadline_set(appeal, target=Target.FORWARDING, start=datetime(2024, 4, 1, tzinfo=SAMARA)) is False
    assert appeal.forwarding_due_at is None


# Friday 26 April 2024, 17:00 in Samara; Saturday 27 April 2024 was a working day (transferred), then
# 28 April – 1 May days off, 2 May … working again.
FRIDAY = datetime(2024, 4, 26, 17, 0, tzinfo=SAMARA)


def test_the_three_units_on_the_production_calendar(samara):
    calendar = working_calendar(region=samara)
    due = lambda unit, amount: deadlines.deadline(calendar=calendar, start=FRIDAY, unit=unit, amount=amount)  # noqa: E731
    # calendar days: the date `amount` days later, moved off days off, at the end of its working day
    assert due(Unit.CALENDAR_DAYS, 1) == datetime(2024, 4, 27, 18, 0, tzinfo=SAMARA)  # the working Saturday
    assert due(Unit.CALENDAR_DAYS, 2) == datetime(2024, 5, 2, 18, 0, tzinfo=SAMARA)  # 28 April … 1 May off
    # working days: the end of the n-th working day after the day of receipt
    assert due(Unit.WORKING_DAYS, 1) == datetime(2024, 4, 27, 18, 0, tzinfo=SAMARA)
    assert due(Unit.WORKING_DAYS, 2) == datetime(2024, 5, 2, 18, 0, tzinfo=SAMARA)
    # working hours: 1 h left on Friday (17–18), then Saturday 9:00–13:00 = 5 h
    assert due(Unit.WORKING_HOURS, 5) == datetime(2024, 4, 27, 13, 0, tzinfo=SAMARA)
    assert due(Unit.WORKING_HOURS, 6) == datetime(2024, 4, 27, 15, 0, tzinfo=SAMARA)  # the lunch hour skipped


def test_an_extension_counts_calendar_days_from_the_old_deadline(samara):
    appeal = probe(samara, kind="appeal", channel="letter", due_at=datetime(2024, 4, 26, 18, 0, tzinfo=SAMARA))
    assert deadlines.extension_due(appeal, days=2) == datetime(2024, 5, 2, 18, 0, tzinfo=SAMARA)  # 28.04 off


def test_after_a_clarification_the_deadline_moves_by_the_paused_working_time(samara):
    due = datetime(2024, 5, 6, 18, 0, tzinfo=SAMARA)  # Monday
    appeal = probe(samara, due_at=due, warn_at=due - timedelta(hours=8),
                   paused_at=datetime(2024, 5, 2, 10, 0, tzinfo=SAMARA))  # Thursday 10:00
    deadlines.deadlines_resume(appeal, at=datetime(2024, 5, 3, 10, 0, tzinfo=SAMARA))  # Friday 10:00: 8 h paused
    assert appeal.due_at == datetime(2024, 5, 7, 18, 0, tzinfo=SAMARA)
    assert appeal.warn_at == datetime(2024, 5, 7, 10, 0, tzinfo=SAMARA)  # Monday 10:00 → Tuesday 10:00


def test_the_answer_deadline_and_its_warning(samara, water):
    appeal = probe(samara, water, registered_at=FRIDAY)
    assert deadlines.deadline_set(appeal, target=Target.FINAL, start=FRIDAY)
    rule_ = deadlines.policy_for(appeal=appeal, target=Target.FINAL)
    calendar = working_calendar(region=samara)
    assert appeal.due_at == deadlines.deadline(calendar=calendar, start=FRIDAY, unit=rule_.unit, amount=rule_.amount)
    assert FRIDAY < appeal.warn_at < appeal.due_at and not appeal.is_overdue


def test_every_new_item_has_a_clock_from_its_arrival(samara):
    """59-ФЗ: registration in three calendar days; ПОС: taken into work within the working day (8 working
    hours); an incident: the first response in 8 working hours, 4 when important — all from the receipt,
    kept in the step's own field and in `due_at`, the deadline the queue orders by."""
    appeal = probe(samara, kind="appeal", channel="letter", received_at=FRIDAY)
    assert deadlines.arrival_deadline_set(appeal)
    assert appeal.registration_due_at == appeal.due_at == datetime(2024, 5, 2, 18, 0, tzinfo=SAMARA)  # 29.04 off
    assert appeal.first_response_due_at is None and FRIDAY < appeal.warn_at < appeal.due_at

    message = probe(samara, kind="message", channel="pos", received_at=FRIDAY)
    assert deadlines.arrival_deadline_set(message)
    # Friday 17:00 → one working hour that day, seven on the next working day: Saturday 27.04.2024 was a
    # working one, shortened before the holidays (09–17 with the 13–14 break)
    assert message.first_response_due_at == message.due_at == datetime(2024, 4, 27, 17, 0, tzinfo=SAMARA)
    assert message.registration_due_at is None

    incident = probe(samara, kind="incident", channel="incident", received_at=FRIDAY)
    urgent = probe(samara, kind="incident", channel="incident", received_at=FRIDAY, importance="high")
    assert deadlines.arrival_deadline_set(incident) and deadlines.arrival_deadline_set(urgent)
    assert incident.due_at == incident.first_response_due_at == message.due_at
    assert urgent.due_at == datetime(2024, 4, 27, 12, 0, tzinfo=SAMARA)  # 1 h on Friday + 3 h: 09–12 Saturday


def test_the_arrival_clock_of_a_whole_batch_is_the_same_rule(samara):
    clock_of = deadlines.arrival_deadlines_of_items(region=samara, model=Appeal)
    for kind, channel, importance in (("appeal", "letter", "normal"), ("message", "pos", "normal"),
                                      ("incident", "incident", "high")):
        one = probe(samara, kind=kind, channel=channel, importance=importance, received_at=FRIDAY)
        deadlines.arrival_deadline_set(one)
        batch = clock_of(probe(samara, kind=kind, channel=channel, importance=importance, received_at=FRIDAY))
        assert (batch.registration_due_at, batch.first_response_due_at, batch.due_at, batch.warn_at) == (
            one.registration_due_at, one.first_response_due_at, one.due_at, one.warn_at)


def test_no_arrival_rule_no_clock(samara):
    SlaPolicy.objects.filter(kind="message", target=Target.FIRST_RESPONSE).update(is_active=False)
    message = probe(samara, kind="message", received_at=FRIDAY)
    assert not deadlines.arrival_deadline_set(message) and message.due_at is None
    assert deadlines.arrival_deadlines_of_items(region=samara, model=Appeal)(message).due_at is None


def test_the_clock_starts_at_receipt_for_new_items_and_incidents_and_at_registration_otherwise(samara):
    received, registered = FRIDAY, FRIDAY + timedelta(days=3)
    assert deadlines.clock_start(probe(samara, kind="incident", received_at=received, registered_at=registered,
                                       status="registered")) == received
    assert deadlines.clock_start(probe(samara, kind="message", received_at=received, registered_at=registered,
                                       status="registered")) == registered
    assert deadlines.clock_start(probe(samara, kind="appeal", received_at=received)) == received  # new
    assert deadlines.clock_step(probe(samara, kind="appeal")) == "регистрация"
    assert deadlines.clock_step(probe(samara, kind="message")) == "первичный ответ"
    assert deadlines.clock_step(probe(samara, kind="message", status="registered")) == "ответ"


def test_the_bulk_rules_of_the_demo_generator_are_the_rule_table(water):
    rules = deadlines.bulk_rules()
    assert rules.appeal_days == SlaPolicy.objects.get(kind="appeal", target=Target.FINAL, region=None,
                                                      subtopic=None, sector=None, channel="", importance="").amount
    assert rules.message_days[water.pk] == SlaPolicy.objects.get(kind="message", target=Target.FINAL,
                                                                  subtopic=water).amount
    assert (rules.incident_first_hours, rules.incident_final_days) == (8, 7)
    assert rules.message_default_days == 10
    assert Sector.objects.filter(pk=water.sector_id).exists()
