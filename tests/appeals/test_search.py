"""Search across appeals in Russian: forms and misspellings of words, the scope, personal data,
numbers, bad input, highlighting, and the index kept current (appeals/search.py, index.py)."""

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appeals.lifecycle import transitions
from appeals.models import Answer, AppealSearch, SearchQueue
from appeals.search import index
from appeals.search.index import search_index_pending
from appeals.workspace.selectors import appeal_list
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def found(username: str, q: str, **params) -> list[int]:
    page = appeal_list(user=user(username), params={"q": q, **params}, order="relevance")
    return [appeal.pk for appeal in page.rows]


@pytest.fixture
def appeals(make_appeal):
    made = {
        "hot_water": make_appeal(PESTRAVKA, text="Горячая вода отсутствует с понедельника, ул. Молодёжная, д. 5"),
        "pit": make_appeal(TOLYATTI, "roads", text="Огромная яма у школы в Пестравке, дети ходят по проезжей части"),
        "stop": make_appeal(TOLYATTI, "roads", text="На остановке Спортивная нет ни одного человека из УК, мусор"),
        "heating": make_appeal(PESTRAVKA, text="В квартире холодно, батареи еле тёплые, ул. Советская, 12",
                               citizen_name="Кузьмина Ольга Петровна", citizen_phone="+7 927 123-45-67"),
        "named": make_appeal(PESTRAVKA, text="Прошу помочь. Звонила Сидорова Мария Ивановна, тел. 8 927 765-43-21, "
                                             "во дворе не вывозят мусор"),
    }
    # «Молодёжная» is a common street: the documents know it far better than any misspelling
    for i in range(3):
        make_appeal(TOLYATTI, text=f"Не горит фонарь на ул. Молодёжной, дом {i + 10}")
    assert search_index_pending() >= len(made)
    return made


def test_inflected_words_find_the_appeal(appeals):
    assert found("cur_operator", "горячей воды") == [appeals["hot_water"].pk]
    assert appeals["pit"].pk in found("cur_operator", "Пестравка")
    assert found("cur_operator", "яма у школы в Пестравке") == [appeals["pit"].pk]


def test_a_misspelt_street_finds_the_right_one(appeals):
    hits = found("cur_operator", "Малодежная")
    assert appeals["hot_water"].pk in hits and len(hits) == 4  # all four on Молодёжная, none else
    assert found("cur_operator", "нет горячей воды Малодежная 5") == [appeals["hot_water"].pk]


def test_a_partial_word_finds_the_whole_one(appeals):
    assert appeals["hot_water"].pk in found("cur_operator", "Молодёж")


def test_irregular_forms_are_joined_by_the_dictionary(appeals):
    # the stemmer cannot join «людей» and «человека»; pymorphy3's lexeme does
    assert found("cur_operator", "людей на остановке") == [appeals["stop"].pk]


def test_a_query_never_leaves_the_scope_not_even_in_counts(appeals, client):
    # the word is in a Тольятти appeal only: the Пестравка МЦУ operator gets nothing, the ЦУР gets it
    assert found("pestravka_operator", "яма школа") == []
    page = appeal_list(user=user("pestravka_operator"), params={"q": "яма школа"}, order="relevance")
    assert page.found == 0
    assert found("cur_operator", "яма школа") == [appeals["pit"].pk]
    client.force_login(user("pestravka_operator"))
    body = client.get(reverse("appeals:list"), {"q": "яма школа"}).content.decode()
    assert "Найдено: 0" in body and appeals["pit"].number not in body
    # the number of an appeal outside the scope is not a way in either
    response = client.get(reverse("appeals:list"), {"q": appeals["pit"].number})
    assert response.status_code == 200 and response.context["page"].found == 0


def test_search_combines_with_the_filters(appeals):
    roads = appeals["pit"].sector_id
    assert found("cur_operator", "Пестравке", sector=roads) == [appeals["pit"].pk]
    assert found("cur_operator", "горячей воды", sector=roads) == []


