"""The documents in the scoping matrix: every page and export of a weekly note, an indicator report and a roadmap,
for each persona, own and foreign — written out by hand: a ЦУР role reads every centre's documents of its region,
a МЦУ role its own centre's only, a sector head, an executor and an integrator none."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cur.models import Centre, Sector
from municipalities.models import Municipality
from reports.indicators.services import report_open
from reports.roadmaps.services import roadmap_open
from reports.weekly.services import note_build
from tests.personas import PESTRAVKA, user

pytestmark = pytest.mark.django_db
WEEK = date(2024, 3, 11)
CUR_ROLES = ("cur_head", "cur_operator", "cur_curator")
PESTRAVKA_ROLES = ("pestravka_head", "pestravka_operator", "pestravka_curator")
NOBODY = ("cur_integrator", "pestravka_zhkh", "executor_pestravka_zhkh")


@pytest.fixture
def documents():
    region_centre = Centre.objects.get(level="region", region__code="samara")
    mcu = Centre.objects.get(municipality__oktmo=PESTRAVKA)
    place = {"municipality": Municipality.objects.get(oktmo=PESTRAVKA),
             "sector": Sector.objects.get(code="housing_utilities"), "title": "Вода", "root_cause": "Сети"}
    return {
        "mcu_note": note_build(centre=mcu, week=WEEK), "cur_note": note_build(centre=region_centre, week=WEEK),
        "mcu_report": report_open(centre=mcu, kind="quarter", first=date(2024, 1, 1)),
        "mcu_roadmap": roadmap_open(by=user("pestravka_operator"), **place),
        "cur_roadmap": roadmap_open(by=user("cur_operator"), **place),
    }


def _urls(kind: str, obj) -> list[str]:
    if kind.endswith("note"):
        return [reverse("reports:note", args=[obj.pk]), reverse("reports:note_chart", args=[obj.pk, "heatmap"]),
                *(reverse("reports:note_download", args=[obj.pk, k]) for k in ("docx", "pdf"))]
    if kind.endswith("report"):
        return [obj.get_absolute_url(), *(reverse("reports:indicator_export", args=[obj.pk, k]) for k in
                                          ("xlsx", "docx"))]
    return [obj.get_absolute_url(), *(reverse("reports:roadmap_export", args=[obj.pk, k]) for k in ("docx", "xlsx"))]


# who opens which document (200) — every other pair is 404
OPENS = {
    **{role: {"mcu_note", "cur_note", "mcu_report", "mcu_roadmap", "cur_roadmap"} for role in CUR_ROLES},
    **{role: {"mcu_note", "mcu_report", "mcu_roadmap"} for role in PESTRAVKA_ROLES},
    "tolyatti_operator": set(),
    **{role: set() for role in NOBODY},
}
LISTS = ("reports:notes", "reports:indicators", "reports:indicator_catalogue", "reports:roadmaps")


@pytest.mark.parametrize("username", sorted(OPENS))
def test_each_role_opens_exactly_its_documents(client, documents, username):
    client.force_login(user(username))
    for kind, obj in documents.items():
        expected = 200 if kind in OPENS[username] else 404
        for url in _urls(kind, obj):
            assert client.get(url).status_code == expected, (username, kind, url)
    for name in LISTS:
        assert client.get(reverse(name)).status_code == (404 if username in NOBODY else 200), (username, name)


@pytest.mark.parametrize("username", ["cur_operator", "pestravka_head", "tolyatti_operator"])
def test_the_consolidated_table_lists_only_the_readers_centres(client, documents, username):
    client.force_login(user(username))
    book = load_workbook(io.BytesIO(client.get(reverse("reports:indicators_export"),
                                               {"kind": "quarter", "first": "2024-01-01"}).content))
    names = [row[0] for row in book["Показатели МЦУ"].iter_rows(min_row=2, values_only=True)]
    expected = {"cur_operator": {"МЦУ м.р. Пестравский", "МЦУ г.о. Тольятти", "МЦУ м.р. Волжский"},
                "pestravka_head": {"МЦУ м.р. Пестравский"}, "tolyatti_operator": {"МЦУ г.о. Тольятти"}}[username]
    assert set(names) == expected


def test_the_documents_address_itself_opens_the_weekly_notes(client):
    client.force_login(user("cur_curator"))
    response = client.get("/reports/", follow=True)
    assert response.redirect_chain == [(reverse("reports:notes"), 302)] and response.status_code == 200
    client.force_login(user("executor_pestravka_zhkh"))  # no documents for an executor: refused as on the notes
    assert client.get("/reports/", follow=True).status_code == client.get(reverse("reports:notes")).status_code
