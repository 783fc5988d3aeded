"""Personal data in a text (152-ФЗ): phones, e-mails, people's names, СНИЛС and passport numbers —
found so that they can be masked for the roles that must not see them (cur/scoping.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from structuring.lemmas import Token, morph, tokens

PHONE = "phone"
EMAIL = "email"
NAME = "name"
SNILS = "snils"
PASSPORT = "passport"
MASKS = {PHONE: "[телефон]", EMAIL: "[e-mail]", NAME: "[ФИО]", SNILS: "[СНИЛС]", PASSPORT: "[паспорт]"}

_PATTERNS = [
    (EMAIL, re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (SNILS, re.compile(r"(?<!\d)\d{3}-\d{3}-\d{3}[ -]\d{2}(?!\d)")),
    (PASSPORT, re.compile(r"(?i:паспорт\w*)[^\d\n]{0,25}\d{2}\s?\d{2}\s?(?:№\s*)?\d{6}(?!\d)")),
    (PHONE, re.compile(r"(?<![\d\w])(?:\+7|8|7)?[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")),
    # «Иванов И.И.», «И.И. Иванов»
    (NAME, re.compile(r"\b[А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын|ский|цкий|ова|ева|ёва|ина|ына|ская|цкая)\s+[А-ЯЁ]\.\s?[А-ЯЁ]\."
                      r"|\b[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+(?:ов|ев|ин|ын|ский|ова|ева|ина|ская)\b")),
]


_TWO_CAPITALISED = re.compile(r"[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


def find_personal_data(text: str, toks: list[Token] | None = None) -> list[Span]:
    """Spans of personal data, sorted and not overlapping; `toks` are the text's tokens if already made."""
    spans = [Span(kind, m.start(), m.end(), m.group(0).strip()) for kind, pattern in _PATTERNS
             for m in pattern.finditer(text)]
    if toks is not None or _TWO_CAPITALISED.search(text):  # a full name needs two such words in a row
        spans += _full_names(tokens(text) if toks is None else toks)
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    result: list[Span] = []
    for span in spans:
        if result and span.start < result[-1].end:
            continue
        result.append(span)
    return result


_parts: dict[str, str] = {}


def _name_part(tok: Token) -> str | None:
    """Surn / Name / Patr when a capitalised word can be one, else None."""
    if not tok.is_word or not tok.text[:1].isupper() or tok.text.isupper() or len(tok.text) < 2:
        return None
    part = _parts.get(tok.lower)
    if part is None:
        if len(_parts) > 100_000:
            _parts.clear()
        part = next((part for p in morph().parse(tok.lower)[:3] for part in ("Patr", "Surn", "Name")
                     if part in p.tag), "")
        _parts[tok.lower] = part
    return part or None


def _full_names(toks: list[Token]) -> list[Span]:
    """Two or three name words in a row with a patronymic or a given name and a surname among them
    («Петрова Анна Сергеевна», «Анна Сергеевна», «Иван Петров»)."""
    spans, i = [], 0
    while i < len(toks):
        parts = []
        j = i
        while j < len(toks) and len(parts) < 3:
            part = _name_part(toks[j])
            if part is None:
                break
            parts.append(part)
            j += 1
        if len(parts) >= 2 and ("Patr" in parts or ("Name" in parts and "Surn" in parts)):
            end = toks[j - 1].start + len(toks[j - 1].text)
            spans.append(Span(NAME, toks[i].start, end, " ".join(t.text for t in toks[i:j])))
            i = j
        else:
            i += 1
    return spans


def mask_personal_data(text: str, spans: list[Span] | None = None, *, replacement: str | None = None) -> str:
    """The text with every personal-data span replaced by its mask («[телефон]», «[ФИО]» …),
    or by `replacement` when given (the search index cuts them out with a space)."""
    spans = find_personal_data(text) if spans is None else spans
    out, last = [], 0
    for span in spans:
        out.append(text[last:span.start])
        out.append(MASKS[span.kind] if replacement is None else replacement)
        last = span.end
    out.append(text[last:])
    return "".join(out)
