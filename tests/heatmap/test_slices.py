"""Slices: the pivot's cells and margins on hand-built data, each cell's link landing on its count, the XLSX
and the CSV equal to the page's table, a saved slice shared within the centre only, the growth drivers, and
what each role's slice holds."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from appeals.models import Status
from cur.models import Sector
from cur.periods import CalendarPeriod
from heatmap.models import SavedSlice
from heatmap.slices.selectors import TOTAL, growth_drivers, pivot
from municipalities.models import Municipality
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
QUARTER = {"period": "quarter", "on": "2024-02-01"}


@pytest.fixture
def quarter(make_appeal):
    """January–March 2024: ЖКХ 1 / 2 / 3 appeals a month in Пестравка, roads 1 in March; Тольятти 2 in March."""
    for month, count in ((1, 1), (2, 2), (3, 3)):
        for n in range(count):
            make_appeal(PESTRAVKA, "housing_utilities", received_at=datetime(2024, month, 5 + n, 10, tzinfo=SAMARA))
    make_appeal(PESTRAVKA, "roads", received_at=datetime(2024, 3, 20, tzinfo=SAMARA), status=Status.NEW,
                channel="letter", kind="appeal")
    for n in range(2):
        make_appeal(TOLYATTI, "housing_utilities", received_at=datetime(2024, 3, 10 + n, tzinfo=SAMARA))
    rollups_refresh(now=datetime(2024, 4, 2, tzinfo=SAMARA))


def test_a_slice_sums_rows_by_columns_with_its_margins(quarter):
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    table = pivot(user("cur_curator"), region.pk, CalendarPeriod("quarter", date(2024, 1, 1), date(2024, 3, 31)),
                  rows="sector", columns="month")
    housing = Sector.objects.get(code="housing_utilities").pk
    assert [table.values[(housing, date(2024, m, 1))] for m in (1, 2, 3)] == [1, 2, 5]
    assert table.values[(housing, TOTAL)] == 8 and table.values[(TOTAL, TOTAL)] == 9
    assert table.row_keys[0] == housing  # busiest first
    head, *body = table.table()
    assert head == ["Сфера", "январь 2024", "февраль 2024", "март 2024", "Всего"]
    assert body[-1] == ["Всего", 1, 2, 6, 9]


def test_each_cell_leads_to_its_appeals_and_the_files_equal_the_page(client, quarter):
    client.force_login(user("cur_curator"))
    query = {**QUARTER, "rows": "municipality", "cols": "channel"}
    page = client.get(reverse("heatmap:slices"), query)
    table = page.context["table"]
    for (r, c), url in table.urls.items():
        count = table.cells[(r, c)]["received"]
        assert client.get(url).context["page"].total == count, (r, c)
    workbook = load_workbook(io.BytesIO(client.get(reverse("heatmap:slice_export"),
                                                   {**query, "format": "xlsx"}).content))
    about = {row[0]: row[1] for row in workbook["Условия"].iter_rows(values_only=True)}
    assert about["Строки"] == "Муниципальное образование" and about["Столбцы"] == "Канал"
    assert [list(row) for row in workbook["Разрез"].iter_rows(values_only=True)] == page.context["rows"]
    text = client.get(reverse("heatmap:slice_export"), {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [["" if v is None else str(v) for v in row]
                                                                   for row in page.context["rows"]]


def test_a_saved_slice_is_shared_within_its_centre_only(client, quarter):
    client.force_login(user("pestravka_operator"))
    response = client.post(reverse("heatmap:slice_save"), {**QUARTER, "rows": "subtopic", "cols": "month",
                                                          "name": "Тематики по месяцам"})
    assert response.status_code == 302
    saved = SavedSlice.objects.get()
    assert saved.params == {**QUARTER, "rows": "subtopic", "cols": "month"}
    client.force_login(user("pestravka_head"))  # the same МЦУ
    assert [s.name for s in client.get(reverse("heatmap:slices")).context["saved"]] == ["Тематики по месяцам"]
    client.force_login(user("cur_operator"))  # the ЦУР: another centre
    assert client.get(reverse("heatmap:slices")).context["saved"] == []
    client.force_login(user("executor_pestravka_zhkh"))  # a body: no centre to save for
    client.post(reverse("heatmap:slice_save"), {"rows": "subtopic", "name": "Мой"})
    assert SavedSlice.objects.count() == 1


def test_a_municipal_user_slices_only_their_municipality(client, quarter):
    client.force_login(user("pestravka_operator"))
    table = client.get(reverse("heatmap:slices"), {**QUARTER, "rows": "municipality"}).context["table"]
    assert table.row_keys == [Municipality.objects.get(oktmo=PESTRAVKA).pk]
    tolyatti = Municipality.objects.get(oktmo=TOLYATTI).pk
    asked = client.get(reverse("heatmap:slices"), {**QUARTER, "rows": "sector", "municipality": tolyatti})
    assert asked.context["table"].values.get((TOTAL, TOTAL)) in (None, 0)


def test_the_growth_drivers_explain_a_rise_by_contribution(quarter):
    region = Municipality.objects.get(oktmo=PESTRAVKA).region
    march = CalendarPeriod("month", date(2024, 3, 1), date(2024, 3, 31))
    drivers = growth_drivers(user("cur_curator"), region.pk, march)
    assert (drivers.before, drivers.now) == (2, 6)
    assert [(d.name, d.delta) for d in drivers.places] == [("Тольятти", 2), ("Пестравский район", 2)] or \
        [(d.name, d.delta) for d in drivers.places] == [("Пестравский район", 2), ("Тольятти", 2)]
    assert sum(drivers.share(d) for d in drivers.places) == 100.0
