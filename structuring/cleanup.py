"""Text cleanup before analysis: markup, entities, emoji, shouting and repeated punctuation.

The stored appeal text is never changed; this is what the pipeline reads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

# Beyond this a text is read in part: a 1 MB paste is a log or a document, its topic is in the start.
MAX_CHARS = 20_000

_SCRIPT = re.compile(r"<(script|style|noscript|iframe)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_BREAKS = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
_TAG_START = re.compile(r"<[a-zA-Z/!]")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});", re.I)
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\U00002B00-\U00002BFF"
    "\U0000FE00-\U0000FE0F\U0000200D\U000020E3\U0000E000-\U0000F8FF]+"
)
_REPEATED_PUNCT = re.compile(r"([!?.,;:)(\-*_=~])\1{1,}")
_MIXED_PUNCT = re.compile(r"[!?]{2,}")
_REPEATED_LETTER = re.compile(r"([а-яёa-z])\1{2,}")  # lower case only: «ООО» is a company
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Latin letters that look Cyrillic, inside words that mix both alphabets («Пecтpaвкa»).
_MIXED_WORD = re.compile(r"\b(?=\w*[а-яё])(?=\w*[a-z])\w+\b", re.I)
_HOMOGLYPHS = str.maketrans("aceopxyABCEHKMOPTXy", "асеорхуАВСЕНКМОРТХу")


@dataclass(frozen=True)
class Cleaned:
    text: str  # readable text: no markup, entities decoded, original case kept
    shouting: bool  # written in capitals: case says nothing about proper names


def clean_text(raw: str | None) -> Cleaned:
    """The text an operator would read, without markup and noise; capped at MAX_CHARS."""
    text = (raw or "")[: MAX_CHARS * 4]
    text = _CONTROL.sub(" ", text)
    if "<" in text and _TAG_START.search(text):
        text = _SCRIPT.sub(" ", text)
        text = _BREAKS.sub("\n", text)
        text = strip_tags(text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(html.unescape(text))  # twice: feeds often escape an escaped text
        text = _CONTROL.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _MIXED_WORD.sub(lambda m: m.group(0).translate(_HOMOGLYPHS), text)
    text = _MIXED_PUNCT.sub(lambda m: "?" if "?" in m.group(0) else "!", text)
    text = _REPEATED_PUNCT.sub(lambda m: "..." if m.group(1) == "." else m.group(1), text)
    text = _REPEATED_LETTER.sub(r"\1", text)
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text).strip()[:MAX_CHARS]
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return Cleaned(text=text, shouting=len(letters) >= 12 and upper > 0.6 * len(letters))