def test_personal_data_is_searched_only_by_roles_allowed_to_see_it(appeals):
    heating, named = appeals["heating"].pk, appeals["named"].pk
    assert found("pestravka_operator", "Кузьмина") == [heating]
    assert found("pestravka_operator", "8 (927) 123-45-67") == [heating]
    assert found("pestravka_operator", "Сидоровой") == [named]  # a name written inside the text
    assert found("pestravka_operator", "927 765-43-21") == [named]
    # the curator sees masked personal data: searching by it must not reveal who wrote what
    assert found("cur_curator", "Кузьмина") == []
    assert found("cur_curator", "Сидорова") == []
    assert found("cur_curator", "9277654321") == []
    assert found("cur_curator", "мусор вывозят") == [named]  # the rest of the text is searchable


def test_the_found_words_are_marked_and_personal_data_stays_masked(appeals, client):
    client.force_login(user("cur_curator"))
    response = client.get(reverse("appeals:list"), {"q": "мусор"})
    body = response.content.decode()
    assert "<mark>мусор</mark>" in body
    assert "Сидорова" not in body and "765-43-21" not in body
    client.force_login(user("pestravka_operator"))
    body = client.get(reverse("appeals:list"), {"q": "горячей воды"}).content.decode()
    assert "<mark>Горячая</mark> <mark>вода</mark>" in body


