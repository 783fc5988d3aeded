"""The demo generator: realistic, consistent, loaded with COPY through the real command."""

from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import override_settings

from appeals.models import Answer, Appeal, AppealEvent, AppealSearch, Attachment, SearchQueue
from rollups.areas import CUBES

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generated once for the module and committed (the command's worker processes load it over
    their own connections, so it cannot live inside a test's transaction); removed afterwards. The demo's
    photo reports go to a temporary MEDIA_ROOT."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        out = StringIO()
        call_command("generate_demo", appeals=6000, stdout=out)
        assert "Готово" in out.getvalue()
        appeals = list(Appeal.objects.select_related("subtopic__sector", "municipality", "region"))
        call_command("generate_demo", appeals=500, seed=7, stdout=StringIO())  # a second run adds on top
        yield appeals
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE appeals_appeal, appeals_problem, appeals_searchqueue, appeals_searchword,"
                           " rollups_agencyday, rollups_agencymonth, rollups_rollupstate,"
                           f" {', '.join(cube.table for cube in CUBES)} CASCADE")


def test_it_creates_the_requested_number_with_consistent_structure(demo):
    assert len(demo) == 6000
    for appeal in demo:
        assert appeal.region.code == "samara" and appeal.municipality.region_id == appeal.region_id
        assert appeal.subtopic.sector_id == appeal.sector_id
        assert appeal.received_at <= appeal.due_at
        assert appeal.agency_id is not None
    assert Appeal.objects.exclude(external_id=None).values("channel", "external_id").distinct().count() == \
        Appeal.objects.exclude(external_id=None).count()


def test_it_mixes_channels_and_kinds(demo):
    kinds = Counter(a.kind for a in demo)
    assert 0.50 < kinds["message"] / len(demo) < 0.60
    assert 0.20 < kinds["incident"] / len(demo) < 0.30
    assert {a.channel for a in demo if a.kind == "appeal"} == {"letter", "email", "web", "phone"}
    assert all(a.source_url.startswith("https://") for a in demo if a.kind == "incident")


def test_it_follows_the_seasons_and_the_week(demo):
    snow = Counter(a.received_at.astimezone(SAMARA).month for a in demo if a.subtopic.code == "roads.snow")
    assert sum(snow[m] for m in (12, 1, 2)) > 5 * sum(snow[m] for m in (6, 7, 8))
    weekdays = Counter(a.received_at.astimezone(SAMARA).weekday() for a in demo)
    assert weekdays[0] > weekdays[5] * 1.4  # Monday busier than Saturday


def test_it_places_appeals_by_population(demo):
    where = Counter(a.municipality.name for a in demo)
    assert where["Самара"] > where["Тольятти"] > where["Пестравский район"] > 0


def test_lifecycles_have_events_answers_and_verdicts(demo):
    by_status = Counter(a.status for a in demo)
    assert by_status["closed"] > 0.7 * len(demo)
    assert by_status["left_without_answer"] > 0 and by_status["in_progress"] > 0
    open_overdue = sum(1 for a in demo if a.is_open and a.is_overdue)
    assert 0 < open_overdue < 0.1 * len(demo)
    late = sum(1 for a in demo if a.answered_at and a.answered_at > a.due_at)
    assert 0.05 < late / len(demo) < 0.30

    without_created = Appeal.objects.annotate(
        n=Count("events", filter=Q(events__kind=AppealEvent.Kind.CREATED))).filter(~Q(n=1))
    assert not without_created.exists()
    closed_without_answer = Appeal.objects.filter(status="closed").annotate(
        n=Count("answers", filter=Q(answers__is_interim=False, answers__review="accepted"))).filter(n=0)
    assert not closed_without_answer.exists()
    assert Answer.objects.filter(review="returned").exists()
    assert AppealEvent.objects.filter(kind="returned_for_rework").exclude(reason="").exists()
    verdicts = Counter(a.satisfaction for a in demo if a.satisfaction)
    assert 0.5 < verdicts["satisfied"] / sum(verdicts.values()) < 0.9


def test_texts_are_varied_and_noisy(demo):
    texts = [a.text for a in demo]
    assert len(set(texts)) > 0.9 * len(texts)
    assert any(t.isupper() for t in texts)  # somebody always writes in CAPS
    assert any(a.problem_id for a in demo)


def test_a_second_run_adds_without_collisions(demo):
    assert Appeal.objects.count() == 6500
    newest = Appeal.objects.order_by("-pk")[:500]
    assert min(a.pk for a in newest) > max(a.pk for a in demo)


def test_generated_appeals_are_searchable_at_once(demo):
    assert AppealSearch.objects.count() == Appeal.objects.count()
    assert not SearchQueue.objects.exists()  # indexed by the generator itself, nothing left for the indexer
    appeal = demo[0]
    word = max((w.strip(".,!?;:") for w in appeal.text.split()), key=len)  # the longest word: no stop word
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM appeals_appealsearch WHERE appeal_id = %s"
                       " AND document @@ plainto_tsquery('russian', %s)", [appeal.pk, word])
        assert cursor.fetchone()[0] == 1, word


def test_an_evidenced_answer_has_a_photo_report_on_it(demo):
    """`has_evidence` means a file on the answer, for the demo as for real answers (appeals/demo/evidence.py)."""
    evidenced = Answer.objects.filter(has_evidence=True)
    assert evidenced.exists()
    assert not evidenced.annotate(n=Count("attachments")).exclude(n=1).exists()
    assert not Attachment.objects.filter(answer__has_evidence=False).exists()
    photo = Attachment.objects.filter(answer__isnull=False).first()
    assert photo.is_image and photo.size > 1000 and photo.appeal_id == photo.answer.appeal_id
    assert photo.file.storage.exists(photo.file.name) and photo.file.storage.exists(photo.thumbnail.name)


def test_new_items_carry_their_arrival_clock(demo):
    new = [a for a in demo if a.status == "new"]
    assert new and all(a.due_at is not None and a.due_at > a.received_at for a in new)
    assert all((a.registration_due_at == a.due_at) == (a.kind == "appeal") for a in new)


def test_it_writes_each_bodys_turns_and_builds_the_rollups(demo):
    """The demo's history has what the ratings judge: turns with their deadlines and working time, forwards
    of misrouted appeals, reworks, repeat considerations — and the rollups built from it at the end."""
    from django.db.models import Sum

    from appeals.models import Assignment
    from rollups.models import AgencyDay, TurnFact

    turns = Assignment.objects.all()
    assert turns.count() > 0.9 * Appeal.objects.exclude(status="new").exclude(status="registered").count()
    assert TurnFact.objects.count() == turns.count()
    outcomes = Counter(turns.values_list("outcome", flat=True))
    assert outcomes["answered"] > outcomes["forwarded"] > 0 and outcomes["withdrawn"] > 0
    assert AppealEvent.objects.filter(kind="reopened").exists()
    assert AppealEvent.objects.filter(kind="returned_for_rework").count() > 0
    ended = turns.filter(outcome="answered")
    assert not ended.filter(working_seconds__isnull=True).exists() and not ended.filter(due_at__isnull=True).exists()
    assert AgencyDay.objects.aggregate(total=Sum("received"))["total"] == TurnFact.objects.filter(
        is_rework=False).count()
