"""Fast-track mechanisms (decree 530): the shorter deadline through the SLA rules, never a longer one; the share,
on-time and repeat figures on the dashboard, the page and the ratings, each leading to its appeals; the scope."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from appeals.lifecycle import deadlines, transitions
from appeals.models import Status
from cur.models import Agency, FastTrack, Subtopic
from cur.periods import CalendarPeriod
from cur.selectors import working_calendar
from municipalities.models import Municipality
from ratings.selectors import rating
from reports.fasttrack.selectors import fast_track_figures
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
MARCH = CalendarPeriod("month", date(2024, 3, 1), date(2024, 3, 31))
COLD_WATER = "housing.cold_water"


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=SAMARA)


@pytest.fixture
def track():
    """The demo's own mechanism: a burst water pipe in Пестравский район, МУП ЖКХ, 7 calendar days."""
    return FastTrack.objects.get(name__startswith="Порыв водопровода", municipality__oktmo=PESTRAVKA)


def _cold_water(make_appeal, oktmo: str, day: int, **fields):
    """A new ПОС message, its topic set by the operator (the correction path marks the mechanism), registered."""
    appeal = make_appeal(oktmo, "housing_utilities", received_at=at(day), status=Status.NEW, due_at=None, **fields)
    appeal = transitions.appeal_correct(appeal=appeal, by=None, changes={
        "subtopic": Subtopic.objects.get(code=COLD_WATER)}, at=at(day, 11))
    return transitions.appeal_register(appeal=appeal, by=None, at=at(day, 12))


def test_the_mechanism_gives_its_shorter_deadline_and_its_body(make_appeal, track):
    appeal = _cold_water(make_appeal, PESTRAVKA, 4, kind="appeal", channel="letter")  # 59-ФЗ: 30 days
    assert appeal.fast_track == track and appeal.proposed_agency == track.agency
    calendar = working_calendar(region=appeal.region)
    assert appeal.due_at == deadlines.deadline(calendar=calendar, start=at(4, 12), unit="calendar_days", amount=7)
    assert appeal.due_at == datetime(2024, 3, 11, 18, tzinfo=SAMARA)  # Monday the 4th + 7: Monday the 11th
    ordinary = _cold_water(make_appeal, TOLYATTI, 4, kind="appeal", channel="letter")  # no mechanism there
    assert ordinary.fast_track is None and ordinary.due_at == datetime(2024, 4, 3, 18, tzinfo=SAMARA)


def test_a_mechanism_never_lengthens_the_ordinary_deadline(make_appeal, track):
    appeal = _cold_water(make_appeal, PESTRAVKA, 4)  # a ПОС message of this subtopic: 3 working days
    calendar = working_calendar(region=appeal.region)
    assert appeal.fast_track == track
    assert appeal.due_at == deadlines.deadline(calendar=calendar, start=at(4, 12), unit="working_days", amount=3)


def test_a_topic_corrected_after_registration_moves_the_deadline_up(make_appeal, track):
    appeal = make_appeal(PESTRAVKA, "housing_utilities", received_at=at(4), status=Status.NEW, due_at=None,
                         kind="appeal", channel="letter")
    appeal = transitions.appeal_register(appeal=appeal, by=None, at=at(4, 12))
    ordinary = appeal.due_at
    appeal = transitions.appeal_correct(appeal=appeal, by=user("pestravka_operator"), changes={
        "subtopic": Subtopic.objects.get(code=COLD_WATER)}, at=at(5))
    assert appeal.fast_track == track and appeal.due_at < ordinary
    assert appeal.events.filter(field="fast_track", new_value=str(track)).exists()
    other = Subtopic.objects.get(code="housing.heating")
    appeal = transitions.appeal_correct(appeal=appeal, by=user("pestravka_operator"), changes={"subtopic": other},
                                        at=at(6))
    assert appeal.fast_track is None  # no longer the typical problem: unmarked (the deadline stays as told)


def test_the_deadline_is_at_most_thirty_days():
    with pytest.raises(IntegrityError), transaction.atomic():
        FastTrack.objects.create(region=Municipality.objects.get(oktmo=PESTRAVKA).region, name="долго",
                                 agency=Agency.objects.get(code="mup_zhkh_pestravskiy"), action="—",
                                 deadline_days=31)
    with pytest.raises(ValidationError):
        FastTrack(region_id=1, name="x", agency_id=1, action="x", deadline_days=0).full_clean()


