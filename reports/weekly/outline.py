"""The note's sections in their order and the rows of its tables — one outline that the page, the DOCX and the
PDF all follow, so the three never differ in what they say."""

from __future__ import annotations

from reports.weekly.words import day, number, percent, signed

SECTIONS = (
    ("summary", "1. Главное за неделю"),
    ("key", "2. Основные показатели"),
    ("topics", "3. Тематики и типичные проблемы"),
    ("territories", "4. Территории"),
    ("situations", "5. Всплески и конфликтные ситуации"),
    ("quality", "6. Качество работы"),
    ("repeats", "7. Повторные жалобы и долгие обращения"),
    ("tracks", "8. Дорожные карты и ускоренное решение"),
    ("proposals", "9. Предложения"),
)
TITLE = "Еженедельная аналитическая записка"


def heading(note) -> list[str]:
    f = note.figures
    territory = f["territory"]
    place = territory["municipality"] or territory["region"]
    period = f"{day(f['period']['first'])} – {day(f['period']['last'])}"
    return [territory["centre"], f"{place}, неделя {period}",
            f"Сравнение с неделей {day(f['period']['compared_first'])} – {day(f['period']['compared_last'])}"]


def key_rows(f: dict) -> list[tuple[str, str, str]]:
    key = f["key"]
    return [
        ("Поступило", number(key["received"]), f"{signed(key['change_pct'])} (было {number(key['received_before'])})"),
        ("Дан ответ", number(key["answered"]), ""),
        ("В работе", number(key["open"]), "из поступивших за неделю"),
        ("С нарушением срока", number(key["late"]), ""),
        ("Поступило больше, чем отвечено", number(key["backlog"]), "рост очереди за неделю" if key["backlog"] > 0
         else "очередь не растёт"),
    ]


def channel_rows(f: dict) -> list[tuple[str, str, str, str]]:
    return [(c["label"], number(c["received"]), number(c["before"]), signed(c["change_pct"]))
            for c in f["key"]["channels"]]


def sector_rows(f: dict) -> list[tuple[str, str, str, str]]:
    return [(s["name"], number(s["received"]), percent(s["share_pct"]), signed(s["change_pct"])) for s in f["sectors"]]


def place_rows(f: dict) -> list[tuple[str, str]]:
    return [(s["sector"], "; ".join(f"{p['name']} — {number(p['received'])}" for p in s["places"]))
            for s in f["territories"]["by_sector"]]


def situation_rows(f: dict) -> list[tuple[str, ...]]:
    return [(f"с {day(s['week'])}", s["kind"], s["subtopic"], s["municipality"], number(s["count"]),
             number(s["baseline"]), s["status"]) for s in f["situations"]]


def quality_rows(f: dict) -> list[tuple[str, str]]:
    q = f["quality"]
    return [
        ("Медиана срока ответа ПОС", q["answer_days"]),
        ("Медиана первого ответа в соцсетях", q["first_hours"]),
        ("Без нарушения срока", q["on_time"]),
        ("Удовлетворены ответом", f"{q['satisfied']} ({q['satisfied_hint']})"),
        ("По механизмам ускоренного решения", q["fast_track"]),
        ("Ответов возвращено на доработку или с замечаниями", number(q["returns"])),
    ]


def red_rows(f: dict) -> list[tuple[str, str, str, str]]:
    return [(r["name"], "—" if r["score"] is None else number(r["score"]), number(r["received"]), number(r["late"]))
            for r in f["quality"]["red_zone"]]


def track_rows(f: dict) -> list[tuple[str, str, str, str, str]]:
    return [(line["name"], line["agency"], number(line["deadline_days"]), number(line["handled"]),
             number(line["late"])) for line in f["fast_tracks"]["lines"]]
