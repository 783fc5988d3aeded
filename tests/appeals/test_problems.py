"""Problems: appeals about one thing in one place, across channels; merge and split by operators."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Problem, Status
from appeals.problems import services as problem_services
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db

WATER = "Нет горячей воды в доме 5 по ул. Молодёжной уже третий день"
WATER_VK = "Третий день отсутствует горячая вода, Молодежная ул, дом 5!! Когда дадут?"
WATER_LETTER = "Прошу восстановить подачу горячей воды. Адрес: ул. Молодёжная, д. 5"
ROAD = "Огромная яма на дороге у школы, машины объезжают по встречке"


@pytest.fixture
def water(make_appeal):
    now = timezone.now()

    def make(text, channel="pos", kind="message", oktmo=PESTRAVKA, hours=0, **fields):
        return make_appeal(oktmo, "housing_utilities", text=text, channel=channel, kind=kind,
                           received_at=now - timedelta(days=3) + timedelta(hours=hours),
                           address=fields.pop("address", "ул. Молодёжная, д. 5"), **fields)
    return make


def _cluster(*appeals):
    return problem_services.problems_cluster(appeal_ids=[a.pk for a in appeals])


def test_the_same_outage_from_three_channels_is_one_problem(water):
    pos = water(WATER)
    vk = water(WATER_VK, channel="incident", kind="incident", hours=2)
    letter = water(WATER_LETTER, channel="letter", kind="appeal", hours=5)
    result = _cluster(pos, vk, letter)
    assert (result.started, result.attached) == (1, 1)
    ids = {a.problem_id for a in Appeal.objects.filter(pk__in=[pos.pk, vk.pk, letter.pk])}
    assert len(ids) == 1 and None not in ids
    problem = Problem.objects.get(pk=ids.pop())
    assert problem.subtopic_id == pos.subtopic_id and problem.municipality_id == pos.municipality_id
    # each keeps its own answer obligation: statuses and deadlines untouched
    for appeal in (pos, vk, letter):
        fresh = Appeal.objects.get(pk=appeal.pk)
        assert (fresh.status, fresh.due_at) == (appeal.status, appeal.due_at)
    assert AppealEvent.objects.filter(field="problem", appeal__in=[pos, vk, letter]).count() == 3


def test_different_things_or_places_stay_apart(water):
    a = water(WATER)
    other_text = water(ROAD, address="")
    elsewhere = water(WATER, oktmo=TOLYATTI, hours=1)
    result = _cluster(a, other_text, elsewhere)
    assert result.started == 0 and result.alone == 3
    assert not Appeal.objects.filter(pk__in=[a.pk, other_text.pk, elsewhere.pk], problem__isnull=False).exists()


def test_an_old_appeal_outside_the_window_is_not_a_neighbour(water):
    old = water(WATER, hours=-24 * 60)
    new = water(WATER_VK, channel="incident", kind="incident")
    assert _cluster(old, new).started == 0


def test_without_a_subtopic_it_abstains(water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    Appeal.objects.filter(pk__in=[a.pk, b.pk]).update(subtopic=None)
    assert _cluster(a, b).skipped == 2


def test_clustering_twice_changes_nothing(water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    _cluster(a, b)
    again = _cluster(a, b)
    assert (again.started, again.attached) == (0, 0)
    assert Problem.objects.count() == 1


def test_merge_and_split_move_appeals_with_events(water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    c, d = water(WATER_LETTER, hours=30 * 24 + 2, address="ул. Молодёжная, д. 7"), water(
        "Нет горячей воды Молодежная 7", hours=30 * 24 + 3, address="ул. Молодёжная, д. 7")
    _cluster(a, b, c, d)
    first, second = Appeal.objects.get(pk=a.pk).problem, Appeal.objects.get(pk=c.pk).problem
    assert first and second and first != second
    operator = user("pestravka_operator")
    problem_services.problem_merge(problem=second, into=first, by=operator)
    assert set(first.appeals.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk, d.pk}
    assert not Problem.objects.filter(pk=second.pk).exists()
    new = problem_services.problem_split(problem=first, appeal_ids=[c.pk, d.pk], by=operator, title="Дом 7")
    assert set(new.appeals.values_list("pk", flat=True)) == {c.pk, d.pk} and new.title == "Дом 7"
    assert AppealEvent.objects.filter(appeal=c, field="problem", actor=operator).count() == 2
    with pytest.raises(problem_services.ProblemRefused):
        problem_services.problem_split(problem=new, appeal_ids=[c.pk, d.pk], by=operator)
    with pytest.raises(problem_services.ProblemRefused):
        problem_services.problem_merge(problem=new, into=new, by=operator)


def test_detaching_the_second_last_appeal_dissolves_the_problem(water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    _cluster(a, b)
    problem_services.problem_detach(appeal=Appeal.objects.get(pk=a.pk), by=user("pestravka_operator"))
    assert Problem.objects.count() == 0
    assert not Appeal.objects.filter(pk__in=[a.pk, b.pk], problem__isnull=False).exists()


def test_it_pages_show_problems_in_scope_only(client, water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    _cluster(a, b)
    problem = Appeal.objects.get(pk=a.pk).problem
    client.force_login(user("pestravka_operator"))
    assert problem.title in client.get("/appeals/problems/").content.decode()
    page = client.get(f"/appeals/problems/{problem.pk}/").content.decode()
    assert a.number in page and b.number in page
    assert f"/appeals/problems/{problem.pk}/" in client.get(a.get_absolute_url()).content.decode()
    client.force_login(user("tolyatti_operator"))
    assert client.get(f"/appeals/problems/{problem.pk}/").status_code == 404
    assert problem.title not in client.get("/appeals/problems/").content.decode()


def test_it_merges_and_splits_through_the_pages_and_refuses_executors(client, water):
    a, b = water(WATER), water(WATER_VK, hours=1)
    c, d = water("Яма на дороге у дома", hours=2, address=""), water("Яма на дороге у дома, глубокая", hours=3,
                                                                   address="")
    Appeal.objects.filter(pk__in=[c.pk, d.pk]).update(subtopic=a.subtopic)
    _cluster(a, b, c, d)
    first, second = Appeal.objects.get(pk=a.pk).problem, Appeal.objects.get(pk=c.pk).problem
    client.force_login(user("executor_pestravka_zhkh"))
    assert client.post(f"/appeals/problems/{second.pk}/merge/", {"into": first.pk}).status_code == 403
    client.force_login(user("pestravka_operator"))
    response = client.post(f"/appeals/problems/{second.pk}/merge/", {"into": first.pk})
    assert response.status_code == 302 and first.appeals.count() == 4
    response = client.post(f"/appeals/problems/{first.pk}/split/", {"ids": [c.pk, d.pk]})
    assert response.status_code == 302 and first.appeals.count() == 2
    assert client.post(f"/appeals/problems/{first.pk}/merge/", {"into": "abc"}).status_code == 302


def test_status_does_not_matter_for_clustering(water):
    a = water(WATER, status=Status.CLOSED)
    b = water(WATER_VK, hours=1)
    assert _cluster(a, b).started == 1


def test_it_detaches_an_appeal_from_the_page(client, water):
    a, b, c = water(WATER), water(WATER_VK, hours=1), water(WATER_LETTER, hours=2)
    _cluster(a, b, c)
    problem = Appeal.objects.get(pk=a.pk).problem
    client.force_login(user("pestravka_operator"))
    response = client.post(f"/appeals/problems/{problem.pk}/detach/{c.pk}/")
    assert response.status_code == 302 and response.url.endswith(f"/appeals/problems/{problem.pk}/")
    assert Appeal.objects.get(pk=c.pk).problem_id is None and problem.appeals.count() == 2
    response = client.post(f"/appeals/problems/{problem.pk}/detach/{b.pk}/")
    assert response.url.endswith("/appeals/problems/") and not Problem.objects.filter(pk=problem.pk).exists()
