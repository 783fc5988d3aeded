"""Rights from the code review of issue 11: a sector-block head works inside the block's sectors, so
moving an appeal to another block's subtopic and Problem operations over appeals of other sectors are
refused in the services themselves (the views only show what the service allows)."""

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.models import Appeal, Problem
from appeals.problems import services as problem_services
from cur.models import Subtopic
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhkh_appeal(make_appeal):
    return make_appeal(PESTRAVKA, "housing_utilities", text="Течёт крыша над подъездом")


def other_block_subtopic() -> Subtopic:
    return Subtopic.objects.filter(sector__code="education").order_by("code").first()


def test_a_sector_head_cannot_move_an_appeal_to_another_blocks_subtopic(zhkh_appeal):
    with pytest.raises(transitions.TransitionRefused, match="другого блока"):
        transitions.appeal_correct(appeal=zhkh_appeal, by=user("pestravka_zhkh"),
                                 changes={"subtopic": other_block_subtopic()})
    zhkh_appeal.refresh_from_db()
    assert zhkh_appeal.sector.code == "housing_utilities"


def test_a_sector_head_may_correct_the_subtopic_inside_the_block(zhkh_appeal):
    inside = Subtopic.objects.filter(sector__code="housing_utilities").exclude(pk=zhkh_appeal.subtopic_id).first()
    fresh = transitions.appeal_correct(appeal=zhkh_appeal, by=user("pestravka_zhkh"), changes={"subtopic": inside})
    assert fresh.subtopic == inside


def test_the_mcu_operator_moves_it_to_another_block_and_the_move_is_recorded(zhkh_appeal):
    operator = user("pestravka_operator")
    fresh = transitions.appeal_correct(appeal=zhkh_appeal, by=operator, changes={"subtopic": other_block_subtopic()})
    assert fresh.sector.code == "education"
    event = fresh.events.get(field="sector")
    assert event.actor == operator and "другой блок" in event.reason


def test_the_card_offers_a_sector_head_only_the_blocks_subtopics(client, zhkh_appeal):
    client.force_login(user("pestravka_zhkh"))
    html = client.get(zhkh_appeal.get_absolute_url()).content.decode()
    assert f'value="{other_block_subtopic().pk}"' not in html
    response = client.post(reverse("appeals:correct", args=[zhkh_appeal.pk]), {
        "version": zhkh_appeal.version, "subtopic": other_block_subtopic().pk,
        "importance": zhkh_appeal.importance}, follow=True)
    zhkh_appeal.refresh_from_db()
    assert zhkh_appeal.sector.code == "housing_utilities"
    assert response.status_code == 200


@pytest.fixture
def mixed_problem(make_appeal):
    """A Problem joined by the МЦУ operator across two sectors: one ЖКХ appeal, one about a school."""
    zhkh = make_appeal(PESTRAVKA, "housing_utilities", text="Нет отопления в школе на ул. Школьной")
    school = make_appeal(PESTRAVKA, "education", text="В школе на ул. Школьной холодно, дети мёрзнут")
    problem = problem_services.problem_join(appeal=zhkh, other=school, by=user("pestravka_operator"))
    return problem, zhkh, school


def test_a_sector_head_cannot_merge_a_problem_holding_appeals_of_other_sectors(mixed_problem, make_appeal):
    problem, zhkh, school = mixed_problem
    a = make_appeal(PESTRAVKA, "housing_utilities", text="Прорвало трубу во дворе")
    b = make_appeal(PESTRAVKA, "housing_utilities", text="Прорыв трубы во дворе дома")
    own = problem_services.problem_join(appeal=a, other=b, by=user("pestravka_operator"))
    with pytest.raises(problem_services.ProblemRefused, match="вне вашей зоны"):
        problem_services.problem_merge(problem=problem, into=own, by=user("pestravka_zhkh"))
    assert Appeal.objects.get(pk=school.pk).problem_id == problem.pk
    assert Problem.objects.filter(pk=problem.pk).exists()


def test_a_sector_head_cannot_split_off_appeals_of_other_sectors(mixed_problem, make_appeal):
    problem, zhkh, school = mixed_problem
    third = make_appeal(PESTRAVKA, "housing_utilities", text="Холодные батареи в школе")
    problem_services.problem_join(appeal=third, other=zhkh, by=user("pestravka_operator"))
    with pytest.raises(problem_services.ProblemRefused, match="вне вашей зоны"):
        problem_services.problem_split(problem=problem, appeal_ids=[school.pk], by=user("pestravka_zhkh"))
    assert Appeal.objects.get(pk=school.pk).problem_id == problem.pk


def test_a_sector_head_cannot_join_an_appeal_of_another_sector(make_appeal):
    zhkh = make_appeal(PESTRAVKA, "housing_utilities", text="Нет воды")
    school = make_appeal(PESTRAVKA, "education", text="Нет воды в школе")
    with pytest.raises(problem_services.ProblemRefused, match="вне вашей зоны"):
        problem_services.problem_join(appeal=zhkh, other=school, by=user("pestravka_zhkh"))
    assert Appeal.objects.get(pk=school.pk).problem_id is None


def test_the_operator_merges_the_same_problems(mixed_problem, make_appeal):
    problem, zhkh, school = mixed_problem
    a = make_appeal(PESTRAVKA, "housing_utilities", text="Прорвало трубу во дворе")
    b = make_appeal(PESTRAVKA, "housing_utilities", text="Прорыв трубы во дворе дома")
    own = problem_services.problem_join(appeal=a, other=b, by=user("pestravka_operator"))
    problem_services.problem_merge(problem=problem, into=own, by=user("pestravka_operator"))
    assert Appeal.objects.get(pk=school.pk).problem_id == own.pk


def test_a_curator_cannot_operate_on_problems_even_through_the_service(mixed_problem):
    problem, zhkh, school = mixed_problem
    with pytest.raises(problem_services.ProblemRefused):
        problem_services.problem_split(problem=problem, appeal_ids=[school.pk], by=user("pestravka_curator"))
