"""The queue tells its numbers (issue 13, items 1–2): every item has a clock from its arrival and the
deadline order never drops one; a bounded count for every filter; the period filter in the region's days;
click-to-sort column heads; the home tiles and the heat map's cells lead to queues of the same count."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appeals.models import Status
from appeals.workspace import selectors
from cur.models import SlaPolicy
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(make_appeal):
    """Pestravka's queue: two appeals in work with answer deadlines, a new 59-ФЗ letter and a new ПОС
    message (their arrival clocks), and a new incident no rule applies to (no clock at all)."""
    now = timezone.now()
    SlaPolicy.objects.filter(kind="incident", target=SlaPolicy.Target.FIRST_RESPONSE).update(is_active=False)
    return {
        "soon": make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, due_at=now + timedelta(hours=5)),
        "later": make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, due_at=now + timedelta(days=20)),
        "letter": make_appeal(PESTRAVKA, kind="appeal", channel="letter", status=Status.NEW, due_at=None,
                              received_at=now - timedelta(hours=1)),
        "message": make_appeal(PESTRAVKA, status=Status.NEW, due_at=None, received_at=now - timedelta(hours=1)),
        "unclocked": make_appeal(PESTRAVKA, kind="incident", channel="incident", status=Status.NEW, due_at=None,
                                 received_at=now - timedelta(hours=1)),
    }


def _ids(rows):
    return [row.pk for row in rows]


def _every_page(*, params: dict, order: str, limit: int = 2) -> list:
    """The Пестравка operator's rows of every page in turn, following the cursors to the end."""
    operator = user("pestravka_operator")
    rows, after = [], None
    while True:
        page = selectors.appeal_list(user=operator, params=params, after=after, limit=limit, order=order)
        rows += page.rows
        if not page.next_cursor:
            return rows
        after = page.next_cursor


def test_sooner_first_keeps_the_new_items_with_their_clock_and_the_unclocked_at_the_end(client, mixed):
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:list"), {"order": "deadline"})
    rows = response.context["appeals"]
    assert len(rows) == 5  # none dropped: the page never says «нет обращений» while items exist
    assert rows[-1].pk == mixed["unclocked"].pk and rows[-1].due_at is None
    dated = [row.due_at for row in rows[:-1]]
    assert dated == sorted(dated)
    new = {mixed["letter"].pk, mixed["message"].pk}
    assert all(row.due_at is not None for row in rows if row.pk in new)
    html = response.content.decode()
    assert "регистрация" in html and "первичный ответ" in html and "нет срока" in html


@pytest.mark.parametrize("order", ["deadline", "deadline_desc", "new", "old"])
def test_every_order_pages_through_every_appeal_once(mixed, order):
    seen = _ids(_every_page(params={}, order=order))
    assert sorted(seen) == sorted(a.pk for a in mixed.values()) and len(seen) == len(set(seen))
    if order == "deadline_desc":
        assert seen[0] == mixed["unclocked"].pk  # the farthest first: the unclocked one opens the list
    if order == "old":
        assert seen == sorted(seen)


def test_the_card_shows_the_registration_clock_of_a_new_letter(client, mixed):
    client.force_login(user("pestravka_operator"))
    html = client.get(mixed["letter"].get_absolute_url()).content.decode()
    assert 'id="deadline-clock"' in html and "Срок — регистрация" in html


def test_the_queue_counts_exactly_below_the_bound_and_says_more_above(client, mixed):
    client.force_login(user("pestravka_operator"))
    response = client.get(reverse("appeals:list"))
    assert (response.context["page"].total, response.context["page"].total_more) == (5, False)
    assert "5</strong> обращений" in response.content.decode()
    filtered = client.get(reverse("appeals:list"), {"state": "open", "status": Status.NEW})
    assert filtered.context["page"].total == 3
    with override_settings(CUR_QUEUE_COUNT_MAX=2):
        bounded = client.get(reverse("appeals:list"))
    assert (bounded.context["page"].total, bounded.context["page"].total_more) == (2, True)
    assert "Более 2" in bounded.content.decode()
    # the next pages do not count again
    more = client.get(reverse("appeals:list"), {"after": str(mixed["message"].pk)}, HTTP_HX_REQUEST="true")
    assert more.context["page"].total is None


def test_the_period_filter_counts_the_regions_days(client, make_appeal):
    today = timezone.localdate()
    midnight = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
    inside = make_appeal(PESTRAVKA, received_at=midnight + timedelta(minutes=1))
    yesterday = make_appeal(PESTRAVKA, received_at=midnight - timedelta(minutes=1))
    old = make_appeal(PESTRAVKA, received_at=midnight - timedelta(days=40))
    client.force_login(user("pestravka_operator"))

    def listed(**params):
        return set(_ids(client.get(reverse("appeals:list"), params).context["appeals"]))

    assert listed(received_from=today.isoformat()) == {inside.pk}
    assert listed(received_to=(today - timedelta(days=1)).isoformat()) == {yesterday.pk, old.pk}
    assert listed(received_from=(today - timedelta(days=1)).isoformat(),
                  received_to=(today - timedelta(days=1)).isoformat()) == {yesterday.pk}
    assert listed(period="week") == {inside.pk, yesterday.pk}
    assert listed(period="quarter") == {inside.pk, yesterday.pk, old.pk}
    bad = client.get(reverse("appeals:list"), {"received_from": "вчера"})
    assert bad.status_code == 200 and "Проверьте фильтры" in bad.content.decode()


