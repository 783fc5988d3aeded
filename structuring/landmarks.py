"""Landmarks: a school, a clinic or a bus stop named to say *where* a problem is («возле школы № 3
огромная яма», «у остановки Поликлиника не вывозят мусор») is not the topic of the appeal.

Real streams name such places all the time as addresses of road, yard and rubbish problems, and a
word model reads «школа» as education. Before the topic model reads a text, a landmark phrase — a
spatial preposition, up to two words describing the place, the place's noun, its number or name — is
replaced by one neutral lemma, so the rest of the text decides. «У школы нет спортзала» keeps its
school: «у» is a place only when no «нет / есть / не …» follows the landmark.
"""

from __future__ import annotations

from structuring.lemmas import Token

LANDMARK = "ориентир"  # the neutral lemma the phrase becomes

# lemmas that point at a place; a tuple is a two-word preposition («рядом с», «недалеко от»)
_SPATIAL = {
    ("возле",), ("около",), ("напротив",), ("вблизи",), ("позади",), ("вдоль",), ("мимо",), ("близ",),
    ("рядом", "с"), ("рядом", "со"), ("недалеко", "от"), ("неподалеку", "от"), ("поблизости", "от"),
    ("в", "район"), ("со", "сторона"), ("с", "сторона"), ("за",), ("перед",), ("между",), ("у",),
}
_FIRST = {p[0] for p in _SPATIAL}
# «за школой» and «перед школой» are places, «за школу» (pay for) is not: these two need the
# instrumental case, which the lemma does not show, so the written form is checked
_INSTRUMENTAL_ONLY = {"за", "перед", "между"}
_INSTRUMENTAL_ENDINGS = ("ой", "ей", "ом", "ем", "ами", "ями", "ью")

LANDMARK_NOUNS = frozenset("""
школа гимназия лицей садик детсад сад ясли поликлиника больница амбулатория фап роддом госпиталь
остановка магазин аптека церковь храм мечеть тц трц рынок почта администрация дк клуб стадион вокзал
колледж техникум университет институт библиотека пятерочка магнит ашан лента бассейн каток сбербанк
банк кафе ресторан столовая заправка азс автовокзал
""".split())
# what may stand between the preposition and the noun: «возле нашей старой школы», «у детского сада»
_DESCRIBING = frozenset("""
наш ваш этот тот новый старый бывший детский городской районный сельский центральный местный
средний общеобразовательный большой маленький ближайший продуктовый
""".split())
# «у школы нет / есть / не хватает …»: the school owns something, it is the subject, not a place
_STILL_THE_TOPIC = frozenset({"нет", "есть", "нету", "отсутствовать", "нужный", "нужно", "забрать", "отобрать"})
_STILL_THE_TOPIC_AFTER_NOT = frozenset({"хватать", "быть", "иметься", "хватить"})
_MAX_DESCRIBING = 2
_NAME_TAIL = 3  # «№ 5», «"Радуга"», «Пятерочка» after the noun


def _spatial_at(toks: list[Token], i: int) -> int:
    """Length of the spatial preposition starting at token i (0: none)."""
    lemma = toks[i].lemma
    if lemma not in _FIRST:
        return 0
    if i + 1 < len(toks) and (lemma, toks[i + 1].lemma) in _SPATIAL:
        return 2
    return 1 if (lemma,) in _SPATIAL else 0


def landmark_spans(toks: list[Token]) -> list[tuple[int, int]]:
    """[start, end) token ranges of the landmark phrases in the text."""
    at = [k for k, t in enumerate(toks) if t.is_word or t.lower.isdigit() or t.lower in {"№", "n"}]
    words = [toks[k] for k in at]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        size = _spatial_at(words, i)
        j = i + size
        while size and j < len(words) and j - i - size < _MAX_DESCRIBING and words[j].lemma in _DESCRIBING:
            j += 1
        if not size or j >= len(words) or not _is_landmark(words, j):
            i += 1
            continue
        if words[i].lemma in _INSTRUMENTAL_ONLY and not words[j].lower.endswith(_INSTRUMENTAL_ENDINGS):
            i += 1
            continue  # «за школу» (to pay for it) is not «за школой»
        k = j + 1
        while k < len(words) and k - j <= _NAME_TAIL and (words[k].lower.isdigit() or words[k].lower in {"№", "n"}):
            k += 1
        names = 0
        while k < len(words) and names < _NAME_TAIL and words[k].text[:1].isupper() and not _sentence_between(
                toks, at[k - 1], at[k]):
            k += 1  # the landmark's own name: «у остановки Поликлиника», «возле магазина "Пятерочка"»
            names += 1
        if words[i].lemma == "у" and _owns(words, k):
            i += 1
            continue  # «у школы нет спортзала»: the school is what the appeal is about
        spans.append((at[i], at[k - 1] + 1))
        i = k
    return spans


def _owns(words: list[Token], k: int) -> bool:
    if k >= len(words):
        return False
    if words[k].lemma == "не":
        return k + 1 < len(words) and words[k + 1].lemma in _STILL_THE_TOPIC_AFTER_NOT
    return words[k].lemma in _STILL_THE_TOPIC


def _sentence_between(toks: list[Token], a: int, b: int) -> bool:
    return any(t.text in {".", "!", "?", "\n", ";"} for t in toks[a + 1:b])


def _is_landmark(words: list[Token], j: int) -> bool:
    lemma = words[j].lemma
    if lemma == "сад":  # a plain «сад» is an orchard or a garden plot; «детский сад» is a landmark
        return j > 0 and words[j - 1].lemma == "детский"
    return lemma in LANDMARK_NOUNS


def without_landmarks(toks: list[Token]) -> list[Token]:
    """The tokens with every landmark phrase replaced by one neutral token."""
    spans = landmark_spans(toks)
    if not spans:
        return toks
    out: list[Token] = []
    position = 0
    for start, end in spans:
        out.extend(toks[position:start])
        first = toks[start]
        out.append(Token(LANDMARK, LANDMARK, LANDMARK, first.start, True))
        position = end
    out.extend(toks[position:])
    return out
