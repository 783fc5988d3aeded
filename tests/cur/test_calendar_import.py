"""Import of an official production calendar file (CSV / xmlcalendar XML) into a region's days."""

from datetime import date
from pathlib import Path

import pytest

from cur.calendar_import import CalendarFileError, calendar_import
from cur.models import CalendarDay
from cur.permissions import Forbidden
from cur.selectors import working_calendar
from cur.services import calendar_load
from cur.workcalendar import official_days
from municipalities.models import Region
from tests.personas import user

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"
Kind = CalendarDay.Kind


def samara():
    return Region.objects.get(code="samara")


def day_of(region, day):
    return CalendarDay.objects.filter(region=region, date=day).first()


def state(region, day):
    row = day_of(region, day)
    return (row.kind, row.working_hours) if row else None


def test_an_xml_calendar_fills_an_empty_year_and_gives_the_official_norm():
    region = samara()
    CalendarDay.objects.filter(region=region, date__year=2025).delete()
    assert working_calendar(region=region).working_days_in_year(2025) != 247

    report = calendar_import(region=region, data=(DATA / "calendar_2025.xml").read_bytes(),
                             filename="calendar_2025.xml", by=None)

    assert len(report.created) == len(official_days([2025])) == 23
    assert (report.changed, report.unchanged, report.refused) == ([], [], [])
    assert report.years == [2025]
    calendar = working_calendar(region=region)
    assert (calendar.working_days_in_year(2025), calendar.working_hours_in_year(2025)) == (247, 1972)
    assert state(region, date(2025, 5, 9)) == (Kind.HOLIDAY, 0)
    assert day_of(region, date(2025, 5, 9)).name == "День Победы"
    assert state(region, date(2025, 5, 2)) == (Kind.DAY_OFF, 0)
    assert day_of(region, date(2025, 5, 2)).name == "Выходной (перенесено с 04.01.2025)"
    assert state(region, date(2025, 11, 1)) == (Kind.WORKING_WEEKEND, 7)  # t=2 on a Saturday
    assert state(region, date(2025, 3, 7)) == (Kind.SHORTENED, 7)
    # the imported days are the administrator's: a reload from the rules keeps them
    assert calendar_load(region=region, years=[2025])["kept_manual"] == 23


def test_the_same_xml_over_the_calendar_loaded_from_the_rules_changes_nothing():
    region = samara()
    before = list(CalendarDay.objects.filter(region=region, date__year=2025).values_list("date", "kind", "source"))

    report = calendar_import(region=region, data=(DATA / "calendar_2025.xml").read_bytes(), by=None)

    assert (len(report.unchanged), report.created, report.changed, report.refused) == (23, [], [], [])
    after = list(CalendarDay.objects.filter(region=region, date__year=2025).values_list("date", "kind", "source"))
    assert after == before
    assert "новых дней — 0, изменено — 0, без изменений — 23, отклонено строк — 0" in report.summary()


def test_a_csv_in_windows_1251_with_semicolons_sets_changes_and_reports_each_day():
    region = samara()
    data = (DATA / "calendar_2024_changes.csv").read_text(encoding="utf-8").encode("cp1251")

    report = calendar_import(region=region, data=data, filename="calendar_2024_changes.csv", by=None)

    assert report.refused == []
    assert sorted(report.created) == [date(2024, 6, 24), date(2024, 7, 1)]
    assert sorted(report.unchanged) == [date(2024, 3, 7), date(2024, 4, 27), date(2024, 11, 2)]
    changes = {change.day: (change.before, change.after) for change in report.changed}
    assert changes == {
        date(2024, 12, 28): ("рабочий выходной (перенос), 8 ч", "обычный выходной"),
        date(2024, 5, 8): ("предпраздничный, сокращённый на час, 7 ч", "обычный рабочий день"),
    }
    assert state(region, date(2024, 6, 24)) == (Kind.HOLIDAY, 0)
    assert day_of(region, date(2024, 6, 24)).name == "День республики (пример регионального праздника)"
    assert state(region, date(2024, 7, 1)) == (Kind.DAY_OFF, 0)  # code 1 on a Monday: a day off
    assert state(region, date(2024, 12, 28)) is None  # an ordinary Saturday again: no row
    assert state(region, date(2024, 5, 8)) is None
    assert working_calendar(region=region).working_days_in_year(2024) == 248 - 2 - 1
    assert report.manual_replaced == []  # only loaded days were changed


def test_bad_rows_are_refused_with_line_and_reason_and_nothing_else_is_lost():
    region = samara()
    before = set(CalendarDay.objects.filter(region=region).values_list("date", "kind", "working_hours"))

    report = calendar_import(region=region, data=(DATA / "calendar_2024_bad.csv").read_bytes(), by=None)

    reasons = {refusal.line: refusal.reason for refusal in report.refused}
    assert set(reasons) == {2, 3, 4, 5, 6, 8}
    assert reasons[2].startswith("неверная дата «2024-02-30»")
    assert reasons[3].startswith("неизвестный вид дня «отгул»")
    assert reasons[4] == "нужны два поля: дата и вид дня"
    assert reasons[5].startswith("лишние поля")
    assert reasons[6] == "год 1999 вне 2000–2099"
    assert reasons[8] == "день 12.08.2024 уже указан в строке 7"
    assert report.refused[0].text == "2024-02-30,выходной"
    # the good lines are applied, and nothing the file did not name has moved
    assert sorted(report.created) == [date(2024, 8, 12), date(2024, 8, 13)]
    assert day_of(region, date(2024, 8, 12)).name == "Указ о дне траура"
    after = set(CalendarDay.objects.filter(region=region).values_list("date", "kind", "working_hours"))
    assert after - before == {(date(2024, 8, 12), Kind.DAY_OFF, 0), (date(2024, 8, 13), Kind.HOLIDAY, 0)}
    assert before - after == set()


