"""Issue 15 in a real browser, the curator's way: the dashboard; the map, switched to «на 10 000 жителей»;
a click on a municipality; a cell of its matrix, landing on exactly those appeals in the queue; a slice
(subtopic × month) saved and downloaded as XLSX; a conflict situation moved to «на рассмотрении».
Screenshots at 1440 and 390 px land in test-artifacts/."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from appeals.models import Status
from heatmap.conflicts.services import situations_scan
from heatmap.models import Situation
from municipalities.models import Municipality
from rollups.services import rollups_refresh
from tests.browser.conftest import ARTIFACTS
from tests.personas import PESTRAVKA, TOLYATTI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMARA = ZoneInfo("Europe/Samara")
WEEK = date(2026, 11, 16)  # a Monday of November 2026


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"heatmap-{name}.png"), full_page=True)


def count_shown(page) -> str:
    return page.locator("#queue-count strong").inner_text()


@pytest.fixture
def november(make_appeal):
    """A quiet autumn in Пестравка (one ЖКХ appeal a fortnight), then eight in one week; Тольятти's roads."""
    for weeks in range(1, 9, 2):
        make_appeal(PESTRAVKA, "housing_utilities", status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy",
                    received_at=datetime.combine(WEEK - timedelta(weeks=weeks), datetime.min.time(), SAMARA))
    for n in range(8):
        make_appeal(PESTRAVKA, "housing_utilities", status=Status.IN_PROGRESS, agency="mup_zhkh_pestravskiy",
                    received_at=datetime(2026, 11, 16 + n % 5, 9 + n, tzinfo=SAMARA))
    for n in range(3):
        make_appeal(TOLYATTI, "roads", received_at=datetime(2026, 11, 3 + n, 12, tzinfo=SAMARA))
    rollups_refresh()
    situations_scan(region=Municipality.objects.get(oktmo=PESTRAVKA).region, week=WEEK)


def test_the_curator_reads_the_map_slices_and_moves_a_situation(page, november):
    pestravka = Municipality.objects.get(oktmo=PESTRAVKA)
    page.goto("/login/")
    page.click("[data-demo-login][data-username=pestravka_curator]")
    page.wait_for_selector("h1:has-text('Главная')")  # a curator's home is the dashboard
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/?on=2026-11-15")
    page.wait_for_selector("[data-chart=trend-chart] .scatterlayer")
    assert "Конфликтная ситуация" in page.inner_text("body") or "Всплеск" in page.inner_text("body")
    shot(page, "dashboard-1440")

    # the map of November, switched to per 10 000 residents
    page.goto("/heatmap/?on=2026-11-15")
    page.wait_for_selector("[data-chart=heat-map] path.choroplethlocation")
    page.select_option("select[name=measure]", "per_10k")
    page.locator("form[aria-label='Показатель и отбор'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"measure=per_10k"))
    page.wait_for_selector("[data-chart=heat-map] path.choroplethlocation")
    assert "на 10 000 жителей" in page.locator(".page-head__sub").inner_text()
    shot(page, "map-per10k-1440")

    # a click on the municipality's shape opens its page
    # plotly's map takes the pointer on its background and finds the shape under it: a real mouse click
    box = page.locator("[data-chart=heat-map] path.choroplethlocation").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf"/heatmap/m/{pestravka.pk}/"))
    assert page.locator("h1").inner_text() == pestravka.name
    shot(page, "municipality-1440")

    # a cell of its sector × subtopic matrix: the same count in the queue
    cell = page.locator("table.topics tbody tr:not(.topics__sector) td a").first
    figure = cell.inner_text()
    cell.click()
    page.wait_for_url(re.compile(r"/appeals/\?area="))
    assert count_shown(page) == figure == "9"  # the week of eight and one before it in November
    assert "Из тепловой карты" in page.locator("#drill-summary").inner_text()
    shot(page, "queue-from-cell-1440")

    # a slice: subtopic × month over November, saved for the centre and downloaded
    page.goto("/heatmap/slices/?on=2026-11-15")
    page.select_option("select[name=rows]", "subtopic")
    page.select_option("select[name=cols]", "month")
    page.locator("#slice-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"cols=month"))
    page.fill("input[name=name]", "Тематики по месяцам")
    page.click("text=Сохранить для центра")
    page.wait_for_selector("nav[aria-label='Сохранённые разрезы центра'] >> text=Тематики по месяцам")
    with page.expect_download() as download:
        page.click("a:has-text('XLSX')")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))["Разрез"]
    header = [c for c in next(sheet.iter_rows(values_only=True))]
    assert header[:2] == ["Тематика", "ноябрь 2026"]
    shown = [th.inner_text().strip().lower() for th in page.locator("#slice-table thead th").all()]
    assert [h.lower() for h in header] == shown  # the file's head is the page's (shown in capitals by CSS)
    shot(page, "slice-1440")

    # the conflict situation: under review, the move recorded
    situation = Situation.objects.get()
    page.goto(situation.get_absolute_url())
    page.wait_for_selector("[data-chart=situation-chart] .barlayer")
    page.fill("textarea[name=note]", "выезд бригады назначен")
    page.click("button[value=under_review]")
    page.wait_for_selector("#situation-status:has-text('На рассмотрении')")
    assert "выезд бригады назначен" in page.locator("#situation-moves").inner_text()
    shot(page, "situation-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    for url, name in (("/heatmap/?on=2026-11-15", "map-390"), ("/?on=2026-11-15", "dashboard-390"),
                      ("/heatmap/slices/?on=2026-11-15&rows=subtopic&cols=month", "slice-390")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        shot(page, name)
