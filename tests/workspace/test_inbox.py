"""The executor's inbox (appeals/workspace/inbox.py): counts by state equal to the lists they open, the
overdue ones on top, «Дать ответ» first on the card, and the similar panel with their own body's answers."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from appeals.lifecycle import transitions
from appeals.lifecycle.overdue import appeals_refresh_overdue
from appeals.models import Appeal, Status
from appeals.privacy import visible_text
from appeals.search.index import search_index_pending
from appeals.search.similar import similar_appeals
from appeals.workspace.filters import queue_order
from appeals.workspace.inbox import inbox_counts, inbox_tabs
from appeals.workspace.selectors import appeal_list
from cur.models import Agency
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

ZHKH = "mup_zhkh_pestravskiy"
EXECUTOR = "executor_pestravka_zhkh"


@pytest.fixture
def owed(make_appeal):
    """The МУП's work: three to answer (one overdue), an interim answer, two returned, one waiting for
    the citizen, one answer under review, one closed; and an appeal of another body."""
    now = timezone.now()

    def mine(status, days, **fields):
        return make_appeal(PESTRAVKA, agency=ZHKH, status=status, due_at=now + timedelta(days=days),
                           received_at=now - timedelta(days=20), **fields)

    made = {
        "late": mine(Status.IN_PROGRESS, -2), "soon": mine(Status.IN_PROGRESS, 1), "later": mine(Status.IN_PROGRESS, 5),
        "interim": mine(Status.INTERIM_ANSWERED, 3),
        "rework": mine(Status.RETURNED_FOR_REWORK, 2), "rework_late": mine(Status.RETURNED_FOR_REWORK, -1),
        "clarification": mine(Status.AWAITING_CLARIFICATION, 4), "review": mine(Status.ANSWERED, 6),
        "closed": mine(Status.CLOSED, -3),
        "foreign": make_appeal(PESTRAVKA, agency="adm_pestravskiy_mr", status=Status.IN_PROGRESS,
                               due_at=now - timedelta(days=1)),
    }
    appeals_refresh_overdue(now=now)  # the beat's sweep sets the flags the «просрочено» tab counts
    return made


def listed(username, query):
    """The queue's rows for a tab's link, as the list view asks for them."""
    params = QueryDict(query)
    return appeal_list(user=user(username), params=params, order=queue_order(params), limit=500).rows


def test_each_count_equals_the_list_its_tab_opens(owed):
    tabs = {tab.key: tab for tab in inbox_tabs(user=user(EXECUTOR))}
    assert {key: tab.count for key, tab in tabs.items()} == {
        "open": 8, "to_answer": 3, "interim": 1, "rework": 2, "clarification": 1, "review": 1, "overdue": 2}
    for tab in tabs.values():
        rows = listed(EXECUTOR, tab.query)
        assert len(rows) == tab.count, tab.key
        assert "order=deadline" in tab.query
    assert {a.pk for a in listed(EXECUTOR, tabs["overdue"].query)} == {owed["late"].pk, owed["rework_late"].pk}
    assert owed["foreign"].pk not in {a.pk for a in listed(EXECUTOR, tabs["open"].query)}


def test_empty_states_have_no_tab_but_open_and_to_answer_always_do(make_appeal):
    make_appeal(PESTRAVKA, agency=ZHKH, status=Status.AWAITING_CLARIFICATION)
    tabs = inbox_tabs(user=user(EXECUTOR))
    assert [(tab.key, tab.count) for tab in tabs] == [("open", 1), ("to_answer", 0), ("clarification", 1)]


def test_the_counts_are_one_grouped_query(owed, django_assert_num_queries):
    executor = user(EXECUTOR)
    inbox_counts(user=executor)  # the membership, read once per request
    with django_assert_num_queries(1):
        counts = inbox_counts(user=executor)
    assert counts["open"] == 8 and counts["overdue"] == 2 and counts[Status.IN_PROGRESS] == 3


def test_to_answer_is_by_deadline_with_the_overdue_on_top(owed):
    [to_answer] = [tab for tab in inbox_tabs(user=user(EXECUTOR)) if tab.key == "to_answer"]
    rows = listed(EXECUTOR, to_answer.query)
    assert [a.pk for a in rows] == [owed["late"].pk, owed["soon"].pk, owed["later"].pk]
    assert rows[0].is_overdue and not rows[1].is_overdue
    rows = listed(EXECUTOR, "state=open&order=deadline")  # the inbox as it opens
    assert [a.pk for a in rows[:2]] == [owed["late"].pk, owed["rework_late"].pk]
    assert all(a.is_overdue for a in rows[:2]) and not any(a.is_overdue for a in rows[2:])


def test_the_inbox_page_shows_the_tabs_as_links_the_active_one_marked(client, owed):
    client.force_login(user(EXECUTOR))
    page = client.get(reverse("appeals:list")).content.decode()
    assert "Входящие исполнителя" in page and 'data-inbox-tab="to_answer"' in page
    assert 'aria-current="true">все в работе<span class="inbox-tabs__count num" data-count>8</span>' in page
    assert f'href="{reverse("appeals:list")}?status=in_progress&amp;order=deadline"' in page
    response = client.get(reverse("appeals:list"), {"status": "in_progress", "order": "deadline"})
    assert len(response.context["appeals"]) == 3
    active = 'aria-current="true">к ответу<span class="inbox-tabs__count num" data-count>3</span>'
    assert active in response.content.decode()


def test_an_operator_has_no_inbox_tabs(client, owed):
    client.force_login(user("pestravka_operator"))
    page = client.get(reverse("appeals:list")).content.decode()
    assert "data-inbox-tab" not in page and "Входящие исполнителя" not in page


def actions_of(page: str) -> list[str]:
    return [chunk.split('"', 1)[0] for chunk in page.split('data-action="')[1:]]


def test_give_the_answer_is_the_executors_first_action(client, owed):
    appeal = owed["soon"]
    client.force_login(user(EXECUTOR))
    actions = actions_of(client.get(appeal.get_absolute_url()).content.decode())
    assert actions[:2] == ["answer_final", "answer_interim"] and "request_clarification" in actions
    actions = actions_of(client.get(owed["rework"].get_absolute_url()).content.decode())
    assert actions[0] == "answer_final" and "answer_interim" not in actions
    client.force_login(user("pestravka_operator"))  # the operator's card keeps the status machine's order
    operator = actions_of(client.get(appeal.get_absolute_url()).content.decode())
    assert operator[0] != "answer_final" and "answer_final" not in operator


WATER = "Нет горячей воды в доме 5 по ул. Молодёжной уже третий день"
WATER_LETTER = "Прошу восстановить подачу горячей воды. Адрес: ул. Молодёжная, д. 5"
WATER_AGAIN = "Третий день нет горячей воды, Молодёжная 5, дом без воды"


@pytest.fixture
def answered_before(make_appeal):
    """The МУП's earlier answers on the same question — one accepted, one returned — and an answer of the
    district administration on an appeal later forwarded to the МУП, and one on its own appeal."""
    now = timezone.now()
    operator, zhkh, adm = user("pestravka_operator"), user(EXECUTOR), user("executor_pestravka_adm")

    def water(text, agency, hours):
        return make_appeal(PESTRAVKA, "housing_utilities", text=text, agency=agency, status=Status.IN_PROGRESS,
                           received_at=now - timedelta(days=3, hours=-hours))

    base = water(WATER, ZHKH, 0)
    accepted = water(WATER_LETTER, ZHKH, 1)
    transitions.answer_submit(appeal=accepted, by=zhkh,
                              text="Подача горячей воды восстановлена 14.03, мастер Петров И.И., тел. 8 927 765-43-21.")
    transitions.appeal_close(appeal=Appeal.objects.get(pk=accepted.pk), by=operator)
    returned = water(WATER_AGAIN, ZHKH, 2)
    transitions.answer_submit(appeal=returned, by=zhkh, text="Ваше обращение рассмотрено.")
    transitions.appeal_return_for_rework(appeal=Appeal.objects.get(pk=returned.pk), by=operator, reason="отписка")
    forwarded = water(WATER_LETTER, "adm_pestravskiy_mr", 3)
    transitions.answer_submit(appeal=forwarded, by=adm, text="Администрация: вопрос передан в МУП.")
    transitions.appeal_return_for_rework(appeal=Appeal.objects.get(pk=forwarded.pk), by=operator, reason="не наше")
    transitions.appeal_forward(appeal=Appeal.objects.get(pk=forwarded.pk), by=operator, reason="ЖКХ",
                               agency=Agency.objects.get(code=ZHKH))
    theirs = water(WATER_AGAIN, "adm_pestravskiy_mr", 4)
    transitions.answer_submit(appeal=theirs, by=adm, text="Администрация ответила сама.")
    search_index_pending()
    return {"base": base, "accepted": accepted, "returned": returned, "forwarded": forwarded, "theirs": theirs}


def test_the_executor_sees_their_own_bodys_earlier_answers_accepted_or_not(answered_before):
    made = answered_before
    rows = similar_appeals(user=user(EXECUTOR), appeal=Appeal.objects.get(pk=made["base"].pk))
    by_pk = {row.appeal.pk: row for row in rows}
    assert set(by_pk) == {made["accepted"].pk, made["returned"].pk, made["forwarded"].pk}  # their body's appeals
    assert [row.appeal.pk for row in rows][2] == made["forwarded"].pk  # those with their answer first
    accepted, returned, forwarded = (by_pk[made[key].pk] for key in ("accepted", "returned", "forwarded"))
    assert accepted.answer_review == "accepted" and accepted.answer_review_label == "Принят" and accepted.own_answer
    assert returned.answer_review == "returned" and returned.answer_excerpt == "Ваше обращение рассмотрено."
    # the administration's reply on the appeal now theirs is not their body's: not shown
    assert forwarded.answer_excerpt == "" and forwarded.answer_review == "" and not forwarded.own_answer
    # as the executor may read it: they see personal data (152-ФЗ), the same function decides
    text = Appeal.objects.get(pk=made["accepted"].pk).answers.get().text
    assert accepted.answer_excerpt == visible_text(text, personal=True, limit=300)
    assert "765-43-21" in accepted.answer_excerpt and accepted.answered_at is not None


def test_others_still_see_only_answers_that_stand_masked_as_for_them(answered_before):
    made = answered_before
    rows = {row.appeal.pk: row for row in similar_appeals(user=user("cur_curator"),
                                                          appeal=Appeal.objects.get(pk=made["base"].pk))}
    assert made["theirs"].pk in rows  # the centre sees every body's appeals
    assert rows[made["returned"].pk].answer_excerpt == ""  # a returned answer does not stand
    assert rows[made["theirs"].pk].answer_review == "pending" and not rows[made["theirs"].pk].own_answer
    curator = rows[made["accepted"].pk].answer_excerpt
    assert "765-43-21" not in curator and "[телефон]" in curator


def test_the_panel_tells_the_executor_whose_answer_and_its_review(client, answered_before):
    client.force_login(user(EXECUTOR))
    page = client.get(reverse("appeals:similar", args=[answered_before["base"].pk])).content.decode()
    assert page.count("Ответ вашего органа") == 2
    assert "принят" in page and "возвращён на доработку" in page
    assert "Администрация" not in page
    client.force_login(user("executor_pestravka_adm"))  # the МУП's appeal is not the administration's card
    assert client.get(reverse("appeals:similar", args=[answered_before["base"].pk])).status_code == 404
