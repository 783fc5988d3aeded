"""The ratings of bodies and municipalities on a hand-built month: places, the minimum volume, a change of
methodology from a date, the export equal to the page, the API, the drill-down to exactly the counted appeals,
and what each role sees."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from appeals.lifecycle import transitions
from appeals.models import Appeal, Status
from cur.models import Agency
from cur.periods import CalendarPeriod
from ratings import exports
from ratings.models import Methodology
from ratings.selectors import rating
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
MARCH = CalendarPeriod("month", date(2024, 3, 1), date(2024, 3, 31))
APRIL = CalendarPeriod("month", date(2024, 4, 1), date(2024, 4, 30))
QUERY = {"period": "month", "on": "2024-03-15"}


def _history(make_appeal, oktmo: str, agency_code: str, received: datetime, answer_after: timedelta | None):
    """An appeal received, registered and assigned to the body; answered `answer_after` later (or left open)."""
    appeal = make_appeal(oktmo, received_at=received, status=Status.NEW, due_at=None)
    appeal = transitions.appeal_register(appeal=appeal, by=None, at=received)
    appeal = transitions.appeal_assign(appeal=appeal, agency=Agency.objects.get(code=agency_code), by=None,
                                       at=received + timedelta(hours=1))
    if answer_after is not None:
        transitions.answer_submit(appeal=appeal, text="Кран заменён 14.03.2024, вода подаётся, акт составлен.",
                                  by=None, at=received + timedelta(hours=1) + answer_after)
    return Appeal.objects.get(pk=appeal.pk)


@pytest.fixture
def month(make_appeal):
    """March 2024: ЖКХ answered two appeals quickly and let one run late; the administration had one appeal
    (below the minimum of 2); a Тольятти hospital answered two."""
    day = datetime(2024, 3, 4, 10, 0, tzinfo=SAMARA)  # Monday
    appeals = {
        "zhkh_fast": _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", day, timedelta(hours=3)),
        "zhkh_fast2": _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", day + timedelta(days=1),
                               timedelta(hours=5)),
        "zhkh_late": _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", day + timedelta(days=2), None),
        "adm": _history(make_appeal, PESTRAVKA, "adm_pestravskiy_mr", day, timedelta(hours=2)),
        "tolyatti": _history(make_appeal, TOLYATTI, "tgb2_tolyatti", day, timedelta(hours=4)),
        "tolyatti2": _history(make_appeal, TOLYATTI, "tgb2_tolyatti", day + timedelta(days=3), timedelta(days=1)),
    }
    rollups_refresh(now=datetime(2024, 4, 20, tzinfo=SAMARA))
    return appeals


def _row(board, code):
    agency = Agency.objects.get(code=code)
    return next(r for r in board.rows if r.key == agency.pk)


def test_bodies_are_ranked_within_their_group_and_a_small_one_is_listed_without_a_place(month):
    board = rating(user("cur_curator"), MARCH)
    zhkh, adm = _row(board, "mup_zhkh_pestravskiy"), _row(board, "adm_pestravskiy_mr")
    assert (zhkh.sums.received, zhkh.sums.on_time, zhkh.sums.late, zhkh.sums.answered) == (3, 2, 1, 2)
    assert zhkh.rated.values["timeliness"] == pytest.approx(66.7)
    assert zhkh.rated.ranked and zhkh.rated.place >= 1 and zhkh.rated.zone is not None
    assert (adm.sums.received, adm.rated.ranked, adm.rated.place, adm.rated.zone) == (1, False, None, None)
    assert board.minimum == 2
    labels = [label for label, _ in board.groups]
    assert labels[0] == "Органы исполнительной власти" and labels[-1] == "Учреждения и организации"


def test_without_place_changes_the_rating_is_the_same_but_for_the_change(month, make_appeal):
    # the dashboard's red zone reads the period alone; the places, scores and zones are the full rating's
    for day in (2, 3, 4):
        _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", datetime(2024, 4, day, 10, tzinfo=SAMARA),
                 timedelta(hours=2))
    rollups_refresh(now=datetime(2024, 5, 20, tzinfo=SAMARA))
    full, lean = rating(user("cur_curator"), APRIL), rating(user("cur_curator"), APRIL, place_changes=False)
    assert [(r.key, r.rated) for r in lean.rows] == [(r.key, r.rated) for r in full.rows]
    assert any(r.place_change is not None for r in full.rows)
    assert all(r.place_change is None for r in lean.rows)


def test_a_change_of_weights_from_a_date_applies_to_the_periods_after_it(month, make_appeal):
    _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", datetime(2024, 4, 2, 10, tzinfo=SAMARA),
             timedelta(hours=2))
    _history(make_appeal, PESTRAVKA, "mup_zhkh_pestravskiy", datetime(2024, 4, 3, 10, tzinfo=SAMARA),
             timedelta(hours=2))
    rollups_refresh(now=datetime(2024, 5, 20, tzinfo=SAMARA))
    region = Appeal.objects.first().region
    Methodology.objects.create(region=region, effective_from=date(2024, 4, 1), weight_timeliness=100,
                               weight_speed=0, weight_quality=0, weight_satisfaction=0, weight_completeness=0,
                               note="только своевременность")
    march, april = rating(user("cur_curator"), MARCH), rating(user("cur_curator"), APRIL)
    assert march.methodology.pk is None and april.methodology.note == "только своевременность"
    in_march, in_april = _row(march, "mup_zhkh_pestravskiy"), _row(april, "mup_zhkh_pestravskiy")
    assert in_april.rated.score == in_april.rated.values["timeliness"] == 100.0
    assert in_march.rated.score != in_march.rated.values["timeliness"]  # the default weights, all five parts


def test_the_xlsx_and_the_csv_hold_the_numbers_of_the_page(client, month):
    client.force_login(user("cur_curator"))
    page = client.get(reverse("ratings:index"), QUERY)
    assert page.status_code == 200
    shown = [exports.row_values(label, row) for label, rows in page.context["groups"] for row in rows]
    by_name = sorted(shown, key=lambda values: (values[0], values[3]))

    response = client.get(reverse("ratings:export"), {**QUERY, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    about = {row[0]: row[1] for row in book["Методика и период"].iter_rows(values_only=True)}
    assert about["Период"].startswith("март 2024 (01.03.2024 – 31.03.2024)")
    assert about["Минимум обращений для места в рейтинге"] == 2
    table = list(book["Рейтинг"].iter_rows(values_only=True))
    assert list(table[0]) == [title for _, title in exports.COLUMNS]
    assert sorted((list(r) for r in table[1:]), key=lambda values: (values[0], values[3])) == by_name

    text = client.get(reverse("ratings:export"), {**QUERY, "format": "csv"}).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    name = Agency.objects.get(code="mup_zhkh_pestravskiy").short_name
    zhkh = next(line for line in lines if line[3] == name)
    assert zhkh[COLUMN("received")] == "3" and zhkh[COLUMN("late")] == "1"


def COLUMN(key):  # noqa: N802 — reads like a constant lookup
    return [k for k, _ in exports.COLUMNS].index(key)


def test_each_count_leads_to_exactly_the_appeals_it_counted(client, month):
    client.force_login(user("cur_curator"))
    board = client.get(reverse("ratings:index"), QUERY).context["board"]
    zhkh = _row(board, "mup_zhkh_pestravskiy")
    late = client.get(reverse("appeals:list"), {"rating": zhkh.drills["late"]})
    assert [a.pk for a in late.context["appeals"]] == [month["zhkh_late"].pk]
    assert "Из рейтинга" in late.content.decode() and late.context["drill"]["label"] == "с нарушением срока"
    received = client.get(reverse("appeals:list"), {"rating": zhkh.drills["received"]})
    assert {a.pk for a in received.context["appeals"]} == {month[k].pk for k in ("zhkh_fast", "zhkh_fast2",
                                                                                  "zhkh_late")}
    broken = client.get(reverse("appeals:list"), {"rating": "late.a1.2024-13-01.x"})
    assert broken.status_code == 200 and "Ссылка из рейтинга повреждена" in broken.content.decode()


def test_the_body_page_and_the_methodology_page(client, month):
    client.force_login(user("cur_curator"))
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    page = client.get(reverse("ratings:agency", args=[zhkh.pk]), QUERY)
    assert page.status_code == 200
    body = page.context["page"]
    assert body.row.sums.late == 1 and len(body.history) == 12 and body.volumes[-1] == 3
    assert "parts-chart" in page.content.decode()
    methodology = client.get(reverse("ratings:methodology")).content.decode()
    assert "Своевременность" in methodology and "Методика региона не вносилась" in methodology


def test_the_api_answers_the_page_with_the_same_figures(client, month):
    client.force_login(user("cur_curator"))
    board = client.get(reverse("ratings:index"), QUERY).context["board"]
    body = client.get("/api/v1/ratings/", QUERY).json()
    zhkh = next(r for r in body["results"] if r["id"] == _row(board, "mup_zhkh_pestravskiy").key)
    assert zhkh["counts"]["late"] == 1 and zhkh["score"] == _row(board, "mup_zhkh_pestravskiy").rated.score
    assert body["period"]["first"] == "2024-03-01" and body["methodology"]["min_volume"] == 2
    assert client.get("/api/v1/ratings/", {"period": "custom", "from": "2024-04-01", "to": "2024-03-01"}) \
        .status_code == 400


def test_municipalities_are_rated_by_all_the_bodies_of_their_territory(client, month):
    client.force_login(user("cur_curator"))
    board = client.get(reverse("ratings:municipalities"), QUERY).context["board"]
    pestravka = next(r for r in board.rows if r.name == "Пестравский район")
    assert pestravka.sums.received == 4  # ЖКХ's three and the administration's one
    drilled = client.get(reverse("appeals:list"), {"rating": pestravka.drills["received"]})
    assert len(drilled.context["appeals"]) == 4


# --- what each role sees (the scoping matrix of ratings) ----------------------------------------------------

PESTRAVKA_BODY, REGIONAL_BODY, TOLYATTI_BODY = "mup_zhkh_pestravskiy", "gzhi_so", "tgb2_tolyatti"
SEES = {  # persona → which of the three marker bodies its rating lists; None — redirected to its own body
    "cur_operator": {PESTRAVKA_BODY, REGIONAL_BODY, TOLYATTI_BODY},
    "cur_curator": {PESTRAVKA_BODY, REGIONAL_BODY, TOLYATTI_BODY},
    "cur_integrator": {PESTRAVKA_BODY, REGIONAL_BODY, TOLYATTI_BODY},
    "pestravka_operator": {PESTRAVKA_BODY},
    "pestravka_head": {PESTRAVKA_BODY},
    "pestravka_zhkh": {PESTRAVKA_BODY},
    "tolyatti_operator": {TOLYATTI_BODY},
    "volzhsky_operator": set(),
    "executor_pestravka_zhkh": None,
    "executor_minobr": None,
}
MARKERS = (PESTRAVKA_BODY, REGIONAL_BODY, TOLYATTI_BODY)


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_exactly_its_part_of_the_ratings(client, month, username):
    person = user(username)
    client.force_login(person)
    ids = {code: Agency.objects.get(code=code).pk for code in MARKERS}
    response = client.get(reverse("ratings:index"), QUERY)
    api = {row["id"] for row in client.get("/api/v1/ratings/", QUERY).json()["results"]}
    export = load_workbook(io.BytesIO(client.get(reverse("ratings:export"), {**QUERY, "format": "xlsx"}).content))
    exported = {row[3] for row in export["Рейтинг"].iter_rows(min_row=2, values_only=True)}
    names = {code: Agency.objects.get(code=code).short_name for code in MARKERS}
    if SEES[username] is None:  # an executor: their own body's page, and only their own body anywhere
        own = person.membership.agency
        assert response.status_code == 302 and response.url.startswith(reverse("ratings:agency", args=[own.pk]))
        assert api == {own.pk} and exported == {own.short_name}
        for code in MARKERS:
            expected = 200 if ids[code] == own.pk else 404
            assert client.get(reverse("ratings:agency", args=[ids[code]]), QUERY).status_code == expected
        assert client.get(reverse("ratings:municipalities")).status_code == 404
        return
    shown = {row.key for row in response.context["board"].rows}
    assert {code for code in MARKERS if ids[code] in shown} == SEES[username]
    assert {code for code in MARKERS if ids[code] in api} == SEES[username]
    assert {code for code in MARKERS if names[code] in exported} == SEES[username]
    for code in MARKERS:
        page = client.get(reverse("ratings:agency", args=[ids[code]]), QUERY)
        assert page.status_code == (200 if code in SEES[username] else 404), code


@pytest.mark.parametrize("username", ["pestravka_operator", "tolyatti_operator", "executor_pestravka_zhkh"])
def test_a_drill_down_into_another_territory_lists_nothing(client, month, username):
    """The drill-down is a filter of the role's own queue: a crafted link to another body's figure shows none
    of that body's appeals outside the role's scope."""
    client.force_login(user("cur_curator"))
    board = client.get(reverse("ratings:index"), QUERY).context["board"]
    client.force_login(user(username))
    foreign = {"pestravka_operator": TOLYATTI_BODY, "tolyatti_operator": PESTRAVKA_BODY,
               "executor_pestravka_zhkh": TOLYATTI_BODY}[username]
    response = client.get(reverse("appeals:list"), {"rating": _row(board, foreign).drills["received"]})
    assert list(response.context["appeals"]) == []
    assert Agency.objects.get(code=foreign).short_name not in response.content.decode()


def test_a_body_and_its_municipality_read_the_place_the_region_gives_it(client, month, make_appeal):
    """Places are the region's: the МЦУ and the executor see the same place of a body as the ЦУР."""
    for n in range(3):  # a second institution of the same group ahead of ЖКХ
        _history(make_appeal, TOLYATTI, "tgb2_tolyatti", datetime(2024, 3, 11 + n, 10, tzinfo=SAMARA),
                 timedelta(hours=1))
    rollups_refresh(now=datetime(2024, 4, 21, tzinfo=SAMARA))
    places = {}
    for username in ("cur_curator", "pestravka_operator", "executor_pestravka_zhkh"):
        client.force_login(user(username))
        zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
        page = client.get(reverse("ratings:agency", args=[zhkh.pk]), QUERY)
        places[username] = page.context["page"].row.rated.place
    assert len(set(places.values())) == 1 and places["cur_curator"] > 1, places


def test_the_rows_escape_a_name_and_link_each_count_to_its_appeals(client, month):
    """The rows are rendered in Python (ratings_tags.rating_rows): a body's name is text, never markup."""
    zhkh = Agency.objects.get(code="mup_zhkh_pestravskiy")
    Agency.objects.filter(pk=zhkh.pk).update(short_name='МУП <b onmouseover="x()">ЖКХ</b>')
    client.force_login(user("cur_curator"))
    response = client.get(reverse("ratings:index"), QUERY)
    html = response.content.decode()
    assert "<b onmouseover" not in html and "МУП &lt;b onmouseover=&quot;x()&quot;&gt;ЖКХ&lt;/b&gt;" in html
    row = _row(response.context["board"], "mup_zhkh_pestravskiy")
    queue = reverse("appeals:list")
    assert f'<a class="rating__late" href="{queue}?rating={row.drills["late"]}">1</a>' in html
    assert f'href="{queue}?rating={row.drills["received"]}">3</a>' in html
    assert f'href="{reverse("ratings:agency", args=[zhkh.pk])}?period=month&amp;on=2024-03-15"' in html
