"""Tokens (razdel) and lemmas (pymorphy3), with the lemmas of every word form kept per process:
appeals repeat the same few thousand words, so after warm-up a lemma is a dictionary lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
from pymorphy3.units import DictionaryAnalyzer
from razdel import tokenize

_WORD = re.compile(r"[а-яёa-z][а-яёa-z\-]*$", re.I)
_CACHE_LIMIT = 100_000  # ~ 20 MB of forms: a worker must stay under 300 MB with every model loaded
# Function words carry no topic; keep negation out of this list («нет воды» matters).
STOPWORDS = frozenset("""
а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до его
ее её ей ему если есть еще ещё же за здесь и из или им их к как ко когда кто ли либо мне может мы на над
надо наш наша наше наши не него нее неё ней нему нет ни них но ну о об однако он она они оно от очень по
под после при с со так также такой там те тем то того тоже той только том ты у уже хотя чего чей чем что
чтобы чье чья эта эти это этот я который свой себя мой ваш этого этой этом этому такая такие такое сам
""".split()) - {"нет", "не"}


@lru_cache(maxsize=1)
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written
    lower: str  # lower case, ё → е
    lemma: str  # normal form (lower case, ё → е); the token itself when not a word
    start: int
    is_word: bool


_lemma_cache: dict[str, str] = {}


def lemma_of(lower: str) -> str:
    """Normal form of a lower-case word (ё → е), cached."""
    lemma = _lemma_cache.get(lower)
    if lemma is None:
        if len(_lemma_cache) > _CACHE_LIMIT:
            _lemma_cache.clear()
        parses = morph().parse(lower)
        lemma = parses[0].normal_form.replace("ё", "е")
        _lemma_cache[lower] = lemma
        # the parse tells whether the dictionary knows the word: the ст. 11 and readability checks ask it of
        # the same words, and a second DAWG walk (with the е/ё substitutes) cost ~ 10 % of structuring
        # (a guess stacks its predictor on a dictionary entry — or on a FakeDictionary, a subclass — so only a
        # parse by the dictionary alone counts)
        _remember_known(lower, any(len(p.methods_stack) == 1 and type(p.methods_stack[0][0]) is DictionaryAnalyzer
                                   for p in parses))
    return lemma


def tokens(text: str) -> list[Token]:
    """razdel tokens of the text with their lemmas."""
    out = []
    for item in tokenize(text):
        lower = item.text.lower().replace("ё", "е")
        is_word = bool(_WORD.match(lower))
        out.append(Token(item.text, lower, lemma_of(lower) if is_word else lower, item.start, is_word))
    return out


def content_lemmas(toks: list[Token]) -> list[str]:
    """Lemmas of the words that can carry a topic (no function words, no numbers, no punctuation)."""
    return [t.lemma for t in toks if t.is_word and len(t.lemma) > 1 and t.lemma not in STOPWORDS]


_known_cache: dict[str, bool] = {}


def is_known_word(lower: str) -> bool:
    """The word is in the dictionary (not guessed), cached like the lemmas."""
    known = _known_cache.get(lower)
    if known is None:
        known = _remember_known(lower, morph().word_is_known(lower))
    return known


def _remember_known(lower: str, known: bool) -> bool:
    if len(_known_cache) > _CACHE_LIMIT:
        _known_cache.clear()
    _known_cache[lower] = known
    return known
