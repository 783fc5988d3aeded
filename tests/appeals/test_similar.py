"""Similar appeals on the card (appeals/similar.py) and «attach to the same Problem» (problem_join):
what is found and what is not, answered ones first, the scope, personal data, and the one-click join."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.lifecycle import transitions
from appeals.models import Appeal, AppealEvent, Problem, Status
from appeals.problems import services as problem_services
from appeals.search.index import search_index_pending
from appeals.search.similar import similar_appeals
from appeals.workspace.selectors import appeal_scope
from municipalities.models import Settlement
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db

WATER = "Нет горячей воды в доме 5 по ул. Молодёжной уже третий день"
WATER_LETTER = "Прошу восстановить подачу горячей воды. Адрес: ул. Молодёжная, д. 5"
WATER_AGAIN = "Третий день нет горячей воды, Молодёжная 5, дом без воды"
WATER_LOOSE = "Слабый напор горячей воды по вечерам"
ROAD = "Огромная яма на дороге у школы, машины объезжают по встречке"
ALATYR = "97704000"  # Алатырь, Чувашская Республика: another region


@pytest.fixture
def water(make_appeal):
    now = timezone.now()

    def make(text, oktmo=PESTRAVKA, hours=0, **fields):
        return make_appeal(oktmo, "housing_utilities", text=text, received_at=now - timedelta(days=3, hours=-hours),
                           **fields)
    return make


def answered(appeal, text="Подача горячей воды восстановлена 14.03, стояк заменён."):
    """The executor's final answer through the real service."""
    transitions.answer_submit(appeal=appeal, text=text, by=user("executor_pestravka_zhkh"))
    return appeal


def similar(username, appeal, **kwargs):
    return similar_appeals(user=user(username), appeal=Appeal.objects.get(pk=appeal.pk), **kwargs)


def pks(rows):
    return [row.appeal.pk for row in rows]


def test_the_same_question_is_found_and_other_things_or_places_are_not(water):
    base = water(WATER)
    letter = water(WATER_LETTER, hours=1)
    road = water(ROAD, hours=2)  # the same subtopic, other words
    elsewhere = water(WATER, oktmo=TOLYATTI, hours=3)  # the same words in another municipality
    search_index_pending()
    rows = similar("cur_operator", base)
    assert pks(rows) == [letter.pk]
    assert road.pk not in pks(rows) and elsewhere.pk not in pks(rows)
    assert 0.25 <= rows[0].similarity <= 1 and rows[0].percent == round(rows[0].similarity * 100)
    assert rows[0].answer_excerpt == "" and rows[0].answered_at is None and not rows[0].same_problem


def test_without_an_index_or_a_place_there_is_nothing_to_compare(water):
    base, twin = water(WATER), water(WATER_LETTER, hours=1)
    assert similar("cur_operator", base) == []  # not indexed yet: no failure, no rows
    search_index_pending()
    assert pks(similar("cur_operator", base)) == [twin.pk]
    Appeal.objects.filter(pk=base.pk).update(subtopic=None)
    assert similar("cur_operator", base) == []


