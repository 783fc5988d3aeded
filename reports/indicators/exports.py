"""The indicator reports as files: the ЦУР's consolidated table and a МЦУ's own report in XLSX (neutralised like
every export, cur/spreadsheets.py), and a МЦУ's report in DOCX for signing."""

from __future__ import annotations

import io
from datetime import date

from django.utils import timezone
from docx import Document
from docx.shared import Cm, Pt

from cur.spreadsheets import xlsx_report
from reports.indicators.selectors import Consolidated, report_lines
from reports.models import Indicator, IndicatorReport

PRELIMINARY = "Перечень показателей предварительный: официальный перечень (приложение № 1 к правилам " \
              "постановления Правительства РФ № 1844) ещё не загружен."


def decimal_text(value) -> str:
    """«12,5», «8», «—»: a stored Decimal as people write it."""
    return "—" if value is None else f"{value.normalize():f}".replace(".", ",")


def _number(value):
    return None if value is None else float(value)


def consolidated_xlsx(table: Consolidated, *, region, today: date) -> bytes:
    head = ["МЦУ", "Статус", "Срок", "Направлен", "Просрочен", *[f"{i.name}, {i.unit}" for i in table.indicators]]
    rows = [head]
    for row in table.rows:
        rows.append([row.centre.short_name, row.status, row.due,
                     timezone.localtime(row.report.submitted_at).replace(tzinfo=None)
                     if row.report and row.report.submitted_at else None,
                     "да" if row.is_overdue(today) else "нет",
                     *[_number(v.value) if v else None for v in row.cells]])
    about = [("Сводная таблица", f"показатели МЦУ, {region.name}"), ("Период", table.label),
             ("Срок представления", f"{table.rows[0].due:%d.%m.%Y}" if table.rows else "—"),
             ("Представили", sum(1 for r in table.rows if r.report and not r.report.is_open)),
             ("Всего МЦУ", len(table.rows))]
    if any(i.is_preliminary for i in table.indicators):
        about.append(("Перечень", PRELIMINARY))
    return xlsx_report(about_title="О таблице", about=about, table_title="Показатели МЦУ", rows=rows,
                       widths={0: 40, 1: 22})


def report_xlsx(report: IndicatorReport, *, personal: bool) -> bytes:
    rows = [["Код", "Показатель", "Единица", "Значение", "Цель", "Как получено", "Комментарий"]]
    for line in report_lines(report, personal=personal):
        i = line.indicator
        rows.append([i.code, i.name, i.unit, _number(line.value.value), _number(i.target), i.get_method_display(),
                     line.value.comment])
    about = [("Отчёт", str(report)), ("Срок представления", report.due_date), ("Статус", report.get_status_display())]
    if report.return_reason and report.status == IndicatorReport.Status.RETURNED:
        about.append(("Причина возврата", report.return_reason))
    return xlsx_report(about_title="Об отчёте", about=about, table_title="Показатели", rows=rows,
                       widths={1: 60, 6: 50})


def report_docx(report: IndicatorReport, *, personal: bool) -> bytes:
    document = Document()
    document.styles["Normal"].font.name, document.styles["Normal"].font.size = "Times New Roman", Pt(12)
    document.sections[0].left_margin = document.sections[0].right_margin = Cm(2)
    document.add_heading(f"Отчёт о значениях показателей: {report.period_label}", level=1)
    document.add_paragraph(f"{report.centre.name}. Срок представления — {report.due_date:%d.%m.%Y}. "
                           f"Статус: {report.get_status_display()}.")
    lines = report_lines(report, personal=personal)
    if any(line.indicator.is_preliminary for line in lines):
        document.add_paragraph(PRELIMINARY).italic = True
    table = document.add_table(rows=1, cols=5)
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, ["Показатель", "Единица", "Значение", "Цель", "Комментарий"],
                          strict=True):
        cell.text = text
    for line in lines:
        i, v = line.indicator, line.value
        cells = table.add_row().cells
        cells[0].text, cells[1].text = i.name, i.unit
        cells[2].text, cells[3].text = decimal_text(v.value), decimal_text(i.target)
        cells[4].text = v.comment + (" (рассчитано по сводкам)" if i.method == Indicator.Method.COMPUTED else "")
    document.add_paragraph()
    document.add_paragraph("Руководитель МЦУ ____________________ / ____________________ /")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
