"""Quarterly and annual indicator reports МЦУ → ЦУР: the preliminary catalogue and its import, due dates in both
regions' calendars, computed values equal to the dashboard's, the workflow (only the МЦУ submits, only the ЦУР
accepts or returns, a returned report is resubmitted, every step an event), reminders and the overdue mark, the
consolidated table and the exports, and who sees what."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from cur.models import CalendarDay, Centre, StaffNotification
from cur.permissions import Forbidden
from municipalities.models import Region
from reports.indicators.periods import due_date, periods_in_question
from reports.indicators.services import (
    ReportRefused,
    indicators_import,
    report_accept,
    report_open,
    report_return,
    report_submit,
    report_values_save,
    reports_remind,
)
from reports.models import Indicator, IndicatorReport, ReportEvent
from rollups.services import rollups_refresh
from tests.personas import PESTRAVKA, TOLYATTI, user

pytestmark = pytest.mark.django_db
SAMARA = ZoneInfo("Europe/Samara")
Q1 = date(2025, 1, 1)


def _mcu(oktmo: str = PESTRAVKA) -> Centre:
    return Centre.objects.get(municipality__oktmo=oktmo)


def _manual(report) -> dict[int, tuple[str, str]]:
    return {v.indicator_id: ("12", "по реестру госпабликов") for v in report.values.select_related("indicator")
            if v.indicator.method == "manual"}


def test_the_seed_catalogue_is_preliminary_and_an_import_loads_the_good_rows_and_names_the_bad():
    samara = Region.objects.get(code="samara")
    seeded = Indicator.objects.filter(region=samara)
    assert seeded.count() == 13 and all(i.is_preliminary for i in seeded)
    assert seeded.get(code="pos_answer_days").target == 8 and seeded.get(code="official_pages").method == "manual"
    content = ("code;name;unit;method;function;target;direction;effective_from\n"
               "pos_answer_days;Срок ответа ПОС;дней;computed;pos_answer_days;7;lower;01.01.2024\n"
               "new_one;Новый показатель;шт.;manual;;;info;2026-01-01\n"
               "broken;Без функции;%;computed;nope;;higher;2026-01-01\n"
               "nodate;Без даты;%;manual;;;info;\n").encode()
    result = indicators_import(region=samara, name="official.csv", content=content, by=user("cur_operator"))
    assert (result.created, result.updated) == (1, 1)
    assert len(result.errors) == 2 and result.errors[0].startswith("строка 4: функция расчёта «nope»")
    assert "строка 5: не заполнено: effective_from" in result.errors[1]
    updated = Indicator.objects.get(region=samara, code="pos_answer_days")
    assert updated.target == 7 and not updated.is_preliminary
    with pytest.raises(Forbidden):
        indicators_import(region=samara, name="x.csv", content=content, by=user("pestravka_head"))


@pytest.mark.parametrize("code", ["samara", "chuvashia"])
def test_due_dates_of_the_four_quarters_and_the_year_in_each_regions_calendar(code):
    region = Region.objects.get(code=code)
    # 5 April 2025 is a Saturday, 5 July a Saturday, 5 October a Sunday; 20 December 2025 a Saturday
    expected = {date(2025, 1, 1): date(2025, 4, 7), date(2025, 4, 1): date(2025, 7, 7),
                date(2025, 7, 1): date(2025, 10, 6), date(2025, 10, 1): date(2026, 1, 12)}
    for first, due in expected.items():
        assert due_date(region=region, kind="quarter", first=first) == due, first
    assert due_date(region=region, kind="year", first=date(2025, 1, 1)) == date(2025, 12, 22)
    assert due_date(region=region, kind="quarter", first=date(2024, 1, 1)) == date(2024, 4, 5)  # a Friday


def test_a_regional_day_off_moves_the_due_date_in_that_region_only():
    chuvashia, samara = Region.objects.get(code="chuvashia"), Region.objects.get(code="samara")
    CalendarDay.objects.create(region=chuvashia, date=date(2025, 4, 7), kind="holiday", working_hours=0,
                               name="региональный нерабочий день")
    assert due_date(region=chuvashia, kind="quarter", first=Q1) == date(2025, 4, 8)
    assert due_date(region=samara, kind="quarter", first=Q1) == date(2025, 4, 7)


def test_computed_values_equal_the_dashboard_for_the_same_territory_and_quarter(client, make_appeal):
    for day in (date(2025, 1, 20), date(2025, 2, 3), date(2025, 3, 30)):
        make_appeal(PESTRAVKA, "housing_utilities", received_at=datetime(2025, day.month, day.day, 10, tzinfo=SAMARA))
    make_appeal(TOLYATTI, "roads", received_at=datetime(2025, 2, 1, 10, tzinfo=SAMARA))
    rollups_refresh(now=datetime(2025, 4, 2, tzinfo=SAMARA))
    report = report_open(centre=_mcu(), kind="quarter", first=Q1, by=user("pestravka_operator"))
    values = {v.indicator.code: v.value for v in report.values.select_related("indicator")}
    client.force_login(user("pestravka_curator"))
    board = client.get(reverse("heatmap:dashboard"), {"period": "quarter", "on": "2025-02-01"}).context["board"]
    tiles = {t.label: t.value for t in (*board.tiles, *board.targets)}
    assert values["received"] == int(tiles["Поступило"]) == 3
    assert f"{values['on_time_share']:.0f} %" == tiles["В срок"]
    assert values["official_pages"] is None  # entered by hand
    assert report.due_date == date(2025, 4, 7)


def test_the_workflow_only_the_mcu_submits_only_the_cur_reviews_and_every_step_is_an_event():
    operator, head, cur = user("pestravka_operator"), user("pestravka_head"), user("cur_operator")
    with pytest.raises(Forbidden):
        report_open(centre=_mcu(), kind="quarter", first=Q1, by=cur)
    report = report_open(centre=_mcu(), kind="quarter", first=Q1, by=operator)
    with pytest.raises(ReportRefused, match="Не заполнены показатели"):
        report_submit(report=report, by=operator)
    report = report_values_save(report=report, by=operator, entries=_manual(report))
    with pytest.raises(Forbidden):
        report_submit(report=report, by=cur)  # the ЦУР does not submit for the МЦУ
    with pytest.raises(Forbidden):
        report_submit(report=report, by=user("tolyatti_operator"))  # nor another МЦУ
    report = report_submit(report=report, by=operator)
    with pytest.raises(Forbidden):
        report_accept(report=report, by=head)  # the МЦУ does not accept its own
    with pytest.raises(ReportRefused, match="причина возврата обязательна"):
        report_return(report=report, by=cur, reason="  ")
    with pytest.raises(ReportRefused):
        report_values_save(report=report, by=operator, entries=_manual(report))  # in the ЦУР's hands
    report = report_return(report=report, by=cur, reason="Число госпабликов не сходится с реестром")
    assert report.status == "returned" and report.is_open
    report = report_values_save(report=report, by=operator, entries={
        pk: ("10", "сверено с реестром") for pk in _manual(report)})
    report = report_submit(report=report, by=operator)
    report = report_accept(report=report, by=user("cur_curator"))
    assert report.status == "accepted"
    steps = [(e.kind, e.actor.username if e.actor else None)
             for e in report.events.exclude(kind__in=["computed", "edited"])]
    assert steps == [("opened", "pestravka_operator"), ("submitted", "pestravka_operator"),
                     ("returned", "cur_operator"), ("submitted", "pestravka_operator"), ("accepted", "cur_curator")]
    assert report.events.filter(kind="edited").count() == 2 * len(_manual(report))
    assert StaffNotification.objects.filter(recipient=user("pestravka_head"), title__startswith="ЦУР вернул").exists()
    with pytest.raises(ReportRefused, match="Не заполнены|уже"):
        report_submit(report=report, by=operator)


def test_reminders_before_the_date_and_the_overdue_mark_after_once_each():
    centres = Centre.objects.filter(level="municipal").count()
    assert periods_in_question(date(2025, 4, 1)) == [("quarter", Q1), ("year", date(2024, 1, 1))]
    first = reports_remind(today=date(2025, 4, 1))  # Q1 2025 is due 7 April: 6 days ahead, no reminder on that day
    assert first.opened == 2 * centres and first.reminded == 0
    assert first.overdue == centres  # the 2024 annual reports, due 20 December 2024, were never submitted
    assert reports_remind(today=date(2025, 4, 1)).opened == 0  # opened once
    assert reports_remind(today=date(2025, 4, 4)).reminded == centres  # 3 days ahead
    assert reports_remind(today=date(2025, 4, 4)).reminded == 0  # once
    report = IndicatorReport.objects.get(centre=_mcu(), kind="quarter", period_first=Q1)
    operator = user("pestravka_operator")
    report_submit(report=report_values_save(report=report, by=operator, entries=_manual(report)), by=operator)
    assert reports_remind(today=date(2025, 4, 6)).reminded == centres - 1  # 1 day ahead; not the submitted one
    late = reports_remind(today=date(2025, 4, 8))
    assert late.overdue == centres - 1  # the submitted one is not late; the years were marked once already
    assert reports_remind(today=date(2025, 4, 9)).overdue == 0
    tolyatti = IndicatorReport.objects.get(centre=_mcu(TOLYATTI), kind="quarter", period_first=Q1)
    assert tolyatti.is_overdue(date(2025, 4, 8)) and not tolyatti.is_overdue(date(2025, 4, 7))
    assert tolyatti.events.filter(kind=ReportEvent.Kind.OVERDUE).count() == 1
    assert StaffNotification.objects.filter(recipient=user("tolyatti_operator"),
                                            title__startswith="Отчёт не представлен в срок",
                                            title__contains="I квартал 2025").count() == 1


def test_the_consolidated_table_the_exports_and_who_sees_what(client):
    operator = user("pestravka_operator")
    report = report_open(centre=_mcu(), kind="quarter", first=Q1, by=operator)
    report = report_submit(report=report_values_save(report=report, by=operator, entries=_manual(report)),
                           by=operator)
    client.force_login(user("cur_operator"))
    page = client.get(reverse("reports:indicators"), {"kind": "quarter", "first": "2025-01-01"})
    table = page.context["table"]
    assert [row.centre.municipality.oktmo for row in table.rows if row.report] == [PESTRAVKA]
    assert len(table.rows) == Centre.objects.filter(level="municipal", region__code="samara").count()
    book = load_workbook(io.BytesIO(client.get(reverse("reports:indicators_export"),
                                               {"kind": "quarter", "first": "2025-01-01"}).content))
    sheet = book["Показатели МЦУ"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("МЦУ", "Статус", "Срок") and len(rows) == 1 + len(table.rows)
    assert any(r[1] == "направлен в ЦУР" for r in rows[1:])

    url = report.get_absolute_url()
    for username, status in (("pestravka_head", 200), ("cur_curator", 200), ("tolyatti_operator", 404),
                             ("pestravka_zhkh", 404), ("executor_pestravka_zhkh", 404), ("cur_integrator", 404)):
        client.force_login(user(username))
        assert client.get(url).status_code == status, username
        assert client.get(reverse("reports:indicator_export", args=[report.pk, "xlsx"])).status_code == status
    client.force_login(user("tolyatti_operator"))
    mine = client.get(reverse("reports:indicators")).context["mine"]
    assert list(mine) == []  # a МЦУ sees its own reports only
    client.force_login(user("pestravka_head"))
    document = Document(io.BytesIO(client.get(reverse("reports:indicator_export", args=[report.pk, "docx"])).content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "12" in cells and any("предварительный" in p.text for p in document.paragraphs)
