"""The production calendar's year grid and its file upload in a real browser, under the CSP."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_csp import assert_clean, login, watched  # noqa: F401 — the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_reads_the_year_and_uploads_a_calendar(watched, tmp_path):  # noqa: F811
    page, seen = watched
    login(page, "cur_head")
    page.goto("/admin/cur/calendarday/")
    page.click("text=Календарь на год")
    page.select_option("#cal-region", "samara")
    page.fill("#cal-year", "2024")
    page.click("button:has-text('Показать')")
    page.wait_for_selector("h1:has-text('Производственный календарь: Самарская область, 2024')")
    assert page.inner_text("[data-total=working_days]") == "248"
    colour = {day: page.eval_on_selector(f"td[data-date='{day}']", "e => getComputedStyle(e).backgroundColor")
              for day in ("2024-01-01", "2024-04-27", "2024-03-07", "2024-03-09", "2024-03-12", "2024-04-29")}
    assert len(set(colour.values())) == 6, colour  # each kind of day its own colour, from calendar.css
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-year-2024.png"), full_page=True)

    page.click("a.cal-import")
    sample = tmp_path / "calendar.csv"
    sample.write_text("Дата;Тип\n24.06.2024;праздничный\n2024-08-05;отгул\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(sample))
    page.click("input[type=submit]")
    page.wait_for_selector("text=новых дней — 1")
    assert "Строка 3 отклонена — неизвестный вид дня «отгул»" in page.inner_text("ul.messagelist")
    assert "cal-day--holiday" in page.get_attribute("td[data-date='2024-06-24']", "class")
    assert page.inner_text("[data-total=working_days]") == "247"
    page.click("td[data-date='2024-06-24'] a")
    page.wait_for_selector("text=Изменить день производственного календаря")
    page.screenshot(path=str(ARTIFACTS / "calendar-after-upload.png"), full_page=True)
    assert_clean(seen)
