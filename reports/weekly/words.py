"""The note's numbers and sentences in Russian, shared by the page, the DOCX and the PDF."""

from __future__ import annotations

from datetime import date

NBSP = "\u00a0"


def number(value) -> str:
    """«12 345» (a no-break space between thousands); «—» for nothing."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", NBSP).replace(".", ",")
    return f"{int(value):,}".replace(",", NBSP)


def percent(value) -> str:
    return "—" if value is None else f"{number(round(value, 1))}{NBSP}%"


def signed(value) -> str:
    """A change against the week before: «+12,5 %», «−3 %», «—» where the week before had nothing."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number(round(abs(value), 1))}{NBSP}%"


def plural(n: int, one: str, few: str, many: str) -> str:
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def appeals_word(n: int) -> str:
    return plural(n, "обращение", "обращения", "обращений")


def day(value: str) -> str:
    return date.fromisoformat(value).strftime("%d.%m.%Y")


def summary_of(figures: dict) -> str:
    """The section «Главное за неделю» as the figures tell it; the author edits it before the note is final."""
    key = figures["key"]
    sentences = []
    received = key["received"]
    change = signed(key["change_pct"])
    sentences.append(
        f"За неделю поступило {number(received)} {appeals_word(received)}"
        + (f" ({change} к предыдущей неделе, тогда {number(key['received_before'])})." if key["change_pct"] is not None
           else "."))
    if key["channels"]:
        sentences.append("По каналам: " + ", ".join(
            f"{c['label']} — {number(c['received'])}" for c in key["channels"][:4]) + ".")
    sentences.append(f"Дан ответ на {number(key['answered'])}, в работе {number(key['open'])}, "
                     f"с нарушением срока {number(key['late'])}.")
    sectors = figures["sectors"][:3]
    if sectors:
        sentences.append("Больше всего обращений — " + "; ".join(
            f"«{s['name']}» ({number(s['received'])}, {signed(s['change_pct'])})" for s in sectors) + ".")
    situations = figures["situations"]
    if situations:
        new = [s for s in situations if s["week"] == figures["period"]["first"]]
        sentences.append(f"Выявлено всплесков и конфликтных ситуаций за неделю: {len(new)}"
                         + (f", в том числе «{new[0]['subtopic']}» — {new[0]['municipality']} "
                            f"({new[0]['count']} при ожидаемых {number(new[0]['baseline'])})." if new else "."))
    red = figures["quality"]["red_zone"]
    if red:
        sentences.append("В красной зоне рейтинга: " + ", ".join(r["name"] for r in red[:3]) + ".")
    return " ".join(sentences)
