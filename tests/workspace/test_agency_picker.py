"""The body picker (appeals/workspace/agencies.py, the JSON of appeals:agency_suggest, static/js/picker.js):
what is found for a few typed letters, in which order, and only inside the user's scope."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import Status
from appeals.workspace.agencies import agency_query_words, agency_suggestions
from cur.models import Agency
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db


def codes(suggestions):
    return [Agency.objects.get(pk=s.pk).code for s in suggestions]


@pytest.fixture
def routed(make_appeal):
    """A registered Пестравский appeal about housing whose routing proposal is the district's МУП ЖКХ."""
    return make_appeal(PESTRAVKA, "housing_utilities", status=Status.REGISTERED,
                       proposed_agency=Agency.objects.get(code="mup_zhkh_pestravskiy"))


def suggest(client, username, **params):
    client.force_login(user(username))
    return client.get(reverse("appeals:agency_suggest"), params)


def test_the_proposal_comes_first_then_the_appeals_municipality_then_the_others(routed):
    found = agency_suggestions(user=user("cur_operator"), query="жкх", appeal_id=routed.pk)
    assert codes(found)[0] == "mup_zhkh_pestravskiy" and found[0].proposed
    assert [s.proposed for s in found[1:]] == [False] * (len(found) - 1)
    # «жкх» begins a word of the Пестравский МУП and the Пестравский УСА ЖКХ, and of regional bodies
    territories = [s.territory for s in found]
    local = [i for i, t in enumerate(territories) if t == routed.municipality.name]
    others = [i for i, t in enumerate(territories) if t != routed.municipality.name]
    assert len(local) >= 2 and others and max(local) < min(others)
    assert "региональный" in territories  # Минэнерго и ЖКХ СО, of the whole region
    regional = next(s for s in found if s.territory == "региональный")
    assert regional.sectors and all(isinstance(name, str) for name in regional.sectors)


def test_a_body_serving_the_appeals_sector_ranks_above_one_that_does_not(routed):
    # both regional bodies named «Министерство …»: the ones serving housing (the appeal's sector) first
    found = agency_suggestions(user=user("cur_operator"), query="министерство", appeal_id=routed.pk)
    housing = Agency.objects.filter(sectors__code="housing_utilities").values_list("pk", flat=True)
    serving = [s.pk in set(housing) for s in found]
    assert True in serving and False in serving
    assert serving == sorted(serving, reverse=True)


def test_any_word_of_the_short_or_full_name_case_and_yo_do_not_matter(routed):
    operator = user("cur_operator")
    assert "minmolod_so" in codes(agency_suggestions(user=operator, query="МОЛОДЁЖ"))  # «молодежной» in the name
    assert "minmolod_so" in codes(agency_suggestions(user=operator, query="минмол"))  # the short name
    # every typed word begins some word: «ЖКХ» alone would find Минэнерго и ЖКХ СО too
    assert set(codes(agency_suggestions(user=operator, query="пест жкх"))) == {
        "mup_zhkh_pestravskiy", "mku_stroy_pestravskiy"}
    assert codes(agency_suggestions(user=operator, query="ёжик")) == []
    assert "gzhi_so" in codes(agency_suggestions(user=operator, query="жилищная инсп"))
    assert "gzhi_so" not in codes(agency_suggestions(user=operator, query="илищная"))  # inside a word: no


def test_two_letters_are_needed():
    for typed in ("", " ", "ж", "«ж»", "-"):
        with pytest.raises(ValidationError, match="две буквы"):
            agency_query_words(typed)
    assert agency_query_words("Ёж") == ["еж"]


def test_a_municipal_operator_never_gets_another_territorys_bodies(routed):
    found = agency_suggestions(user=user("pestravka_operator"), query="гбуз")
    assert found and {s.territory for s in found} <= {"региональный", routed.municipality.name}
    assert "crb_pestravskaya" in codes(found) and "tgkb5_tolyatti" not in codes(found)
    assert "tgkb5_tolyatti" in codes(agency_suggestions(user=user("cur_operator"), query="гбуз тольят"))
    # without an appeal (the bulk bar) a МЦУ's own bodies come first
    assert found[0].territory == routed.municipality.name
    # another region's bodies are nobody's here
    assert "minobr_chr" not in codes(agency_suggestions(user=user("cur_operator"), query="минобр"))


def test_inactive_bodies_are_not_offered(routed):
    Agency.objects.filter(code="roads_contractor_pestravskiy").update(is_active=False)
    assert "roads_contractor_pestravskiy" not in codes(
        agency_suggestions(user=user("pestravka_operator"), query="дорожный"))


def test_the_suggestions_cost_two_queries_whatever_is_found(routed):
    operator = user("cur_operator")
    agency_suggestions(user=operator, query="жкх", appeal_id=routed.pk)  # the membership, read once per request
    with CaptureQueriesContext(connection) as queries:
        many = agency_suggestions(user=operator, query="адм", appeal_id=routed.pk, limit=100)
    assert len(many) > 20 and len(queries) == 2  # the appeal, the bodies with their sectors


def test_it_answers_json_with_territory_sectors_and_the_proposal(client, routed):
    response = suggest(client, "pestravka_operator", q="жкх", appeal=routed.pk)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    results = response.json()["results"]
    assert results[0]["short_name"] == "МУП «ЖКХ Пестравского района»" and results[0]["proposed"] is True
    assert results[0]["territory"] == routed.municipality.name and results[0]["sectors"]
    assert set(results[0]) == {"id", "short_name", "name", "territory", "sectors", "proposed"}
    assert response.json()["more"] is False
    many = suggest(client, "cur_operator", q="адм").json()  # every district's administration
    assert len(many["results"]) == 20 and many["more"] is True


def test_it_refuses_too_short_a_query_and_a_bad_number_with_a_message(client, routed):
    response = suggest(client, "pestravka_operator", q="ж", appeal=routed.pk)
    assert response.status_code == 400 and "две буквы" in response.json()["error"]
    for bad in ("abc", "-1", "0", str(2**63)):
        response = suggest(client, "pestravka_operator", q="жкх", appeal=bad)
        assert response.status_code == 400 and "номер" in response.json()["error"]


def test_it_is_404_for_an_appeal_outside_the_scope_and_403_for_roles_that_do_not_route(client, make_appeal):
    in_tolyatti = make_appeal(TOLYATTI, status=Status.REGISTERED)
    assert suggest(client, "pestravka_operator", q="адм", appeal=in_tolyatti.pk).status_code == 404
    assert suggest(client, "tolyatti_operator", q="адм", appeal=in_tolyatti.pk).status_code == 200
    for username in ("executor_pestravka_zhkh", "cur_curator"):
        assert suggest(client, username, q="адм").status_code == 403
    client.logout()
    response = client.get(reverse("appeals:agency_suggest"), {"q": "адм"})
    assert response.status_code == 302 and "/login/" in response.url


def test_the_card_and_the_bulk_bar_render_a_select_the_picker_enhances(client, routed):
    client.force_login(user("pestravka_operator"))
    card = client.get(routed.get_absolute_url()).content.decode()
    url = reverse("appeals:agency_suggest")
    # the plain <select> still works without JS: every body of the scope, the proposal selected
    assert f'<select name="agency" id="id_agency" required data-picker="{url}">' in card
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    assert f'<option value="{zhkh.pk}" selected>' in card
    assert f'data-appeal="{routed.pk}"' in card and "js/picker.js" in card
    queue = client.get(reverse("appeals:list")).content.decode()
    assert f'<select name="agency" id="bulk_agency" data-picker="{url}">' in queue and "js/picker.js" in queue
