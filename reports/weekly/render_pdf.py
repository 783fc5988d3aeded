"""The weekly note as a PDF (fpdf2, pure Python): the same outline as the DOCX, in DejaVu Sans — the Cyrillic
font that comes inside matplotlib's wheel (mpl-data/fonts/ttf, the DejaVu fonts licence), so nothing is fetched
or installed beside the Python packages."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from reports.weekly import outline
from reports.weekly.charts import all_charts
from reports.weekly.words import number, percent, signed

# fpdf2 subsets the font through fontTools, which logs every glyph table at INFO
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
BLUE = (28, 67, 150)


class NotePdf(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self.footer_text} · стр. {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 12):
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 9.5)
        self.ln(1)

    def text(self, text: str):
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT", align="L")

    def link_line(self, before: str, label: str, url: str, after: str = ""):
        self.write(5, before)
        self.set_text_color(*BLUE)
        self.write(5, label, url)
        self.set_text_color(0, 0, 0)
        self.write(5, after)
        self.ln(6)

    def grid(self, head: list[str], rows: list[tuple], widths: tuple | None = None):
        if not rows:
            self.text("Нет данных за неделю.")
            return
        self.set_font("DejaVu", "", 8.5)
        with self.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD", fill_color=(232, 237, 247)),
                        line_height=5, text_align="LEFT") as table:
            for row in (head, *rows):
                cells = table.row()
                for value in row:
                    cells.cell(str(value))
        self.set_font("DejaVu", "", 9.5)
        self.ln(2)

    def picture(self, png: bytes, width: float = 170):
        self.image(io.BytesIO(png), w=width, x=(self.w - width) / 2)
        self.ln(2)


def note_pdf(note) -> bytes:
    f = note.figures
    charts = all_charts(f)
    lines = outline.heading(note)
    pdf = NotePdf(f"{outline.TITLE} · {lines[0]}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, outline.TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in lines:
        pdf.multi_cell(0, 5.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(110, 110, 110)
    pdf.multi_cell(0, 5.5, "Утверждена" if note.is_final else "Черновик — не утверждена", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    titles = dict(outline.SECTIONS)
    pdf.heading(titles["summary"])
    pdf.text(note.summary or "—")

    pdf.heading(titles["key"])
    pdf.grid(["Показатель", "За неделю", "Изменение / пояснение"], outline.key_rows(f), (60, 30, 84))
    pdf.grid(["Канал", "За неделю", "Неделей ранее", "Изменение"], outline.channel_rows(f))
    pdf.picture(charts["channels"], 150)
    pdf.link_line("Обращения недели в очереди: ", "открыть список", f["key"]["urls"]["received"])

    pdf.heading(titles["topics"])
    pdf.grid(["Тематика", "Обращений", "Доля", "Изменение"], outline.sector_rows(f), (84, 30, 30, 30))
    pdf.picture(charts["sectors"], 150)
    for sector in f["sectors"]:
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.link_line("", sector["name"], sector["url"], f" — {number(sector['received'])} "
                                                         f"({signed(sector['change_pct'])})")
        pdf.set_font("DejaVu", "", 9.5)
        pdf.text("Подтемы: " + "; ".join(f"{s['name']} — {number(s['received'])} ({signed(s['change_pct'])})"
                                         for s in sector["subtopics"]))
        for n, problem in enumerate(sector["problems"], 1):
            where = ", ".join(p for p in (problem["municipality"], problem["address"]) if p)
            pdf.link_line(f"{n}. ", problem["title"], problem["url"],
                          f" — {where + '; ' if where else ''}за неделю {number(problem['week_count'])}")

    pdf.heading(titles["territories"])
    pdf.text(f"Тепловая карта недели: {f['territories']['measure'].lower()}.")
    pdf.picture(charts["heatmap"], 130)
    pdf.grid(["Тематика", "Где больше всего обращений"], outline.place_rows(f), (50, 124))

    pdf.heading(titles["situations"])
    pdf.grid(["Неделя", "Вид", "Тематика", "МО", "Обращений", "Ожидалось", "Статус"], outline.situation_rows(f))

    pdf.heading(titles["quality"])
    pdf.grid(["Показатель", "Значение"], outline.quality_rows(f), (90, 84))
    pdf.text("Органы в красной зоне рейтинга недели:")
    pdf.grid(["Орган", "Балл", "Поступило", "С нарушением срока"], outline.red_rows(f))

    pdf.heading(titles["repeats"])
    long_running = f["long_running"]
    pdf.link_line(f"Повторное рассмотрение за неделю: {number(long_running['repeats'])}. ", "Список",
                  long_running["repeats_url"])
    pdf.link_line(f"В работе дольше {long_running['days']} дней: {number(long_running['count'])}. ", "Список",
                  long_running["url"])
    for item in long_running["oldest"]:
        pdf.link_line("", f"№ {item['number']}", item["url"], f" — {item['days']} дн.: {item['title']}")

    pdf.heading(titles["tracks"])
    tracks = f["fast_tracks"]
    pdf.text(f"По механизмам ускоренного решения — {percent(tracks['share'])} обращений недели "
             f"({number(tracks['handled'])} из {number(tracks['received'])}), в срок механизма "
             f"{percent(tracks['on_time_share'])}, повторно {percent(tracks['repeat_share'])}.")
    pdf.grid(["Механизм", "Кто решает", "Срок, дн.", "Обращений", "С нарушением срока"], outline.track_rows(f))
    if not f["roadmaps"]:
        pdf.text("Дорожных карт в работе нет.")
    for roadmap in f["roadmaps"]:
        missed = f"; просрочены: {', '.join(roadmap['missed'])}" if roadmap["missed"] else ""
        pdf.link_line("", roadmap["name"], roadmap["url"], f" — {roadmap['territory']}, {roadmap['status']}; "
                                                           f"выполнено {roadmap['done']} из {roadmap['total']}{missed}")

    pdf.heading(titles["proposals"])
    pdf.text(note.proposals or "—")
    return bytes(pdf.output())