def test_a_day_corrected_by_hand_is_changed_by_the_file_and_said_so():
    region = samara()
    CalendarDay.objects.filter(region=region, date=date(2024, 3, 12)).delete()
    CalendarDay.objects.create(region=region, date=date(2024, 3, 12), kind=Kind.DAY_OFF, working_hours=0,
                               name="Указ губернатора", source=CalendarDay.Source.MANUAL)
    CalendarDay.objects.create(region=region, date=date(2024, 3, 13), kind=Kind.DAY_OFF, working_hours=0,
                               name="Указ губернатора", source=CalendarDay.Source.MANUAL)
    data = "2024-03-12,рабочий\n2024-03-13,выходной\n".encode()

    report = calendar_import(region=region, data=data, by=None)

    assert [(c.day, c.was_manual) for c in report.manual_replaced] == [(date(2024, 3, 12), True)]
    assert report.unchanged == [date(2024, 3, 13)]  # the same as the file says: kept, not reported
    assert state(region, date(2024, 3, 12)) is None


def test_a_broken_or_hostile_xml_is_refused_whole_and_changes_nothing():
    region = samara()
    count = CalendarDay.objects.count()
    with pytest.raises(CalendarFileError, match="не читается как XML.*строка 2"):
        calendar_import(region=region, data=b'<calendar year="2024">\n<days><day d="01.01" t="1"></calendar>',
                        by=None)
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY a "aaaa">]>\n<calendar year="2024"><days/></calendar>'
    with pytest.raises(CalendarFileError, match="DOCTYPE"):
        calendar_import(region=region, data=bomb, by=None)
    with pytest.raises(CalendarFileError, match="нет верного года"):
        calendar_import(region=region, data=b'<calendar year="20x4"><days/></calendar>', by=None)
    with pytest.raises(CalendarFileError, match="корневой элемент"):
        calendar_import(region=region, data=b'<html><day d="01.01" t="1"/></html>', by=None)
    with pytest.raises(CalendarFileError, match="XLSX"):
        calendar_import(region=region, data=b"PK\x03\x04rest-of-a-zip", by=None)
    with pytest.raises(CalendarFileError, match="CSV не читается в строке 1"):
        calendar_import(region=region, data=b'2024-01-01,"' + b"x" * 200_000, by=None)  # over csv's field limit
    with pytest.raises(CalendarFileError, match="больше 1 МБ"):
        calendar_import(region=region, data=b"2024-01-01,1\n" * 100_000, by=None)
    with pytest.raises(CalendarFileError, match="пуст"):
        calendar_import(region=region, data=b"  \n", by=None)
    assert CalendarDay.objects.count() == count


def test_bad_xml_days_are_refused_one_by_one():
    region = samara()
    data = """<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2024">
  <holidays><holiday id="1" title="Региональный праздник"/></holidays>
  <days>
    <day d="13.45" t="1"/>
    <day d="08.05" t="9"/>
    <day d="08.05" t="1" h="1"/>
    <day d="08.05" t="2"/>
    <day d="08.10" t="3"/>
  </days>
</calendar>""".encode()

    report = calendar_import(region=region, data=data, by=None)

    assert [(r.line, r.reason.split(":")[0]) for r in report.refused] == [
        (5, 'неверный день d="13.45"'), (6, 'неизвестный тип t="9"'), (8, "день 05.08.2024 уже указан в строке 7"),
    ]
    assert report.refused[0].text == '<day d="13.45" t="1"/>'
    assert state(region, date(2024, 8, 5)) == (Kind.HOLIDAY, 0)
    assert day_of(region, date(2024, 8, 5)).name == "Региональный праздник"
    assert state(region, date(2024, 8, 10)) == (Kind.WORKING_WEEKEND, 8)  # t=3 on a Saturday


def test_only_staff_with_the_right_may_import_and_only_their_own_region():
    region = samara()
    data = "2024-08-12,выходной\n".encode()
    for username in ("pestravka_operator", "cur_operator", "cur_curator"):
        with pytest.raises(Forbidden):
            calendar_import(region=region, data=data, by=user(username))
    with pytest.raises(Forbidden, match="этого региона"):
        calendar_import(region=Region.objects.get(code="chuvashia"), data=data, by=user("cur_head"))
    assert state(region, date(2024, 8, 12)) is None

    report = calendar_import(region=region, data=data, by=user("cur_head"))  # the head has add + change

    assert report.created == [date(2024, 8, 12)]
    assert calendar_import(region=Region.objects.get(code="chuvashia"), data=data, by=user("admin")).created
