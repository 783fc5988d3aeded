"""Signs of 59-ФЗ ст. 11 found in an appeal — hints for the operator, never a decision:

- no_name_or_address (ч. 1): no surname of the citizen, or neither a postal nor an e-mail address
  to answer to; judged only when the item carries the citizen's details (a 59-ФЗ обращение);
- obscene_or_threatening (ч. 3): obscene or insulting words, threats to life, health or property;
- unreadable (ч. 4): too little text that is made of real words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from structuring.lemmas import Token, is_known_word

NO_NAME_OR_ADDRESS = "no_name_or_address"
OBSCENE_OR_THREATENING = "obscene_or_threatening"
UNREADABLE = "unreadable"
# How the card's timeline names each sign (structuring.services.auto_event_words).
LEGAL_FLAG_LABELS = {
    NO_NAME_OR_ADDRESS: "не указаны фамилия или адрес для ответа (ч. 1)",
    OBSCENE_OR_THREATENING: "нецензурные или оскорбительные выражения, угрозы (ч. 3)",
    UNREADABLE: "текст не поддаётся прочтению (ч. 4)",
}

# Roots at the start of a word, so «употребление» or «оскорблять» never match.
_OBSCENE = re.compile(
    r"(?<![а-яё])(?:(?:на|по|за|от|ни|о|а|вы|рас|раз)?ху[йеёяи]|(?:с|рас|рос|вы|за|на|от|пере|при|у)?пизд|"
    r"(?:за|у|вы|на|от|под|раз|съ|до|пере|при|про)?[её]б(?:а[нлт]|ан|у[тч]?|л[оаи]|ище|ись|ну|ыв|ош|уч)|"
    r"бля(?:д|ть|ха|\b)|мудак|мудил|муда[кч]|пид[оа]р|гандон|залуп|шлюх|сук[аиу]\b|сучар|мраз[ьи]|"
    r"твар[ьи]\b|ублюд|гнид[аы]|скотин|дебил|урод[ыаов]*\b|сволоч|падл[аы]|выродк|дегенерат)",
    re.I)
_THREAT = re.compile(
    r"(?<![а-яё])(?:убь[юеё]|убить|урою|уроем|пристрел|застрел|зареж|прирежу|сожгу|сожж[её]м|спалю|подожгу|"
    r"подожж[её]м|взорв[уеё]|прибь[юеё]|закопа[юе]|голов[уы] (?:оторв|откруч|проломл)|"
    r"(?:ноги|руки) (?:переломаю|оторву|поломаю)|пожалеете|ответите кровью|вам не жить|кровью умоетесь)",
    re.I)
MIN_WORDS = 3
KNOWN_SHARE = 0.5


@dataclass(frozen=True)
class Citizen:
    name: str = ""
    address: str = ""
    email: str = ""


def legal_flags(text: str, toks: list[Token], *, citizen: Citizen | None = None) -> list[str]:
    """ст. 11 signs of one cleaned text, in a stable order."""
    flags = []
    if citizen is not None and (not _has_surname(citizen.name) or not (citizen.address.strip()
                                                                        or "@" in citizen.email)):
        flags.append(NO_NAME_OR_ADDRESS)
    if _OBSCENE.search(text) or _THREAT.search(text):
        flags.append(OBSCENE_OR_THREATENING)
    if unreadable(toks):
        flags.append(UNREADABLE)
    return flags


def _has_surname(name: str) -> bool:
    return any(len(part) >= 2 and part[0].isalpha() for part in (name or "").replace(".", " ").split())


def unreadable(toks: list[Token]) -> bool:
    """Fewer than three real words, or most of the words are not Russian words at all
    (a wrong keyboard layout, letters typed at random, a broken encoding)."""
    words = [t.lower for t in toks if t.is_word and len(t.lower) > 1]
    if len(words) < MIN_WORDS:
        return True
    sample = words[:60]
    known = sum(1 for w in sample if is_known_word(w) and not _gibberish(w))
    return known < KNOWN_SHARE * len(sample)


_VOWELS = set("аеёиоуыэюяaeiouy")


def _gibberish(word: str) -> bool:
    """A word with no vowels or a long run of consonants: typed at random."""
    if len(word) < 4:
        return False
    run = longest = 0
    for ch in word:
        run = 0 if ch in _VOWELS else run + 1
        longest = max(longest, run)
    return longest >= 5 or not (_VOWELS & set(word))