def test_a_number_or_an_external_id_goes_straight_to_the_appeal(appeals, client, make_appeal):
    client.force_login(user("pestravka_operator"))
    target = appeals["hot_water"]
    for typed in (target.number, f"№ {target.pk}", str(target.pk)):
        response = client.get(reverse("appeals:list"), {"q": typed})
        assert response.status_code == 302 and response.url == target.get_absolute_url(), typed
    pos = make_appeal(PESTRAVKA, external_id="POS-000777001")
    response = client.get(reverse("appeals:list"), {"q": "pos-000777001"})
    assert response.url == pos.get_absolute_url()
    htmx = client.get(reverse("appeals:list"), {"q": target.number}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == target.get_absolute_url()


@pytest.mark.parametrize("typed", [
    "", "   ", "горячая " * 1500, '"горячая вода', 'вода"', '" "', "- OR -", "OR горячая OR",
    "'; DROP TABLE appeals_appeal; --", "вода & !свет | (", "a:* <-> b", "\\", "'''", "%_%",
    "\x00вода", "\ue000вода\ue001", "-горячая", "или",
])
def test_bad_input_gives_a_clear_result_never_an_error(appeals, client, typed):
    client.force_login(user("cur_operator"))
    response = client.get(reverse("appeals:list"), {"q": typed})
    assert response.status_code == 200
    api = client.get("/api/v1/appeals/", {"q": typed})
    assert api.status_code in (200, 400), api.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM appeals_appeal")
        assert cursor.fetchone()[0] >= 8


def test_a_very_long_query_is_cut_with_a_note(appeals):
    page = appeal_list(user=user("cur_operator"), params={"q": "горячей воды " + "слово " * 2000},
                       order="relevance")
    assert page.search.notes and len(page.search.searched) <= 300


def test_a_query_of_stop_words_or_operators_says_so(appeals, client):
    client.force_login(user("cur_operator"))
    body = client.get(reverse("appeals:list"), {"q": "и в на - OR"}).content.decode()
    assert "нет слов, по которым можно искать" in body


def test_syntax_quotes_minus_and_or(appeals):
    assert found("cur_operator", '"горячая вода"') == [appeals["hot_water"].pk]
    assert found("cur_operator", '"вода горячая"') == []  # a phrase keeps its order
    street = found("cur_operator", "Молодёжная -фонарь")
    assert street == [appeals["hot_water"].pk]
    either = found("cur_operator", "батареи OR остановке")
    assert sorted(either) == sorted([appeals["heating"].pk, appeals["stop"].pk])


def test_when_all_words_find_nothing_any_word_does(appeals):
    page = appeal_list(user=user("cur_operator"), params={"q": "горячей воды марсоход"}, order="relevance")
    assert page.any_word and page.rows[0].pk == appeals["hot_water"].pk


def test_a_title_match_ranks_above_a_text_match(make_appeal):
    in_text = make_appeal(PESTRAVKA, text="Во дворе сломана скамейка, а ещё протекает крыша")
    in_title = make_appeal(PESTRAVKA, title="Протекает крыша", text="Течёт с потолка в подъезде после дождя")
    search_index_pending()
    assert found("cur_operator", "крыша протекает") == [in_title.pk, in_text.pk]


def test_the_index_follows_corrections_and_answers(appeals, make_appeal):
    appeal = appeals["heating"]
    assert not SearchQueue.objects.exists()
    transitions.appeal_correct(appeal=appeal, by=user("pestravka_operator"), changes={"address": "ул. Лесная, 3"})
    assert SearchQueue.objects.filter(appeal_id=appeal.pk).exists()  # the trigger saw the change
    assert found("cur_operator", "Лесная") == []
    search_index_pending()
    assert found("cur_operator", "Лесная") == [appeal.pk]

    Answer.objects.create(appeal=appeal, region_id=appeal.region_id, text="Произведена промывка стояка отопления",
                          created_at=timezone.now())
    search_index_pending()
    assert found("cur_operator", "промывка стояка") == [appeal.pk]
    Answer.objects.filter(appeal=appeal).delete()
    search_index_pending()
    assert found("cur_operator", "промывка стояка") == []


def test_an_indexer_crash_leaves_the_appeals_queued(make_appeal, monkeypatch):

    appeal = make_appeal(PESTRAVKA, text="Не работает лифт в подъезде")

    def broken(row):
        raise RuntimeError("crash in the middle of a batch")

    monkeypatch.setattr(index, "_cut_personal_data", broken)
    with pytest.raises(RuntimeError):
        search_index_pending()
    assert SearchQueue.objects.filter(appeal_id=appeal.pk).exists()
    assert not AppealSearch.objects.filter(appeal=appeal).exists()
    monkeypatch.undo()
    search_index_pending()
    assert found("cur_operator", "лифт") == [appeal.pk]


def test_search_reindex_rebuilds_every_document_with_progress(appeals):
    from io import StringIO

    from django.core.management import call_command

    AppealSearch.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", "--all", stdout=out)
    assert "Готово" in out.getvalue()
    assert AppealSearch.objects.count() == 8 and not SearchQueue.objects.exists()
    assert found("cur_operator", "горячей воды") == [appeals["hot_water"].pk]


def test_the_api_searches_within_the_scope_too(appeals, client):
    client.force_login(user("pestravka_operator"))
    body = client.get("/api/v1/appeals/", {"q": "мусор"}).json()
    assert [item["id"] for item in body["results"]] == [appeals["named"].pk]
    assert body["search"]["found"] == 1
    assert client.get("/api/v1/appeals/", {"q": "яма школа"}).json()["search"]["found"] == 0  # Тольятти's


def test_yo_and_ye_are_one_letter(appeals):
    # people rarely type «ё»: «Молодежная», «теплые» find «Молодёжная», «тёплые», and back
    assert appeals["hot_water"].pk in found("cur_operator", "Молодежная")
    assert found("cur_operator", "батареи теплые") == [appeals["heating"].pk]
    assert found("cur_operator", "ТЁПЛЫЕ БАТАРЕИ") == [appeals["heating"].pk]


@pytest.mark.django_db(transaction=True)
def test_a_change_while_the_appeal_is_being_indexed_is_not_lost(reference, make_appeal, monkeypatch):
    """The indexer has read the old text and not yet committed; the source sends a new text meanwhile.
    The update's trigger waits for the indexer's transaction and queues the appeal again, so the next
    run indexes the new text — the old document never stays."""
    import threading

    from appeals.models import Appeal

    appeal = make_appeal(PESTRAVKA, text="Не работает лифт в подъезде")
    errors = []

    def source_update():
        try:
            Appeal.objects.filter(pk=appeal.pk).update(text="Не работает домофон в подъезде")
        except Exception as exc:  # noqa: BLE001 — asserted below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=source_update)
    cut = index._cut_personal_data

    def cut_while_updated(row):
        if row[0] == appeal.pk and thread.ident is None:  # other appeals may be queued in the same batch
            thread.start()
            thread.join(timeout=1)
            assert thread.is_alive(), "the update did not wait for the indexer's transaction"
        return cut(row)

    monkeypatch.setattr(index, "_cut_personal_data", cut_while_updated)
    search_index_pending(limit=1)  # one batch: the next would take the re-queued appeal at once
    thread.join(timeout=10)
    monkeypatch.undo()
    assert not thread.is_alive() and errors == []
    assert SearchQueue.objects.filter(appeal_id=appeal.pk).exists()  # queued again
    search_index_pending()
    assert found("pestravka_operator", "домофон") == [appeal.pk]
    assert found("pestravka_operator", "лифт") == []


def test_a_word_the_dictionary_knows_is_not_taken_for_a_misspelling(make_appeal):
    # «контролер» is a word of its own, not a misspelt «контроль», however much more frequent that is
    meter = make_appeal(PESTRAVKA, text="Контролер не пришёл снять показания счётчика")
    for i in range(4):
        make_appeal(PESTRAVKA, text=f"Прошу взять на контроль ремонт крыши дома {i + 1}")
    search_index_pending()
    assert found("cur_operator", "контролер") == [meter.pk]
    assert len(found("cur_operator", "контроль")) == 4
    assert meter.pk in found("cur_operator", "кантролер")  # misspelt, unknown to the dictionary


# A very frequent word (docs/search.md, «A very frequent word»): with the bound at 3, «прошу» below is in
# more appeals than that by the word statistics, so only its newest 3 matches are counted and ranked.
BOUND = 3
bounded = override_settings(SEARCH_RANK_BOUND=BOUND, SEARCH_EXACT_MAX=BOUND)


@pytest.fixture
def frequent(make_appeal):
    """Seven appeals asking for something, oldest first; the oldest has the word in its title (the best
    rank of all) and so does the second newest; two more in Тольятти, newer than every Пестравка one."""
    made = [make_appeal(PESTRAVKA, title="Прошу отремонтировать крышу", text="Течёт крыша над подъездом")]
    made += [make_appeal(PESTRAVKA, text=f"Прошу убрать мусор у дома {i + 1}") for i in range(4)]
    made.append(make_appeal(PESTRAVKA, title="Прошу заменить фонарь", text="Не горит фонарь у дома 9"))
    made.append(make_appeal(PESTRAVKA, text="Прошу починить лавку у дома 11"))
    tolyatti = [make_appeal(TOLYATTI, text=f"Прошу отремонтировать дорогу к дому {i + 1}") for i in range(2)]
    made.append(make_appeal(PESTRAVKA, text="Во дворе сломана горка у дома 12"))  # the newest: no «прошу»
    search_index_pending()
    return made, tolyatti


def page_of(username, q, **kwargs):
    return appeal_list(user=user(username), params={"q": q}, **kwargs)


@bounded
def test_a_very_frequent_word_ranks_only_its_newest_matches_and_says_more(frequent, client):
    made, tolyatti = frequent
    page = page_of("pestravka_operator", "прошу", order="relevance")
    assert page.search.estimate > BOUND  # the word statistics predicted it
    assert page.found == BOUND and page.found_more
    # the newest three Пестравка appeals with the word, the one with it in its title first; the oldest
    # title match ranks best of all but is not among the newest, so it is not ranked at all
    assert [a.pk for a in page.rows] == [made[5].pk, made[6].pk, made[4].pk]
    assert made[0].pk not in [a.pk for a in page.rows]
    assert page.next_cursor is None  # no page past the bound
    # the ЦУР's newest are Тольятти's
    cur = page_of("cur_operator", "прошу", order="relevance")
    assert cur.found == BOUND and cur.found_more
    assert {a.pk for a in cur.rows} == {tolyatti[0].pk, tolyatti[1].pk, made[6].pk}
    # newest first: the same newest three, in their order, and the count bounded the same way
    new = page_of("pestravka_operator", "прошу", order="new")
    assert [a.pk for a in new.rows][:BOUND] == [made[6].pk, made[5].pk, made[4].pk] and new.found_more
    client.force_login(user("pestravka_operator"))
    body = client.get(reverse("appeals:list"), {"q": "прошу"}).content.decode()
    assert f"Найдено более {BOUND}" in body and "Найдено:" not in body
    assert f"упорядочены {BOUND} самых новых" in body  # by relevance, the default when searching
    body = client.get(reverse("appeals:list"), {"q": "прошу", "order": "new"}).content.decode()
    assert f"Найдено более {BOUND}" in body and "упорядочены" not in body
    api = client.get("/api/v1/appeals/", {"q": "прошу"}).json()
    assert api["search"]["found"] == BOUND and api["search"]["found_more"] is True
    assert [item["id"] for item in api["results"]] == [made[5].pk, made[6].pk, made[4].pk]


@bounded
def test_a_frequent_word_the_filters_leave_few_of_is_counted_exactly(frequent):
    # the statistics predict more than the bound, but in Тольятти there are two: both, exactly
    _, tolyatti = frequent
    municipality = tolyatti[0].municipality_id
    page = appeal_list(user=user("cur_operator"), params={"q": "прошу", "municipality": municipality},
                       order="relevance")
    assert page.search.predicts_more_than(BOUND)
    assert page.found == 2 and not page.found_more
    assert [a.pk for a in page.rows] == [tolyatti[1].pk, tolyatti[0].pk]  # equal rank: the newer first


@bounded
def test_a_rare_word_is_counted_and_ranked_over_every_match_as_before(frequent, client):
    made, _ = frequent
    page = page_of("pestravka_operator", "крышу", order="relevance")  # two appeals, the oldest of all
    assert not page.search.predicts_more_than(BOUND)
    assert page.found == 1 and not page.found_more and [a.pk for a in page.rows] == [made[0].pk]
    page = page_of("pestravka_operator", "фонарь", order="relevance")
    assert page.found == 1 and [a.pk for a in page.rows] == [made[5].pk]
    client.force_login(user("pestravka_operator"))
    assert "Найдено: 1" in client.get(reverse("appeals:list"), {"q": "крышу"}).content.decode()
    assert client.get("/api/v1/appeals/", {"q": "крышу"}).json()["search"]["found_more"] is False


@bounded
def test_the_newest_matches_are_found_whatever_the_first_span_holds(frequent, monkeypatch):
    # a first span of ids too short to hold them (here: the newest few appeals, one of them Пестравка's
    # with the word) is followed by longer ones below it until they do
    from appeals.workspace import selectors

    made, _ = frequent
    monkeypatch.setattr(selectors, "NEWEST_SMALL", -1)  # however few PostgreSQL expects, by spans
    monkeypatch.setattr(selectors, "NEWEST_MARGIN", 1e-9)
    for threshold in (0.0, 1.1):  # by reading the appeals newest first, and from the index
        monkeypatch.setattr(selectors, "NEWEST_READ_SHARE", threshold)
        page = page_of("pestravka_operator", "прошу", order="relevance")
        assert page.found == BOUND and page.found_more
        assert [a.pk for a in page.rows] == [made[5].pk, made[6].pk, made[4].pk]


@override_settings(SEARCH_RANK_BOUND=BOUND, SEARCH_EXACT_MAX=100)
def test_up_to_the_exact_maximum_every_match_is_counted_and_ranked(frequent):
    # predicted in more than the bound but fewer than SEARCH_EXACT_MAX: all seven, the title matches first
    made, _ = frequent
    page = page_of("pestravka_operator", "прошу", order="relevance")
    assert page.found == 7 and not page.found_more
    assert {a.pk for a in page.rows[:2]} == {made[0].pk, made[5].pk} and len(page.rows) == 7


def test_the_word_statistics_predict_how_many_match(frequent):
    from appeals.search.query import search_request

    # every word: the rarest; either word: the sum; a phrase: its rarest word; an exclusion subtracts nothing
    prosu, musor = search_request("прошу").estimate, search_request("мусор").estimate
    assert prosu >= 9 and musor == 4
    assert search_request("прошу мусор").estimate == musor
    assert search_request("прошу OR мусор").estimate == prosu + musor
    assert search_request('"убрать мусор"').estimate == musor
    assert search_request("мусор -прошу").estimate == musor
    assert search_request("марсоход").estimate == 0
    assert search_request("12").estimate is None  # numbers are not in the statistics
    assert search_request("прошу марсоход").estimate_any == prosu