def test_answered_ones_come_first_then_the_closest(water):
    base = water(WATER)
    close = water(WATER_AGAIN, hours=1, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy")
    loose = answered(water(WATER_LOOSE, hours=2, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy"))
    interim = water(WATER_LETTER, hours=3, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy")
    transitions.answer_submit(appeal=interim, text="Вопрос на контроле, ответим позже.", is_interim=True,
                            by=user("executor_pestravka_zhkh"))
    search_index_pending()
    rows = similar("cur_operator", base)
    assert pks(rows)[0] == loose.pk  # an answer to reuse, though fewer words match
    assert rows[0].similarity < rows[1].similarity
    assert set(pks(rows)) == {loose.pk, close.pk, interim.pk}
    assert rows[0].answer_excerpt.startswith("Подача горячей воды восстановлена") and rows[0].answered_at
    assert [row.answer_excerpt for row in rows[1:]] == ["", ""]  # an interim answer is not an answer yet
    assert len(similar("cur_operator", base, limit=1)) == 1


@pytest.mark.parametrize("batch", [1, 2, 32])
def test_answers_are_asked_of_the_closest_few_at_a_time_with_the_same_result(water, monkeypatch, batch):
    # the answered one is the least close: found however many are asked about at a time, and the
    # others follow closest first; with room for one, the answered one alone
    from appeals.search import similar as module

    monkeypatch.setattr(module, "ANSWERED_BATCH", batch)
    base = water(WATER)
    close = water(WATER_AGAIN, hours=1)
    letter = water(WATER_LETTER, hours=2)
    loose = answered(water(WATER_LOOSE, hours=3, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy"))
    search_index_pending()
    rows = similar("cur_operator", base)
    assert pks(rows)[0] == loose.pk and set(pks(rows)) == {loose.pk, close.pk, letter.pk}
    assert rows[1].similarity >= rows[2].similarity
    assert pks(similar("cur_operator", base, limit=1)) == [loose.pk]
    assert pks(similar("cur_operator", base, limit=2))[0] == loose.pk


def test_the_same_settlement_ranks_above_an_equally_close_one_nearby(water):
    base = water(WATER)
    nearby, here = water(WATER_LETTER, hours=2), water(WATER_LETTER, hours=1)
    other = Settlement.objects.filter(municipality_id=base.municipality_id).exclude(pk=base.settlement_id).first()
    Appeal.objects.filter(pk=nearby.pk).update(settlement=other)
    search_index_pending()
    assert pks(similar("cur_operator", base)) == [here.pk, nearby.pk]  # though `nearby` is newer


def test_the_panel_shows_only_what_the_user_may_see(water):
    base = water(WATER, agency="mup_zhkh_pestravskiy")
    theirs = water(WATER_LETTER, hours=1, agency="mup_zhkh_pestravskiy")
    not_theirs = water(WATER_AGAIN, hours=2, agency="adm_pestravskiy_mr")
    in_tolyatti, tolyatti_twin = water(WATER, oktmo=TOLYATTI), water(WATER_LETTER, oktmo=TOLYATTI, hours=1)
    search_index_pending()
    assert set(pks(similar("pestravka_operator", base))) == {theirs.pk, not_theirs.pk}
    # the executor's scope is its agency's appeals: the other body's appeal is not shown
    executor = user("executor_pestravka_zhkh")
    assert not appeal_scope(user=executor).filter(pk=not_theirs.pk).exists()
    assert pks(similar("executor_pestravka_zhkh", base)) == [theirs.pk]
    # a МЦУ never gets another district's appeals, even asked about one of them
    assert pks(similar("tolyatti_operator", in_tolyatti)) == [tolyatti_twin.pk]
    assert similar("pestravka_operator", in_tolyatti) == []
    assert set(pks(similar("cur_curator", base))) == {theirs.pk, not_theirs.pk}


def test_personal_data_in_the_answer_is_masked_for_a_curator(water):
    base = water(WATER)
    answered(water(WATER_LETTER, hours=1, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy",
                   title="Горячая вода, звонила Сидорова Мария Ивановна"),
             text="Вода дана. Мастер Петров И.И., тел. 8 927 765-43-21.")
    search_index_pending()
    [operator_row] = similar("cur_operator", base)
    assert "8 927 765-43-21" in operator_row.answer_excerpt and "Петров И.И." in operator_row.answer_excerpt
    [curator_row] = similar("cur_curator", base)
    assert "765-43-21" not in curator_row.answer_excerpt and "Петров" not in curator_row.answer_excerpt
    assert "[телефон]" in curator_row.answer_excerpt
    assert "Сидорова" not in curator_row.summary and "Сидорова" in operator_row.summary


def test_a_phone_at_the_edge_of_the_excerpt_is_masked_whole(water):
    base = water(WATER)
    filler = "Работы выполнены. " * 16  # the phone straddles the 300th character
    answered(water(WATER_LETTER, hours=1, status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy"),
             text=f"{filler}Тел. 8 927 765-43-21.")
    search_index_pending()
    [row] = similar("cur_curator", base)
    assert row.answer_excerpt.endswith("…") and "927" not in row.answer_excerpt


def _problem_of(appeal):
    return Appeal.objects.get(pk=appeal.pk).problem_id


def test_join_into_the_other_appeals_problem_leaving_a_dissolving_one(water):
    a, b, c, d = water(WATER), water(WATER_LETTER, hours=1), water(WATER_AGAIN, hours=2), water(WATER, hours=3)
    operator = user("pestravka_operator")
    first = problem_services.problem_join(appeal=a, other=b, by=operator)  # neither had one: a new Problem
    second = problem_services.problem_join(appeal=c, other=d, by=operator)
    assert first.title == WATER_LETTER[:300] and first.subtopic_id == b.subtopic_id
    assert first.municipality_id == b.municipality_id and first.settlement_id == b.settlement_id
    joined = problem_services.problem_join(appeal=c, other=a, by=operator)  # c leaves `second` for a's
    assert joined == first and {_problem_of(x) for x in (a, b, c)} == {first.pk}
    # `second` was left with d alone: it dissolves, as when an appeal is detached
    assert _problem_of(d) is None and not Problem.objects.filter(pk=second.pk).exists()
    moves = AppealEvent.objects.filter(appeal=c, field="problem", actor=operator).order_by("at", "pk")
    assert [(e.old_value, e.new_value) for e in moves] == [
        ("", str(second.pk)), (str(second.pk), ""), ("", str(first.pk))]


def test_join_brings_the_other_one_into_this_appeals_problem(water):
    a, b, c = water(WATER), water(WATER_LETTER, hours=1), water(WATER_AGAIN, hours=2)
    operator = user("pestravka_operator")
    problem = problem_services.problem_join(appeal=a, other=b, by=operator)
    assert problem_services.problem_join(appeal=a, other=c, by=operator) == problem
    assert {_problem_of(x) for x in (a, b, c)} == {problem.pk}
    assert AppealEvent.objects.filter(appeal=c, field="problem", new_value=str(problem.pk)).count() == 1
    assert not AppealEvent.objects.filter(appeal=a, field="problem").exclude(old_value="").exists()


def test_join_refuses_appeals_already_together_or_of_different_regions(water):
    a, b = water(WATER), water(WATER_LETTER, hours=1)
    far = water(WATER, oktmo=ALATYR)
    operator = user("pestravka_operator")
    problem_services.problem_join(appeal=a, other=b, by=operator)
    before = AppealEvent.objects.filter(field="problem").count()
    with pytest.raises(problem_services.ProblemRefused, match="уже в одной проблеме"):
        problem_services.problem_join(appeal=b, other=a, by=operator)
    with pytest.raises(problem_services.ProblemRefused, match="разных регионов"):
        problem_services.problem_join(appeal=far, other=a, by=user("cur_operator"))
    with pytest.raises(problem_services.ProblemRefused):
        problem_services.problem_join(appeal=a, other=a, by=operator)
    assert AppealEvent.objects.filter(field="problem").count() == before and _problem_of(far) is None


def test_it_joins_from_the_card(client, water):
    a, b = water(WATER), water(WATER_LETTER, hours=1)
    search_index_pending()
    url = reverse("appeals:problem_join", args=[a.pk, b.pk])
    client.force_login(user("pestravka_operator"))
    card = client.get(a.get_absolute_url()).content.decode()
    panel = reverse("appeals:similar", args=[a.pk])
    assert "Похожие обращения" in card and f'hx-get="{panel}"' in card  # loaded after the card
    page = client.get(panel).content.decode()
    assert f"№ {b.number}" in page and url in page
    assert "Объединить в проблему" in page and "совпадает" in page
    response = client.post(url)
    assert response.status_code == 302 and response.url == a.get_absolute_url()
    problem_id = _problem_of(a)
    assert problem_id and _problem_of(b) == problem_id
    assert AppealEvent.objects.filter(appeal__in=[a, b], field="problem", new_value=str(problem_id)).count() == 2
    page = client.get(panel).content.decode()
    assert "в той же проблеме" in page and url not in page
    again = client.post(url, follow=True)  # refused with a message, nothing changed
    assert "уже в одной проблеме" in again.content.decode()


def test_it_refuses_other_roles_and_appeals_outside_the_scope(client, water):
    a, b = water(WATER), water(WATER_LETTER, hours=1)
    in_tolyatti = water(WATER, oktmo=TOLYATTI)
    search_index_pending()
    url = reverse("appeals:problem_join", args=[a.pk, b.pk])
    for username in ("executor_pestravka_zhkh", "cur_curator"):
        client.force_login(user(username))
        assert client.post(url).status_code == 403
    client.force_login(user("cur_curator"))
    page = client.get(reverse("appeals:similar", args=[a.pk])).content.decode()
    assert "Похожие обращения" in page and f"№ {b.number}" in page and url not in page
    client.force_login(user("pestravka_operator"))
    assert client.get(reverse("appeals:similar", args=[in_tolyatti.pk])).status_code == 404
    assert client.get(url).status_code == 405
    assert client.post(reverse("appeals:problem_join", args=[a.pk, in_tolyatti.pk])).status_code == 404
    assert not AppealEvent.objects.filter(field="problem").exists()


def test_an_empty_panel_says_so(client, water):
    a = water(ROAD)
    search_index_pending()
    client.force_login(user("pestravka_operator"))
    page = client.get(reverse("appeals:similar", args=[a.pk])).content.decode()
    assert "Похожие обращения" in page and "Похожих обращений нет" in page
