"""Finding 2 of issue 11: personal data reached roles that must see it masked (curator, sector head,
integrator) through titles, answers, problem titles, home addresses and the search. Each test names
one path; the walk over every page is test_masking_walk.py."""

import pytest
from django.urls import reverse

from appeals.lifecycle import transitions
from appeals.models import Appeal, Status
from appeals.problems import services as problem_services
from appeals.search.index import search_index_pending
from appeals.workspace.selectors import appeal_list
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db

SURNAME = "Кузнецова"
TITLE = "Кузнецова Ольга Викторовна, тел. 8 927 555-13-97: нет горячей воды"
HOME = "ул. Садовая, д. 12, кв. 34"


@pytest.fixture
def titled(make_appeal):
    return make_appeal(PESTRAVKA, title=TITLE, text="Третий день нет горячей воды в доме 5 по ул. Молодёжной",
                       agency="mup_zhkh_pestravskiy", status=Status.IN_PROGRESS)


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_the_api_masks_the_title_in_the_list_and_the_detail(client, titled):
    client.force_login(user("cur_integrator"))
    detail = client.get(f"/api/v1/appeals/{titled.pk}/").json()
    assert SURNAME not in detail["title"] and "555-13-97" not in detail["title"]
    assert detail["title"] == "[ФИО], тел. [телефон]: нет горячей воды"
    [listed] = [item for item in client.get("/api/v1/appeals/").json()["results"] if item["id"] == titled.pk]
    assert listed["title"] == detail["title"]
    client.force_login(user("pestravka_operator"))  # the role that works with the citizen sees it whole
    assert client.get(f"/api/v1/appeals/{titled.pk}/").json()["title"] == TITLE


def test_the_card_masks_its_heading_and_the_answers(client, titled):
    transitions.answer_submit(appeal=titled, by=user("executor_pestravka_zhkh"),
                            text="Уважаемая Кузнецова Ольга Викторовна! Воду дали, мастер позвонит на 8 927 555-13-97.")
    client.force_login(user("cur_curator"))
    page = body(client.get(titled.get_absolute_url()))
    assert "Воду дали" in page and "нет горячей воды" in page
    assert SURNAME not in page and "555-13-97" not in page
    client.force_login(user("pestravka_zhkh"))  # the sector head of ЖКХ sees the appeal, masked
    page = body(client.get(titled.get_absolute_url()))
    assert "Воду дали" in page and SURNAME not in page and "555-13-97" not in page


def test_a_home_address_with_a_flat_is_masked_in_the_text(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, text=f"Течёт крыша над моей квартирой, {HOME}, управляющая компания молчит")
    client.force_login(user("cur_curator"))
    page = body(client.get(appeal.get_absolute_url()))
    assert "кв. 34" not in page and "Садовая" not in page
    assert "Течёт крыша" in page and "[адрес]" in page
    client.force_login(user("cur_integrator"))
    assert "кв. 34" not in client.get(f"/api/v1/appeals/{appeal.pk}/").json()["text"]


def test_a_surname_in_the_title_is_not_searchable_by_a_masked_role(titled):
    search_index_pending()
    for username in ("cur_curator", "pestravka_zhkh", "cur_integrator"):
        page = appeal_list(user=user(username), params={"q": SURNAME}, order="relevance")
        assert page.found == 0 and page.rows == [], username
        assert appeal_list(user=user(username), params={"q": "9275551397"}, order="relevance").rows == []
        assert [a.pk for a in appeal_list(user=user(username), params={"q": "горячей воды"}).rows] == [titled.pk]
    assert [a.pk for a in appeal_list(user=user("pestravka_operator"), params={"q": SURNAME}).rows] == [titled.pk]


def test_home_problem_pages_and_the_export_mask_titles(client, titled, make_appeal):
    other = make_appeal(PESTRAVKA, title="Нет горячей воды, звонила Кузнецова Ольга Викторовна",
                        text="Нет горячей воды в доме 5 по ул. Молодёжной")
    problem = problem_services.problem_join(appeal=Appeal.objects.get(pk=titled.pk),
                                            other=Appeal.objects.get(pk=other.pk), by=user("pestravka_operator"))
    # a masked role whose home lists the latest appeals (a curator's home is the dashboard: no texts)
    client.force_login(user("cur_integrator"))
    home = client.get(reverse("home"))
    client.force_login(user("cur_curator"))
    pages = {
        "home": home,
        "problems": client.get(reverse("appeals:problems")),
        "problem": client.get(reverse("appeals:problem", args=[problem.pk])),
        "card": client.get(titled.get_absolute_url()),  # names its Problem
        "export": client.get(reverse("appeals:export_csv")),
    }
    for name, response in pages.items():
        text = body(response)
        assert response.status_code == 200 and "горячей воды" in text, name
        assert SURNAME not in text and "555-13-97" not in text, name


def test_the_excerpt_without_a_title_hides_a_phone_cut_at_its_edge(client, make_appeal):
    filler = "Во дворе не вывозят мусор. " * 4  # 108 characters: the phone straddles the 120th
    appeal = make_appeal(PESTRAVKA, text=f"{filler}Тел. 8 927 555-13-97, звоните после обеда")
    for username, url in (("cur_integrator", reverse("home")), ("cur_curator", reverse("appeals:list")),
                          ("cur_curator", reverse("appeals:export_csv"))):
        client.force_login(user(username))
        text = body(client.get(url))
        assert "Во дворе не вывозят мусор" in text and "8 927" not in text and "927 5" not in text, url
    assert appeal.pk
