"""Personal data in a text (152-ФЗ): phones, e-mails, people's names, СНИЛС and passport numbers, home
addresses — found so that they can be masked for the roles that must not see them (appeals/privacy.py).

A home address is a flat («ул. Ленина, д. 10, кв. 5», «кв. 12») or an address the citizen says they
live at («проживаю по адресу …», «частный дом …»). A street and a house alone («яма у дома 5 по
ул. Молодёжной») is the place of a problem, not personal data: operators route by it and every role
sees it. The address patterns are anchored on rare words (кв, квартира, the phrases of a home), so a
text without them costs one scan each (intake structures ≥ 200 texts a second per core)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from structuring.lemmas import Token, morph, tokens

PHONE = "phone"
EMAIL = "email"
NAME = "name"
SNILS = "snils"
PASSPORT = "passport"
ADDRESS = "address"
MASKS = {PHONE: "[телефон]", EMAIL: "[e-mail]", NAME: "[ФИО]", SNILS: "[СНИЛС]", PASSPORT: "[паспорт]",
         ADDRESS: "[адрес]"}

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

# --- home addresses -----------------------------------------------------------------------------
_STREET_TYPE = (r"(?i:ул(?:ица|ице|ицы)?|пр-кт|пр-т|просп(?:ект)?|пер(?:еулок|еулке)?|б-р|бульвар|ш|шоссе|пр-д|"
                r"проезд|пл|площадь|мкр|микрорайон|наб|набережная|туп|тупик)")
# «ул. Ленина», «улица 50 лет Октября», «Садовой» (a street named without its type)
_STREET = (rf"(?:(?<![А-ЯЁа-яё]){_STREET_TYPE}(?![А-ЯЁа-яё])\.?\s*[А-ЯЁа-яё0-9][А-ЯЁа-яё0-9\-]*"
           r"(?:\s+[А-ЯЁ][а-яё\-]+){0,2}|(?<![А-ЯЁа-яё])[А-ЯЁ][а-яё\-]+)")
# «д. 10», «дом № 4», «12/1», «3а», «3, корп. 2»
_HOUSE = (r"(?:(?<![А-ЯЁа-яё])(?i:д|дом)\.?\s*(?:№\s*)?|(?<![\d/]))\d{1,4}(?:\s?[а-вА-В](?![А-ЯЁа-яё]))?"
          r"(?:\s?/\s?\d{1,3})?(?![\d]|[.,]\d)(?:\s*,?\s*(?i:корп(?:ус)?|к|стр(?:оение)?)\.?\s*\d{1,3}(?!\d))?")
_FLAT_NUMBER = r"\s*(?:№\s*)?\d{1,4}(?:\s?[а-вА-В](?![А-ЯЁа-яё]))?(?!\d)"
# «кв. 5» always names a flat; «квартира 5» only after a house («Садовая 12, квартира 34»), since
# «квартира 2024 года постройки» does not.
_FLAT = re.compile(rf"(?<![А-ЯЁа-яё])(?:(?P<short>(?i:кв)(?:\.|-ра\b|\b))|(?i:квартир[аеуы])\b){_FLAT_NUMBER}")
_BEFORE_FLAT = re.compile(rf"(?:{_STREET}\s*,?\s*)?{_HOUSE}\s*,?\s*$")
_LOOK_BEHIND = 80
# The phrases by which a citizen gives their own address; the address runs from there to its house
# number (with a block and a flat), at most 100 characters on, never past the end of a sentence
# (a dot after a word of five letters or more: «ул.», «обл.», «д.» do not end one). A bare «живу» or
# «проживаю» counts only before a street or a house («живу на ул. …», «проживаю в доме …»), not
# before a village («мы живём в Пестравке»).
_HOME = re.compile(
    r"(?<![А-ЯЁа-яё])(?i:(?:прожива\w*|зарегистрирован\w*|прописан\w*)\s+по\s+адресу|"
    r"(?:прожива(?:ю|ем)|жив(?:у|ём|ем))(?=\s+(?:по|на|в)\s+(?:(?:ул|улиц\w*|пр-т|просп\w*|пер\w*|"
    r"ш|шоссе|пр-д|проезд\w*|пл|площад\w*|мкр|микрорайон\w*|наб\w*|туп\w*)[.\s]|д\.|дом\w*\s|кв))|"
    r"адрес\w*\s+(?:проживания|регистрации|места\s+жительства|для\s+ответа)|"
    r"(?:мой|наш|домашн\w*|почтов\w*)\s+адрес\w*|мест[оау]\s+жительства|частн\w*\s+дом\w*)(?![А-ЯЁа-яё])"
    rf"[\s:–—-]*(?P<address>(?:[^\n;!?.]|(?<![А-ЯЁа-яё]{{5}})\.){{0,100}}?{_HOUSE}"
    rf"(?:\s*,?\s*(?i:кв(?:артира)?)\.?{_FLAT_NUMBER})?)"
)


def _home_addresses(text: str) -> list[Span]:
    spans = []
    for match in _HOME.finditer(text):
        start, end = match.span("address")
        spans.append(Span(ADDRESS, start, end, match.group("address")))
    for match in _FLAT.finditer(text):
        window = max(0, match.start() - _LOOK_BEHIND)
        before = _BEFORE_FLAT.search(text, window, match.start())
        if before is None and not match.group("short"):
            continue
        start = before.start() if before else match.start()
        spans.append(Span(ADDRESS, start, match.end(), text[start:match.end()]))
    return spans


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


def find_personal_data(text: str, toks: list[Token] | None = None, *, also: list[Span] = ()) -> list[Span]:
    """Spans of personal data, sorted and not overlapping; `toks` are the text's tokens if already made,
    `also` what another finder saw (the NER model's persons)."""
    spans = [Span(kind, m.start(), m.end(), m.group(0).strip()) for kind, pattern in _PATTERNS
             for m in pattern.finditer(text)]
    spans += also
    spans += _home_addresses(text)
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
