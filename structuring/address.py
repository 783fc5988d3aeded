"""Street and house of the problem: «ул. Молодёжная, д. 5», «на Молодежной 5», «пр-т Ленина 12/1»."""

from __future__ import annotations

import re
from dataclasses import dataclass

from structuring.lemmas import morph

_STREET_TYPES = {
    "ул": "ул.", "улица": "ул.", "пр": "пр-т", "пр-т": "пр-т", "пр-кт": "пр-т", "просп": "пр-т",
    "проспект": "пр-т", "пер": "пер.", "переулок": "пер.", "б-р": "б-р", "бульвар": "б-р", "ш": "ш.",
    "шоссе": "ш.", "пр-д": "пр-д", "проезд": "пр-д", "пл": "пл.", "площадь": "пл.", "мкр": "мкр",
    "микрорайон": "мкр", "наб": "наб.", "набережная": "наб.", "туп": "туп.", "тупик": "туп.",
}
_TYPE_WORD = (r"(?P<type>(?i:ул|улиц[аеуы]|улицей|пр-кт|пр-т|просп|проспект[еау]?|пр(?=\.)|пер|переул(?:ок|ке|ка)|б-р|"
              r"бульвар[еа]?|ш(?=\.)|шоссе|пр-д|проезд[еа]?|пл(?=\.)|площад[ьи]|мкр|микрорайон[еа]?|наб|"
              r"набережн(?:ая|ой)|туп|тупик[еа]?))")
_NAME = (r"(?P<name>(?:\d{1,3}\s+лет\s+|\d{1,3}-?(?:го|я|й|летия)?\s+)?[А-ЯЁA-Zа-яё][а-яёa-z\-]+"
         r"(?:\s+(?:[А-ЯЁ][а-яё\-]+|лет|им\.|имени))*)")
_HOUSE = (r"(?:\s*,?\s*(?:(?:д|дом|здание|зд)\.?\s*(?:№\s*)?)?(?P<house>\d{1,4}(?:\s?[а-вА-В](?![а-яё]))?"
          r"(?:\s?[/\\]\s?\d{1,3})?)(?:\s*,?\s*(?:корп(?:ус)?|к|стр(?:оение)?)\.?\s*(?P<block>\d{1,2}))?)?")
_WITH_TYPE = re.compile(rf"(?<![а-яё]){_TYPE_WORD}(?![а-яёА-ЯЁ])\.?\s*{_NAME}{_HOUSE}")
# «Московское шоссе, 18», «Юбилейный проезд 4»: the type word after the name
_TYPE_AFTER = re.compile(
    r"(?P<name>[А-ЯЁ][а-яё\-]+(?:ое|ий|ый|ой|ая))\s+(?P<type>шоссе|проспект|бульвар|переулок|проезд|улица|тупик)"
    + _HOUSE)
# «на Молодежной 5», «по Ленина, 12»: a capitalised word right before a house number
_WITHOUT_TYPE = re.compile(
    r"(?<![а-яёА-ЯЁ])(?:на|по|в районе|около|возле|у)\s+(?P<name>[А-ЯЁ][а-яё\-]+(?:ой|ей|ая|ого|ова|ева|ина|ына|"
    r"ского|ская|ской))\s*,?\s*(?:д\.?\s*|дом\s+)?(?P<house>\d{1,4}(?:\s?[а-в](?![а-яё]))?(?:/\d{1,3})?)(?!\d)(?![.,:]\d)")


@dataclass(frozen=True)
class Address:
    street: str  # «ул. Молодёжная»
    house: str  # «5», «12/1», «7а», «3 к. 2»; empty when not given

    def __str__(self) -> str:
        return f"{self.street}, д. {self.house}" if self.house else self.street


def _nominative(name: str) -> str:
    """«Молодежной» → «Молодежная»: a street adjective in the nominative; other names stay."""
    words = name.split()
    last = words[-1]
    for p in morph().parse(last.lower()):
        if "ADJF" in p.tag and p.tag.gender == "femn" and p.tag.case != "nomn":
            form = p.inflect({"nomn", "femn", "sing"})
            if form:
                words[-1] = form.word.capitalize()
            break
        if "ADJF" in p.tag:
            break
    return " ".join(words)


def find_address(text: str, *, shouting: bool | None = None) -> Address | None:
    """The first street (and house) named in the text, or None. A shouted text is read in lower case."""
    if shouting or (shouting is None and text.isupper()):
        text = text.lower()
    match = _WITH_TYPE.search(text)
    if match:
        kind = match.group("type").lower()
        kind = _STREET_TYPES.get(kind) or _STREET_TYPES.get(re.sub(r"(е|у|ы|а|ей|ке|ка|ой)$", "", kind), "ул.")
        if kind.startswith("пр") and kind not in ("пр-т", "пр-д"):
            kind = "пр-т"
        name = _nominative(match.group("name").strip())
        name = name[:1].upper() + name[1:]
        house = _house(match.group("house"), match.group("block"))
        return Address(f"{kind} {name}", house)
    match = _TYPE_AFTER.search(text)
    if match:
        kind = _STREET_TYPES.get(match.group("type").lower(), "ул.")
        return Address(f"{kind} {match.group('name')}", _house(match.group("house"), match.group("block")))
    match = _WITHOUT_TYPE.search(text)
    if match:
        return Address(f"ул. {_nominative(match.group('name'))}", _house(match.group("house"), None))
    return None


def _house(house: str | None, block: str | None) -> str:
    if not house:
        return ""
    house = re.sub(r"\s+", "", house).lower()
    return f"{house} к. {block}" if block else house