def test_column_heads_sort_and_a_second_click_turns_the_order(client, mixed):
    client.force_login(user("pestravka_operator"))
    columns = client.get(reverse("appeals:list"), {"state": "open"}).context["sort_columns"]
    assert "order=deadline" in columns["due"]["query"] and "state=open" in columns["due"]["query"]
    assert columns["received"]["active"] and "order=old" in columns["received"]["query"]
    turned = client.get(reverse("appeals:list"), {"state": "open", "order": "deadline"}).context["sort_columns"]
    assert turned["due"]["active"] and "order=deadline_desc" in turned["due"]["query"]


def test_each_home_tile_leads_to_a_queue_of_its_count(client, make_appeal):
    now = timezone.now()
    make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, due_at=now - timedelta(hours=1), is_overdue=True)
    make_appeal(PESTRAVKA, status=Status.IN_PROGRESS, due_at=now + timedelta(days=3))
    make_appeal(PESTRAVKA, status=Status.CLOSED, satisfaction="satisfied")
    make_appeal(PESTRAVKA, status=Status.CLOSED, satisfaction="not_satisfied", received_at=now - timedelta(days=9))
    make_appeal(TOLYATTI, status=Status.IN_PROGRESS)  # outside the МЦУ's scope
    client.force_login(user("pestravka_operator"))
    tiles = client.get(reverse("home")).context["kpis"]
    assert [tile["value"] for tile in tiles[:3]] == [2, 1, 3]
    for tile in tiles:
        listed = client.get(f"{reverse('appeals:list')}?{tile['query']}").context["page"].total
        expected = tile["value"] if isinstance(tile["value"], int) else 2  # the share: of the two rated
        assert listed == expected, tile["label"]


def test_a_new_item_without_a_rule_gets_its_clock_when_one_applies(mixed):
    from appeals.lifecycle.overdue import appeals_refresh_overdue

    unclocked = mixed["unclocked"]
    assert appeals_refresh_overdue(now=timezone.now())["clocks_started"] == 0  # still no rule: nothing to do
    SlaPolicy.objects.filter(kind="incident", target=SlaPolicy.Target.FIRST_RESPONSE).update(is_active=True)
    assert appeals_refresh_overdue(now=timezone.now())["clocks_started"] == 1
    unclocked.refresh_from_db()
    assert unclocked.first_response_due_at == unclocked.due_at and unclocked.due_at > unclocked.received_at
    assert unclocked.version == 2


@pytest.mark.parametrize("order", ["new", "old"])
def test_within_a_period_the_order_is_by_the_time_received_and_pages_through_all(make_appeal, order):
    now = timezone.now()
    # ids against arrival: the older letter typed in after the newer ones
    made = [make_appeal(PESTRAVKA, received_at=now - timedelta(days=days)) for days in (1, 3, 2, 5, 4)]
    seen = _every_page(params={"period": "week"}, order=order)
    received = [row.received_at for row in seen]
    assert len(seen) == len(made) and received == sorted(received, reverse=order == "new")


def test_the_api_gives_the_count_on_the_first_page(client, mixed):
    client.force_login(user("pestravka_operator"))
    first = client.get("/api/v1/appeals/", {"order": "deadline"}).json()
    assert first["count"] == {"total": 5, "more": False}
    assert first["results"][-1]["due_at"] is None  # the one without a clock is listed, at the end


@pytest.mark.parametrize("order", ["deadline", "deadline_desc"])
def test_within_a_period_the_deadline_orders_sort_the_periods_rows_and_page_through_all(mixed, order):
    """A period's appeals are few enough to be sorted (appeals/workspace/selectors.PERIOD_SORT_MAX): the same
    order and the same cursors as along the deadline index."""
    seen = _every_page(params={"period": "quarter"}, order=order)
    assert sorted(row.pk for row in seen) == sorted(a.pk for a in mixed.values())
    index_order = selectors.appeal_list(user=user("pestravka_operator"), params={}, limit=10, order=order).rows
    assert [row.pk for row in seen] == [row.pk for row in index_order]


def test_sooner_first_is_the_working_queue_unless_closed_ones_are_asked_for(client, mixed, make_appeal):
    closed = make_appeal(PESTRAVKA, status=Status.CLOSED, due_at=timezone.now() - timedelta(days=300))
    client.force_login(user("pestravka_operator"))
    urgent = client.get(reverse("appeals:list"), {"order": "deadline"})
    assert closed.pk not in _ids(urgent.context["appeals"]) and urgent.context["page"].total == 5
    assert urgent.context["filter"].form["state"].value() == "open"  # the form says what is shown
    done = client.get(reverse("appeals:list"), {"order": "deadline", "state": "done"})
    assert _ids(done.context["appeals"]) == [closed.pk]