@pytest.fixture
def march(make_appeal, track):
    """March 2024 in Пестравка: three fast-track appeals (one answered late, one reopened after its answer) and
    two ordinary ones; one fast-track appeal in Тольятти (no mechanism there) stays ordinary."""
    executor = user("executor_pestravka_zhkh")
    quick, late, again = (_cold_water(make_appeal, PESTRAVKA, day, kind="appeal", channel="letter")
                          for day in (4, 5, 6))
    for appeal, answered in ((quick, at(6)), (late, at(20)), (again, at(8))):
        appeal = transitions.appeal_assign(appeal=appeal, agency=track.agency, by=None, at=at(appeal.received_at.day,
                                                                                                  13))
        transitions.answer_submit(appeal=appeal, text="Порыв устранён 6 марта, акт приложен.", by=executor,
                                  at=answered)
    again.refresh_from_db()
    transitions.appeal_close(appeal=again, by=None, at=at(9))
    again.refresh_from_db()
    transitions.appeal_reopen(appeal=again, reason="вода снова не идёт", by=None, at=at(12))
    for day in (7, 8):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=at(day))
    elsewhere = _cold_water(make_appeal, TOLYATTI, 7)
    assert elsewhere.fast_track is None
    rollups_refresh(now=datetime(2024, 4, 5, tzinfo=SAMARA))
    return {"quick": quick, "late": late, "again": again}


def test_the_share_on_time_and_repeats_lead_to_their_appeals(client, march, track):
    region = track.region
    figures = fast_track_figures(user("pestravka_curator"), region, MARCH)
    assert (figures.received, figures.total.handled, figures.total.late, figures.total.repeats) == (5, 3, 1, 1)
    assert figures.share == 60.0 and figures.total.on_time_share == 66.7 and figures.total.repeat_share == 33.3
    line = next(line for line in figures.lines if line.track == track)
    assert line.handled == 3
    client.force_login(user("pestravka_curator"))
    for url, expected in ((line.urls["fast_track"], {march["quick"].pk, march["late"].pk, march["again"].pk}),
                          (line.urls["fast_track_late"], {march["late"].pk}),
                          (line.urls["fast_track_repeats"], {march["again"].pk})):
        listed = client.get(url)
        assert {a.pk for a in listed.context["page"].rows} == expected, url

    board = client.get(reverse("heatmap:dashboard"), {"period": "month", "on": "2024-03-10"}).context["board"]
    tile = next(t for t in board.targets if t.label == "Ускоренное решение")
    assert tile.value == "60 %" and "в срок механизма 67 %" in tile.hint
    assert client.get(tile.url).context["page"].total == 3
    page = client.get(reverse("reports:fast_tracks"), {"period": "month", "on": "2024-03-10"})
    assert page.status_code == 200 and track.name in page.content.decode()


def test_each_reader_sees_only_the_figures_of_their_territory(march, track):
    region = track.region
    assert fast_track_figures(user("tolyatti_operator"), region, MARCH).total.handled == 0
    assert fast_track_figures(user("cur_curator"), region, MARCH).total.handled == 3
    assert fast_track_figures(user("cur_curator"), region, MARCH).received == 6  # Тольятти's ordinary one too


def test_the_ratings_fast_track_part_is_the_share_decided_in_the_mechanisms_time(march, track):
    board = rating(user("cur_curator"), MARCH)
    row = next(r for r in board.rows if r.key == track.agency_id)
    sums = row.sums
    # a turn each, and the reopened one's second turn, unanswered past the mechanism's 7 days by April
    assert (sums.fast_track, sums.fast_track_on_time, sums.fast_track_late) == (4, 2, 2)
    assert row.rated.values["fast_track"] == 50.0
    assert board.methodology.weight_fast_track == 0  # shown, not weighed, until the region gives it a weight


def test_the_page_is_refused_to_a_user_without_a_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("reports:fast_tracks")).status_code == 404
    client.logout()
    assert client.get(reverse("reports:fast_tracks")).status_code == 302


def test_the_card_shows_the_mechanism_and_offers_its_answer_template(client, make_appeal, track):
    appeal = _cold_water(make_appeal, PESTRAVKA, 4, kind="appeal", channel="letter")
    appeal = transitions.appeal_assign(appeal=appeal, agency=track.agency, by=None, at=at(4, 13))
    client.force_login(user("executor_pestravka_zhkh"))
    page = client.get(reverse("appeals:detail", args=[appeal.pk]))
    html = page.content.decode()
    assert 'id="fast-track"' in html and track.name in html and "срок 7 дн." in html
    forms = {name: form for name, _, form in page.context["actions"]}
    assert forms["answer_final"].initial["text"] == track.answer_template
    assert "text" not in forms["answer_interim"].initial


def test_a_mechanism_that_needs_evidence_flags_an_answer_without_it(make_appeal, track):
    appeal = _cold_water(make_appeal, PESTRAVKA, 4, kind="appeal", channel="letter")
    assert not appeal.subtopic.evidence_required and track.evidence_required and appeal.needs_evidence
    appeal = transitions.appeal_assign(appeal=appeal, agency=track.agency, by=None, at=at(4, 13))
    answer = transitions.answer_submit(appeal=appeal, by=user("executor_pestravka_zhkh"), at=at(6),
                                       text="Порыв устранён 6 марта 2024 года, вода подаётся.")
    assert "no_evidence" in answer.flags
