"""The production calendar's year grid and file upload in the admin."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from cur.models import CalendarDay, Membership
from municipalities.models import Region
from tests.personas import user

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"
YEAR_URL = "/admin/cur/calendarday/year/"
IMPORT_URL = "/admin/cur/calendarday/import/"


def cell(html: str, day: date) -> re.Match:
    match = re.search(rf'<td data-date="{day:%Y-%m-%d}" class="([^"]+)" title="([^"]+)">(.*?)</td>', html)
    assert match, f"no cell for {day}"
    return match


def classes(html: str, day: date) -> set[str]:
    return set(cell(html, day).group(1).split())


def total(html: str, name: str) -> str:
    return re.search(rf'data-total="{name}">([^<]+)<', html).group(1)


def test_it_shows_2024_as_twelve_months_with_the_official_totals(client):
    client.force_login(user("admin"))
    response = client.get(YEAR_URL, {"region": "samara", "year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Производственный календарь: Самарская область, 2024" in html
    assert html.count('class="cal-month"') == 12 and "Январь" in html and "Декабрь" in html
    totals = (total(html, "working_days"), total(html, "days_off"), total(html, "working_hours"))
    assert totals == ("248", "118", "1979 ч")
    assert classes(html, date(2024, 1, 1)) >= {"cal-day", "cal-day--holiday"}
    assert classes(html, date(2024, 4, 27)) >= {"cal-day--working-weekend"}  # the transferred working Saturday
    assert classes(html, date(2024, 4, 29)) >= {"cal-day--day-off"}
    assert classes(html, date(2024, 3, 7)) >= {"cal-day--shortened", "cal-day--short"}
    assert classes(html, date(2024, 11, 2)) >= {"cal-day--working-weekend", "cal-day--short"}
    assert classes(html, date(2024, 3, 9)) == {"cal-day", "cal-day--weekend"}  # an ordinary Saturday
    assert classes(html, date(2024, 3, 12)) == {"cal-day", "cal-day--working"}
    assert "7 часов" in cell(html, date(2024, 3, 7)).group(2)
    # the first week of April 2024 starts on Monday the 1st; May starts on a Wednesday after two empty cells
    may = html[html.index(">Май<"):html.index(">Июнь<")]
    assert re.search(r'<tr>\s*<td class="cal-empty"></td><td class="cal-empty"></td><td data-date="2024-05-01"', may)


def test_each_day_links_to_its_form(client):
    client.force_login(user("admin"))
    html = client.get(YEAR_URL, {"region": "samara", "year": "2024"}).content.decode()
    stored = CalendarDay.objects.get(region__code="samara", date=date(2024, 4, 27))
    assert f'href="/admin/cur/calendarday/{stored.pk}/change/?_calendar=1"' in cell(html, date(2024, 4, 27)).group(3)
    samara = Region.objects.get(code="samara")
    link = cell(html, date(2024, 3, 12)).group(3)
    add_url = f"/admin/cur/calendarday/add/?region={samara.pk}&date=12.03.2024&kind=day_off&working_hours=0&_calendar=1"
    assert f'href="{add_url.replace("&", "&amp;")}"' in link
    form = client.get(add_url)
    assert form.status_code == 200 and 'value="12.03.2024"' in form.content.decode()
    # saved from the grid, the day goes back to the grid, marked as corrected by hand
    response = client.post(add_url, {"region": samara.pk, "date": "12.03.2024", "kind": "day_off",
                                     "working_hours": 0, "name": "Указ губернатора", "source": "loaded"})
    assert response.status_code == 302 and response["Location"] == f"{YEAR_URL}?region=samara&year=2024"
    html = client.get(response["Location"]).content.decode()
    assert classes(html, date(2024, 3, 12)) == {"cal-day", "cal-day--day-off", "cal-day--manual"}
    assert total(html, "working_days") == "247"


def test_the_region_and_the_year_switch_and_a_correction_shows(client):
    chuvashia = Region.objects.get(code="chuvashia")
    CalendarDay.objects.create(region=chuvashia, date=date(2025, 6, 24), kind=CalendarDay.Kind.HOLIDAY,
                               working_hours=0, name="День Республики", source=CalendarDay.Source.MANUAL)
    client.force_login(user("admin"))
    html = client.get(YEAR_URL, {"region": "chuvashia", "year": "2025"}).content.decode()
    assert "Производственный календарь: Чувашская Республика, 2025" in html
    assert (total(html, "working_days"), total(html, "working_hours")) == ("246", "1964 ч")
    assert classes(html, date(2025, 6, 24)) >= {"cal-day--holiday", "cal-day--manual"}
    assert "День Республики" in cell(html, date(2025, 6, 24)).group(2)
    assert '<option value="chuvashia" selected>' in html
    assert 'href="?region=chuvashia&amp;year=2024"' in html and 'href="?region=chuvashia&amp;year=2026"' in html
    samara = client.get(YEAR_URL, {"region": "samara", "year": "2025"}).content.decode()
    assert total(samara, "working_days") == "247"
    assert classes(samara, date(2025, 6, 24)) == {"cal-day", "cal-day--working"}


def test_the_page_keeps_the_csp_its_styles_are_a_file(client):
    client.force_login(user("admin"))
    response = client.get(YEAR_URL, {"region": "samara", "year": "2024"})
    html = response.content.decode()
    assert 'href="/static/css/calendar.css"' in html
    assert "style=" not in html and "<style" not in html
    assert "<script>" not in html and "onclick" not in html
    assert "style-src 'self'" in response["Content-Security-Policy"]
    css = (Path(__file__).resolve().parents[2] / "static/css/calendar.css").read_text()
    for name in ("holiday", "day-off", "working-weekend", "shortened", "weekend", "manual"):
        assert f".cal-day--{name} " in css


def test_a_wrong_year_is_explained_and_an_unknown_region_is_404(client):
    client.force_login(user("admin"))
    response = client.get(YEAR_URL, {"region": "samara", "year": "двадцать"})
    assert response.status_code == 200
    assert "Год «двадцать» не понят" in response.content.decode()
    assert client.get(YEAR_URL, {"region": "atlantis", "year": "2024"}).status_code == 404


def test_the_head_of_the_cur_sees_only_their_regions_calendar(client):
    client.force_login(user("cur_head"))
    response = client.get(YEAR_URL, {"year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Самарская область, 2024" in html and "Чувашская" not in html
    assert client.get(YEAR_URL, {"region": "chuvashia", "year": "2024"}).status_code == 404
    listing = client.get("/admin/cur/calendarday/?date__year=2024").content.decode()
    assert "Календарь на год" in listing and "Загрузить из файла" in listing


def test_people_without_the_admin_have_no_grid_and_no_upload(client):
    client.force_login(user("pestravka_operator"))
    assert client.get(YEAR_URL).status_code == 302  # sent to the admin login
    assert client.post(IMPORT_URL).status_code == 302


def test_staff_without_the_right_to_change_days_may_look_but_not_import(client):
    viewer = get_user_model().objects.create_user("calendar_viewer", is_staff=True, is_superuser=False)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_calendarday"))
    Membership.objects.create(user=viewer, role=Membership.Role.CURATOR, centre=user("cur_head").membership.centre)
    client.force_login(viewer)
    html = client.get(YEAR_URL, {"region": "samara", "year": "2024"}).content.decode()
    assert "248" in html and "Загрузить из файла" not in html
    assert "/add/" not in html  # no right to add: ordinary days are plain numbers
    assert client.get(IMPORT_URL).status_code == 403
    upload = SimpleUploadedFile("c.csv", "2024-08-12,выходной\n".encode(), content_type="text/csv")
    samara = Region.objects.get(code="samara")
    assert client.post(IMPORT_URL, {"region": samara.pk, "file": upload}).status_code == 403
    assert not CalendarDay.objects.filter(region=samara, date=date(2024, 8, 12)).exists()


def test_the_upload_applies_the_file_and_reports_as_messages(client):
    client.force_login(user("cur_head"))
    samara = Region.objects.get(code="samara")
    assert client.get(IMPORT_URL).status_code == 200
    upload = SimpleUploadedFile("bad.csv", (DATA / "calendar_2024_bad.csv").read_bytes(), content_type="text/csv")
    response = client.post(IMPORT_URL, {"region": samara.pk, "file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == f"{YEAR_URL}?region=samara&year=2024"
    html = response.content.decode()
    assert "загружен из файла «bad.csv»: новых дней — 2, изменено — 0" in html
    assert "Строка 3 отклонена — неизвестный вид дня «отгул»" in html
    assert classes(html, date(2024, 8, 13)) >= {"cal-day--holiday", "cal-day--manual"}


def test_an_unreadable_file_is_an_error_on_the_form_not_a_500(client):
    client.force_login(user("cur_head"))
    samara = Region.objects.get(code="samara")
    upload = SimpleUploadedFile("c.xml", b"<calendar year='2024'><days>", content_type="text/xml")
    response = client.post(IMPORT_URL, {"region": samara.pk, "file": upload})
    assert response.status_code == 200
    assert "Файл не читается как XML" in response.content.decode()
    chuvashia = Region.objects.get(code="chuvashia")  # not among the head's regions: the form refuses it
    upload = SimpleUploadedFile("c.csv", "2024-08-12,выходной\n".encode())
    response = client.post(IMPORT_URL, {"region": chuvashia.pk, "file": upload})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2024, 8, 12)).exists()


def test_the_grid_reads_the_year_at_once_not_day_by_day(client, django_assert_max_num_queries):
    client.force_login(user("cur_head"))
    # session, user, rights, membership, regions, the year's days, the heading's unread notices
    with django_assert_max_num_queries(8):
        assert client.get(YEAR_URL, {"region": "samara", "year": "2024"}).status_code == 200
