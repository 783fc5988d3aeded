"""Bulk actions of the queue: each appeal on its own, refusals reported, the scope and the role respected,
and the queue page gains no queries per row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import Appeal, AppealEvent, Status
from appeals.workspace.bulk import MAX_BULK_IDS, appeals_bulk_act
from cur.models import Agency
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_appeals(make_appeal):
    return [make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, text=f"Новое обращение {i}") for i in range(3)]


def bulk(client, appeals, action, **data):
    """Post the bulk bar as the queue shows it now: each row as «id:version» (an id alone: version 1)."""
    versions = dict(Appeal.objects.filter(pk__in=[a.pk for a in appeals if not isinstance(a, int)])
                    .values_list("pk", "version"))
    ids = [f"{a}:1" if isinstance(a, int) else f"{a.pk}:{versions[a.pk]}" for a in appeals]
    return client.post(reverse("appeals:bulk"), {"ids": ids, "action": action, **data}, follow=True)


def seen(appeals) -> dict[int, int]:
    return {pk: 1 for pk in appeals} if appeals and isinstance(appeals[0], int) else {a.pk: a.version for a in appeals}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def statuses(appeals) -> list[str]:
    for appeal in appeals:
        appeal.refresh_from_db()
    return [appeal.status for appeal in appeals]


def test_it_registers_three_appeals(client, new_appeals):
    operator = user("pestravka_operator")
    client.force_login(operator)
    response = bulk(client, new_appeals, "register", query="status=new&after=5")
    assert statuses(new_appeals) == [Status.REGISTERED] * 3
    assert messages_of(response) == ["«зарегистрировать» — Выполнено: 3; отказано: 0."]
    assert response.redirect_chain[-1][0] == reverse("appeals:list") + "?status=new"
    events = AppealEvent.objects.filter(appeal__in=new_appeals, kind=AppealEvent.Kind.REGISTERED, actor=operator)
    assert events.count() == 3


def test_a_refusal_is_reported_with_its_reason_and_the_others_are_done(client, new_appeals, make_appeal):
    closed = make_appeal(PESTRAVKA, status=Status.CLOSED)
    client.force_login(user("pestravka_operator"))
    response = bulk(client, [new_appeals[0], closed, new_appeals[1]], "register")
    assert statuses([new_appeals[0], closed, new_appeals[1]]) == [Status.REGISTERED, Status.CLOSED, Status.REGISTERED]
    assert messages_of(response) == [
        "«зарегистрировать» — Выполнено: 2; отказано: 1.",
        f"№ {closed.number}: Нельзя зарегистрировать: обращение № {closed.number} в статусе «Закрыто».",
    ]
    assert not AppealEvent.objects.filter(appeal=closed, kind=AppealEvent.Kind.REGISTERED).exists()


def test_it_assigns_to_a_body_of_the_operators_territory(client, new_appeals):
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    client.force_login(user("pestravka_operator"))
    bulk(client, new_appeals[:2], "register")
    response = bulk(client, new_appeals, "assign", agency=zhkh.pk)
    assert statuses(new_appeals) == [Status.IN_PROGRESS, Status.IN_PROGRESS, Status.NEW]
    assert {a.agency_id for a in new_appeals[:2]} == {zhkh.pk} and new_appeals[2].agency_id is None
    assert messages_of(response)[0] == "«направить исполнителю» — Выполнено: 2; отказано: 1."


def test_assigning_needs_a_body_and_only_one_of_the_territory(client, new_appeals):
    client.force_login(user("pestravka_operator"))
    bulk(client, new_appeals, "register")
    no_body = bulk(client, new_appeals, "assign")
    other_district = bulk(client, new_appeals, "assign", agency=Agency.objects.get(code="dgkh_tolyatti").pk)
    assert "Выберите исполнителя" in messages_of(no_body)[0]
    assert messages_of(other_district)[0].startswith("Массовое действие не выполнено: ")
    assert statuses(new_appeals) == [Status.REGISTERED] * 3
    with pytest.raises(ValidationError, match="из вашей зоны"):
        appeals_bulk_act(user=user("pestravka_operator"), seen=seen(new_appeals[:1]), action="assign",
                         data={"agency": Agency.objects.get(code="dgkh_tolyatti")})


def test_ids_outside_the_scope_are_untouched_and_not_revealed(client, new_appeals, make_appeal):
    theirs = make_appeal(TOLYATTI, status=Status.NEW, due_at=None)
    client.force_login(user("pestravka_operator"))
    response = bulk(client, [new_appeals[0], theirs, 999_999_999], "register")
    assert statuses([new_appeals[0], theirs]) == [Status.REGISTERED, Status.NEW]
    assert messages_of(response) == ["«зарегистрировать» — Выполнено: 1; отказано: 0; не найдено: 2."]
    assert theirs.number not in response.content.decode()
    assert list(AppealEvent.objects.filter(appeal=theirs).values_list("kind", flat=True)) == ["created"]


def test_an_executor_gets_no_bulk_bar_and_is_refused(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, status=Status.ANSWERED, agency="mup_zhkh_pestravskiy")
    executor = user("executor_pestravka_zhkh")
    client.force_login(executor)
    page = client.get(reverse("appeals:list")).content.decode()
    assert appeal.number in page and 'id="bulk"' not in page and 'name="ids"' not in page
    posted = {"ids": [f"{appeal.pk}:{appeal.version}"], "action": "close"}
    assert client.post(reverse("appeals:bulk"), posted).status_code == 403
    assert statuses([appeal]) == [Status.ANSWERED]
    with pytest.raises(PermissionDenied):
        appeals_bulk_act(user=executor, seen=seen([appeal]), action="close", data={})


def test_a_curator_is_refused(client, new_appeals):
    client.force_login(user("cur_curator"))
    posted = {"ids": [f"{new_appeals[0].pk}:1"], "action": "register"}
    assert client.post(reverse("appeals:bulk"), posted).status_code == 403
    assert statuses(new_appeals[:1]) == [Status.NEW]


def test_more_than_two_hundred_ids_are_refused_with_a_message(client, new_appeals):
    client.force_login(user("pestravka_operator"))
    ids = [a.pk for a in new_appeals] + list(range(10**8, 10**8 + MAX_BULK_IDS - 2))
    response = bulk(client, ids, "register")
    assert messages_of(response) == [
        f"Массовое действие не выполнено: За один раз — не больше 200 обращений; отмечено {MAX_BULK_IDS + 1}."]
    assert statuses(new_appeals) == [Status.NEW] * 3
    with pytest.raises(ValidationError, match="не больше 200"):
        appeals_bulk_act(user=user("pestravka_operator"), seen=seen(ids), action="register", data={})


def test_nothing_ticked_or_an_unknown_action_is_refused_with_a_message(client, new_appeals):
    client.force_login(user("pestravka_operator"))
    assert "Отметьте обращения в списке." in messages_of(bulk(client, [], "register"))[0]
    assert messages_of(bulk(client, new_appeals, "reopen"))[0].startswith("Массовое действие не выполнено")
    assert statuses(new_appeals) == [Status.NEW] * 3


def test_the_queue_shows_the_bar_with_the_roles_actions(client, new_appeals):
    client.force_login(user("pestravka_operator"))
    page = client.get(reverse("appeals:list")).content.decode()
    assert 'id="bulk"' in page and "выбрать все на странице" in page
    for appeal in new_appeals:
        assert f'name="ids" value="{appeal.pk}:{appeal.version}" form="bulk"' in page
    for label in ("Зарегистрировать", "Направить исполнителю", "Закрыть"):
        assert f">{label}</button>" in page
    # rows of «Показать ещё» come with their checkboxes for the same bar
    more = client.get(reverse("appeals:list"), {"after": new_appeals[-1].pk + 1}, HTTP_HX_REQUEST="true")
    assert "<html" not in more.content.decode()
    assert f'name="ids" value="{new_appeals[0].pk}:{new_appeals[0].version}" form="bulk"' in more.content.decode()
    # the agency select of the bar offers only bodies of the operator's territory
    assert "МУП «ЖКХ Пестравского района»" in page and "Департамент городского хозяйства г.о. Тольятти" not in page


def test_the_queue_page_gains_no_queries_per_row(client, make_appeal):
    operator = user("pestravka_operator")
    from appeals.workspace.saved_filters import saved_filter_save

    saved_filter_save(user=operator, name="Новые", query="status=new")
    saved_filter_save(user=operator, name="Просроченные", query="overdue=true")
    for _ in range(2):
        make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, agency="mup_zhkh_pestravskiy")
    client.force_login(operator)
    client.get(reverse("appeals:list"))  # warm the session and the caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("appeals:list"))
        assert 'id="bulk"' in response.content.decode() and "Просроченные" in response.content.decode()
        return len(captured)

    few = queries()
    for _ in range(30):
        make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, agency="mup_zhkh_pestravskiy")
    assert queries() == few
    assert few <= 12, few
