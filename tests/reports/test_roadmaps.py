"""Roadmaps: opened from a heat-map cell, a conflict situation or a Problem with their evidence frozen; measures,
approval, reminders and missed dates; the effect chart counts exactly the topic's appeals of the territory per
month before and after; exports; who sees and writes what; the weekly note lists them."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from docx import Document

from cur.models import Sector, StaffNotification, Subtopic
from cur.permissions import Forbidden
from heatmap.models import Situation
from municipalities.models import Municipality
from reports.roadmaps.selectors import roadmap_effect
from reports.roadmaps.services import (
    RoadmapRefused,
    measure_done,
    measure_save,
    roadmap_approve,
    roadmap_open,
    roadmaps_remind,
)
from reports.weekly.figures import note_figures
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
OPENED = date(2025, 4, 10)


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 10, tzinfo=SAMARA)


@pytest.fixture
def months(make_appeal):
    """ЖКХ appeals in Пестравка: three a month in January–March, two in April, one in May and June; roads and
    Тольятти beside them (not counted)."""
    for month, days in ((1, (5, 15, 25)), (2, (5, 15, 25)), (3, (5, 15, 25)), (4, (3, 20)), (5, (12,)), (6, (12,))):
        for day in days:
            make_appeal(PESTRAVKA, "housing_utilities", received_at=at(month, day))
    make_appeal(PESTRAVKA, "roads", received_at=at(2, 1))
    make_appeal(TOLYATTI, "housing_utilities", received_at=at(2, 1))
    rollups_refresh(now=datetime(2025, 7, 15, tzinfo=SAMARA))


def _cell(by=None, **extra):
    return roadmap_open(by=by or user("pestravka_operator"), title="ЖКХ Пестравки",
                        root_cause="Изношенные сети водоснабжения с. Пестравка", today=OPENED,
                        municipality=Municipality.objects.get(oktmo=PESTRAVKA),
                        sector=Sector.objects.get(code="housing_utilities"), **extra)


def test_the_effect_counts_the_topics_appeals_of_the_territory_per_month(client, months):
    roadmap = _cell()
    effect = roadmap_effect(roadmap, today=date(2025, 7, 15))
    by_month = dict(zip(effect.months, effect.counts, strict=True))
    assert [by_month[date(2025, m, 1)] for m in range(1, 8)] == [3, 3, 3, 2, 1, 1, 0]
    assert effect.months[0] == date(2024, 4, 1) and len(effect.months) == 16  # a year before the opening month
    assert effect.before_mean == round(9 / 12, 1)  # 12 whole months before April 2025
    assert effect.after_mean == 1.0  # May and June (July is running)
    client.force_login(user("pestravka_curator"))
    assert client.get(effect.url_before).context["page"].total == 9
    assert client.get(effect.url_after).context["page"].total == 3  # 20 April, May and June
    assert roadmap.evidence["appeals"] == 10 and len(roadmap.evidence["weeks"]) >= 10


def test_the_evidence_is_frozen_at_opening(make_appeal, months):
    roadmap = _cell()
    frozen = dict(roadmap.evidence)
    make_appeal(PESTRAVKA, "housing_utilities", received_at=at(4, 9))
    rollups_refresh(now=datetime(2025, 7, 16, tzinfo=SAMARA))
    roadmap.refresh_from_db()
    assert roadmap.evidence == frozen


def test_opening_from_a_situation_moves_it_and_from_a_problem_takes_its_place(months):
    situation = Situation.objects.create(
        region=Municipality.objects.get(oktmo=PESTRAVKA).region, municipality=Municipality.objects.get(oktmo=PESTRAVKA),
        sector=Sector.objects.get(code="housing_utilities"), subtopic=Subtopic.objects.get(code="housing.cold_water"),
        week=date(2025, 3, 24), kind="surge", count=9, baseline=2.0, detected_at=at(3, 31), updated_at=at(3, 31))
    roadmap = roadmap_open(by=user("pestravka_head"), title="Вода", root_cause="Порывы", situation=situation,
                           today=OPENED)
    situation.refresh_from_db()
    assert situation.status == Situation.Status.ROADMAP and roadmap.origin == "situation"
    assert roadmap.subtopic.code == "housing.cold_water" and roadmap.evidence["situation"]["count"] == 9
    with pytest.raises(RoadmapRefused):
        roadmap_open(by=user("pestravka_head"), title="", root_cause="x", situation=situation)


def test_measures_approval_reminders_and_missed_dates(months):
    operator, head = user("pestravka_operator"), user("pestravka_head")
    roadmap = _cell()
    with pytest.raises(RoadmapRefused, match="нет ни одного мероприятия"):
        roadmap_approve(roadmap=roadmap, by=head)
    first = measure_save(roadmap=roadmap, by=operator, values={
        "action": "Замена 300 м водопровода по ул. Советской", "responsible": "МУП «ЖКХ Пестравского района»",
        "planned_date": date(2025, 5, 20), "resources": "местный бюджет, 1,2 млн ₽",
        "expected_result": "нет порывов на участке"})
    second = measure_save(roadmap=roadmap, by=operator, values={
        "action": "Обследование сети", "responsible": "Администрация с.п. Пестравка", "planned_date": date(2025, 5, 5)})
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(RoadmapRefused, match="Укажите: срок"):
        measure_save(roadmap=roadmap, by=operator, values={"action": "x", "responsible": "y"})
    with pytest.raises(Forbidden):
        roadmap_approve(roadmap=roadmap, by=operator)  # the head or the curator approves
    roadmap = roadmap_approve(roadmap=roadmap, by=head)
    assert roadmaps_remind(today=date(2025, 5, 2)) == {"reminded": 1, "missed": 0}  # № 2, three days ahead
    assert roadmaps_remind(today=date(2025, 5, 2)) == {"reminded": 0, "missed": 0}  # once
    measure_done(measure=second, by=operator, actual_date=date(2025, 5, 6))
    assert roadmaps_remind(today=date(2025, 5, 21)) == {"reminded": 0, "missed": 1}  # № 1 past its date
    assert roadmaps_remind(today=date(2025, 5, 22)) == {"reminded": 0, "missed": 0}
    assert StaffNotification.objects.filter(recipient=head, title__startswith="Пропущен срок мероприятия").count() == 1
    kinds = list(roadmap.events.values_list("kind", flat=True))
    assert kinds == ["opened", "measure_added", "measure_added", "approved", "reminded", "measure_done", "missed"]
    note = note_figures(roadmap.centre, date(2025, 5, 19))
    assert note["roadmaps"][0]["name"] == "ЖКХ Пестравки" and note["roadmaps"][0]["done"] == 1
    assert note["roadmaps"][0]["missed"] == ["№ 1 (срок 20.05.2025)"]


def test_scope_a_mcu_writes_on_its_territory_and_sees_its_own_roadmaps(client, months):
    with pytest.raises(Forbidden):
        _cell(by=user("tolyatti_operator"))
    with pytest.raises(Forbidden):
        _cell(by=user("executor_pestravka_zhkh"))
    mine = _cell()
    regional = _cell(by=user("cur_operator"))
    assert regional.centre.level == "region" and mine.centre.level == "municipal"
    for username, sees in (("pestravka_head", {mine.pk}), ("cur_curator", {mine.pk, regional.pk}),
                           ("tolyatti_operator", set()), ("pestravka_zhkh", None)):
        client.force_login(user(username))
        page = client.get(reverse("reports:roadmaps"))
        if sees is None:
            assert page.status_code == 404
            continue
        assert {r.pk for r in page.context["roadmaps"]} == sees, username
    client.force_login(user("tolyatti_operator"))
    assert client.get(mine.get_absolute_url()).status_code == 404
    client.force_login(user("pestravka_head"))
    assert client.get(regional.get_absolute_url()).status_code == 404
    page = client.get(mine.get_absolute_url())
    assert page.status_code == 200 and "Изношенные сети" in page.content.decode()
    document = Document(io.BytesIO(client.get(reverse("reports:roadmap_export", args=[mine.pk, "docx"])).content))
    assert document.tables[0].rows[0].cells[1].text == "Мероприятие"
    assert any("Корневая причина" == p.text for p in document.paragraphs)


def test_a_new_roadmap_page_from_a_cell_opens_it(client, months):
    client.force_login(user("pestravka_operator"))
    municipality = Municipality.objects.get(oktmo=PESTRAVKA)
    sector = Sector.objects.get(code="housing_utilities")
    page = client.get(reverse("reports:roadmap_new"), {"municipality": municipality.pk, "sector": sector.pk})
    assert page.status_code == 200
    response = client.post(reverse("reports:roadmap_new"), {"municipality": municipality.pk, "sector": sector.pk,
                                                            "title": "Вода", "root_cause": "Сети"})
    assert response.status_code == 302



def test_the_municipality_page_of_the_heat_map_opens_a_roadmap_from_a_cell(client, months):
    client.force_login(user("pestravka_curator"))
    municipality = Municipality.objects.get(oktmo=PESTRAVKA)
    page = client.get(reverse("heatmap:municipality", args=[municipality.pk]), {"period": "year", "on": "2025-03-01"})
    sector = Sector.objects.get(code="housing_utilities")
    link = f"{reverse('reports:roadmap_new')}?municipality={municipality.pk}&amp;sector={sector.pk}"
    assert link in page.content.decode()
    assert client.get(link.replace("&amp;", "&")).status_code == 200
