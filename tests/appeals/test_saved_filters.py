"""Saved filters of the queue: save, apply, overwrite, delete — and they never widen the scope."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appeals.models import SavedFilter, Status
from appeals.workspace.filters import filter_query_normalize
from appeals.workspace.saved_filters import MAX_SAVED_FILTERS, saved_filter_delete, saved_filter_save
from municipalities.models import Municipality
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_query_keeps_only_what_the_view_shows():
    query = "status=new&after=1234&kind=&order=new&sector=&utm=x&channel=pos"
    assert filter_query_normalize(query) == "channel=pos&status=new"
    assert filter_query_normalize("order=deadline&state=open") == "order=deadline&state=open"
    assert filter_query_normalize("state=open&order=deadline") == "order=deadline&state=open"


def test_it_saves_the_current_filter_and_applies_it(client, make_appeal):
    new = make_appeal(PESTRAVKA, status=Status.NEW, due_at=None)
    registered = make_appeal(PESTRAVKA, status=Status.REGISTERED)
    client.force_login(user("pestravka_operator"))

    response = client.post(reverse("appeals:saved_filter_save"),
                           {"name": "  Новые  ", "query": "status=new&kind=&after=99&order=new"}, follow=True)
    saved = SavedFilter.objects.get(user=user("pestravka_operator"))
    assert (saved.name, saved.query) == ("Новые", "status=new")
    assert response.redirect_chain[-1][0] == reverse("appeals:list") + "?status=new"
    assert "Фильтр «Новые» сохранён." in messages_of(response)
    assert [a.pk for a in response.context["appeals"]] == [new.pk]
    page = response.content.decode()
    assert 'class="chip is-active" data-saved-filter="Новые"' in page

    # elsewhere in the queue the chip is a link back to the saved view, not highlighted
    elsewhere = client.get(reverse("appeals:list"))
    assert 'class="chip" data-saved-filter="Новые"' in elsewhere.content.decode()
    assert {a.pk for a in elsewhere.context["appeals"]} == {new.pk, registered.pk}
    applied = client.get(reverse("appeals:list") + "?" + saved.query)
    assert [a.pk for a in applied.context["appeals"]] == [new.pk]


def test_the_same_name_overwrites():
    operator = user("pestravka_operator")
    first = saved_filter_save(user=operator, name="Мои", query="status=new")
    second = saved_filter_save(user=operator, name="Мои", query="overdue=true&order=deadline")
    assert first.pk == second.pk
    assert list(SavedFilter.objects.filter(user=operator).values_list("name", "query")) == [
        ("Мои", "order=deadline&overdue=true")]


@pytest.mark.parametrize(("name", "query", "error"), [
    ("", "status=new", "Укажите название фильтра."),
    ("   ", "status=new", "Укажите название фильтра."),
    ("Я" * 81, "status=new", "Название фильтра — не длиннее 80 знаков."),
    ("Всё", "after=10&status=", "Сначала задайте условия"),
])
def test_a_bad_name_or_an_empty_filter_is_refused_with_a_message(client, name, query, error):
    operator = user("pestravka_operator")
    with pytest.raises(ValidationError, match=error):
        saved_filter_save(user=operator, name=name, query=query)
    client.force_login(operator)
    response = client.post(reverse("appeals:saved_filter_save"), {"name": name, "query": query}, follow=True)
    assert any(error in message for message in messages_of(response))
    assert not SavedFilter.objects.filter(user=operator).exists()


def test_at_most_thirty_per_user_but_overwriting_still_works():
    operator = user("pestravka_operator")
    for i in range(MAX_SAVED_FILTERS):
        saved_filter_save(user=operator, name=f"Фильтр {i:02d}", query=f"due_within={i + 1}")
    with pytest.raises(ValidationError, match="не больше 30 фильтров"):
        saved_filter_save(user=operator, name="Ещё один", query="status=new")
    saved_filter_save(user=operator, name="Фильтр 00", query="status=new")
    assert SavedFilter.objects.filter(user=operator).count() == MAX_SAVED_FILTERS
    # the limit is per user: a colleague saves freely
    saved_filter_save(user=user("tolyatti_operator"), name="Ещё один", query="status=new")


def test_it_deletes_ones_own_filter(client):
    operator = user("pestravka_operator")
    saved = saved_filter_save(user=operator, name="Просроченные", query="overdue=true")
    client.force_login(operator)
    response = client.post(reverse("appeals:saved_filter_delete", args=[saved.pk]), {"query": "status=new"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("appeals:list") + "?status=new"
    assert "Сохранённый фильтр удалён." in messages_of(response)
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_it_cannot_delete_another_users_filter(client):
    theirs = saved_filter_save(user=user("tolyatti_operator"), name="Просроченные", query="overdue=true")
    client.force_login(user("pestravka_operator"))
    assert client.post(reverse("appeals:saved_filter_delete", args=[theirs.pk])).status_code == 404
    assert saved_filter_delete(user=user("pestravka_operator"), pk=theirs.pk) is False
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_the_queue_shows_only_ones_own_filters(client):
    saved_filter_save(user=user("tolyatti_operator"), name="Тольяттинский", query="overdue=true")
    saved_filter_save(user=user("pestravka_operator"), name="Пестравский", query="overdue=true")
    client.force_login(user("pestravka_operator"))
    page = client.get(reverse("appeals:list")).content.decode()
    assert "Пестравский" in page and "Тольяттинский" not in page


def test_a_saved_filter_of_a_municipal_operator_never_shows_other_municipalities(client, make_appeal):
    ours = make_appeal(PESTRAVKA, status=Status.NEW, due_at=None)
    theirs = make_appeal(TOLYATTI, status=Status.NEW, due_at=None)
    operator = user("pestravka_operator")
    tolyatti = Municipality.objects.get(oktmo=TOLYATTI)
    # one saved the ordinary way, one written by hand to point at the other municipality
    broad = saved_filter_save(user=operator, name="Новые", query="status=new")
    foreign = saved_filter_save(user=operator, name="Чужое МО", query=f"municipality={tolyatti.pk}")
    client.force_login(operator)
    assert [a.pk for a in client.get(reverse("appeals:list") + "?" + broad.query).context["appeals"]] == [ours.pk]
    response = client.get(reverse("appeals:list") + "?" + foreign.query)
    assert response.status_code == 200 and response.context["appeals"] == []
    assert theirs.number not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    for url in (reverse("appeals:saved_filter_save"), reverse("appeals:saved_filter_delete", args=[1])):
        response = client.post(url, {"name": "x", "query": "status=new"})
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not SavedFilter.objects.exists()


def test_saving_needs_a_post(client):
    client.force_login(user("pestravka_operator"))
    assert client.get(reverse("appeals:saved_filter_save"), {"name": "x", "query": "status=new"}).status_code == 405
