"""A roadmap as DOCX (for approval: the root cause, the evidence, the measures' table, the effect chart) and XLSX
(the measures, neutralised like every export)."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Cm, Pt
from matplotlib.figure import Figure

from cur.spreadsheets import xlsx_report
from reports.weekly.words import day

HEAD = ["№", "Мероприятие", "Ответственный", "Соисполнители", "Срок (план)", "Выполнено", "Ресурсы",
        "Ожидаемый результат", "Статус"]


def _rows(roadmap) -> list[list]:
    return [[m.number, m.action, m.responsible, m.co_executors, m.planned_date, m.actual_date, m.resources,
             m.expected_result, m.get_status_display()] for m in roadmap.measures.all()]


def effect_png(effect) -> bytes:
    figure = Figure(figsize=(6.4, 2.6))
    axes = figure.subplots()
    opened = effect.opened.replace(day=1)
    axes.bar(effect.labels, effect.counts, color=["#b8c2d6" if m < opened else "#1c4396" for m in effect.months])
    axes.set_ylabel("обращений")
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    axes.set_title(f"До и после открытия ({effect.opened:%d.%m.%Y})", fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    return buffer.getvalue()


def roadmap_docx(roadmap, effect) -> bytes:
    document = Document()
    document.styles["Normal"].font.name, document.styles["Normal"].font.size = "Times New Roman", Pt(12)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(1.5)
    document.add_heading(f"Дорожная карта: {roadmap.title}", level=1)
    topic = roadmap.subtopic.name if roadmap.subtopic else roadmap.sector.name
    document.add_paragraph(f"{roadmap.centre.name}. Территория: {roadmap.municipality.name}; тематика: {topic}. "
                           f"Открыта {roadmap.opened_on:%d.%m.%Y} ({roadmap.get_origin_display()}); статус: "
                           f"{roadmap.get_status_display()}.")
    if roadmap.agency:
        document.add_paragraph(f"Ответственный орган: {roadmap.agency.name}.")
    document.add_heading("Корневая причина", level=2)
    document.add_paragraph(roadmap.root_cause)
    evidence = roadmap.evidence
    document.add_heading("Основание", level=2)
    document.add_paragraph(f"Обращений по тематике на территории с {day(evidence['from'])} по "
                           f"{day(evidence['to'])}: {evidence.get('appeals', 0)} (зафиксировано при открытии)."
                           + (f" Ситуация: {evidence['situation']['title']}." if evidence.get("situation") else ""))
    document.add_heading("Мероприятия", level=2)
    table = document.add_table(rows=1, cols=len(HEAD))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, HEAD, strict=True):
        cell.text = text
    for row in _rows(roadmap):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = "" if value is None else (f"{value:%d.%m.%Y}" if hasattr(value, "strftime") else str(value))
    document.add_heading("Результат: обращения по месяцам", level=2)
    document.add_picture(io.BytesIO(effect_png(effect)), width=Cm(16))
    before = "—" if effect.before_mean is None else effect.before_mean
    after = "—" if effect.after_mean is None else effect.after_mean
    document.add_paragraph(f"В среднем в месяц до открытия: {before}; после: {after}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def roadmap_xlsx(roadmap) -> bytes:
    about = [("Дорожная карта", roadmap.title), ("Территория", roadmap.municipality.name),
             ("Корневая причина", roadmap.root_cause), ("Статус", roadmap.get_status_display()),
             ("Открыта", roadmap.opened_on)]
    return xlsx_report(about_title="О дорожной карте", about=about, table_title="Мероприятия",
                       rows=[HEAD, *_rows(roadmap)], widths={1: 50, 2: 30, 7: 40})
