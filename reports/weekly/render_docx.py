"""The weekly note as a DOCX (python-docx): the outline's sections, its tables, the charts as pictures and the
links to the appeals behind each figure. Every text is ours or was masked when the figures were built."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports.weekly import outline
from reports.weekly.charts import all_charts
from reports.weekly.words import number, percent, signed


def _link(paragraph, text: str, url: str) -> None:
    """A hyperlink run (python-docx has no API for one: the relationship and the w:hyperlink element by hand)."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1C4396")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([colour, underline])
    run.append(props)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def _table(document, head: list[str], rows: list[tuple]) -> None:
    if not rows:
        document.add_paragraph("Нет данных за неделю.").italic = True
        return
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = str(text)
            if index:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT if str(text)[:1].isdigit() else None


def _picture(document, png: bytes, width_cm: float = 16) -> None:
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))


def note_docx(note) -> bytes:
    f = note.figures
    charts = all_charts(f)
    document = Document()
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)

    title = document.add_heading(outline.TITLE, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in outline.heading(note):
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    status = document.add_paragraph("Утверждена" if note.is_final else "Черновик — не утверждена")
    status.alignment = WD_ALIGN_PARAGRAPH.CENTER
    status.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)

    titles = dict(outline.SECTIONS)
    document.add_heading(titles["summary"], level=1)
    document.add_paragraph(note.summary or "—")

    document.add_heading(titles["key"], level=1)
    _table(document, ["Показатель", "За неделю", "Изменение / пояснение"], outline.key_rows(f))
    document.add_paragraph()
    _table(document, ["Канал", "За неделю", "Неделей ранее", "Изменение"], outline.channel_rows(f))
    _picture(document, charts["channels"])
    paragraph = document.add_paragraph("Обращения недели в очереди: ")
    _link(paragraph, "открыть список", f["key"]["urls"]["received"])

    document.add_heading(titles["topics"], level=1)
    _table(document, ["Тематика", "Обращений", "Доля", "Изменение"], outline.sector_rows(f))
    _picture(document, charts["sectors"], 15)
    for sector in f["sectors"]:
        paragraph = document.add_paragraph(style="List Bullet")
        _link(paragraph, sector["name"], sector["url"])
        paragraph.add_run(f" — {number(sector['received'])} ({signed(sector['change_pct'])}). Подтемы: " + "; ".join(
            f"{s['name']} — {number(s['received'])} ({signed(s['change_pct'])})" for s in sector["subtopics"]))
        if sector["problems"]:
            document.add_paragraph("Типичные проблемы:")
            for problem in sector["problems"]:
                item = document.add_paragraph(style="List Number")
                _link(item, problem["title"], problem["url"])
                where = ", ".join(p for p in (problem["municipality"], problem["address"]) if p)
                item.add_run(f" — {where}; за неделю {number(problem['week_count'])}" if where
                             else f" — за неделю {number(problem['week_count'])}")

    document.add_heading(titles["territories"], level=1)
    document.add_paragraph(f"Тепловая карта недели: {f['territories']['measure'].lower()}.")
    _picture(document, charts["heatmap"], 14)
    _table(document, ["Тематика", "Где больше всего обращений"], outline.place_rows(f))

    document.add_heading(titles["situations"], level=1)
    _table(document, ["Неделя", "Вид", "Тематика", "МО", "Обращений", "Ожидалось", "Статус"],
           outline.situation_rows(f))

    document.add_heading(titles["quality"], level=1)
    _table(document, ["Показатель", "Значение"], outline.quality_rows(f))
    document.add_paragraph("Органы в красной зоне рейтинга недели:")
    _table(document, ["Орган", "Балл", "Поступило", "С нарушением срока"], outline.red_rows(f))

    document.add_heading(titles["repeats"], level=1)
    long_running = f["long_running"]
    paragraph = document.add_paragraph(f"Повторное рассмотрение за неделю: {number(long_running['repeats'])}. ")
    _link(paragraph, "Список", long_running["repeats_url"])
    paragraph = document.add_paragraph(
        f"В работе дольше {long_running['days']} дней: {number(long_running['count'])}. ")
    _link(paragraph, "Список", long_running["url"])
    for item in long_running["oldest"]:
        bullet = document.add_paragraph(style="List Bullet")
        _link(bullet, f"№ {item['number']}", item["url"])
        bullet.add_run(f" — {item['days']} дн.: {item['title']}")

    document.add_heading(titles["tracks"], level=1)
    tracks = f["fast_tracks"]
    document.add_paragraph(
        f"По механизмам ускоренного решения — {percent(tracks['share'])} обращений недели "
        f"({number(tracks['handled'])} из {number(tracks['received'])}), в срок механизма "
        f"{percent(tracks['on_time_share'])}, повторно {percent(tracks['repeat_share'])}.")
    _table(document, ["Механизм", "Кто решает", "Срок, дн.", "Обращений", "С нарушением срока"],
           outline.track_rows(f))
    if not f["roadmaps"]:
        document.add_paragraph("Дорожных карт в работе нет.")
    for roadmap in f["roadmaps"]:
        item = document.add_paragraph(style="List Bullet")
        _link(item, roadmap["name"], roadmap["url"])
        item.add_run(f" — {roadmap['territory']}, {roadmap['status']}; выполнено {roadmap['done']} из "
                     f"{roadmap['total']}" + (f"; просрочены: {', '.join(roadmap['missed'])}" if roadmap["missed"]
                                              else ""))

    document.add_heading(titles["proposals"], level=1)
    document.add_paragraph(note.proposals or "—")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
