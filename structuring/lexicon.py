"""The lexicon we write per subtopic (structuring/data/lexicon.csv): phrases, matched on lemmas.

Each hit is a feature of the topic model next to TF-IDF, so a rare word an operator never
labelled still points to its subtopic.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from structuring.lemmas import content_lemmas, tokens

LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.csv"


class Lexicon:
    """Phrases as lemma tuples, indexed by their first lemma."""

    def __init__(self, phrases: dict[str, list[str]]):
        self.subtopics = sorted(phrases)
        self.column = {code: k for k, code in enumerate(self.subtopics)}
        self.index: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for code, items in phrases.items():
            for phrase in items:
                # the same words the texts are matched on (content lemmas): a phrase with a function
                # word or a number in it («очередь в сад») would never match otherwise
                lemmas = tuple(content_lemmas(tokens(phrase)))
                if lemmas:
                    self.index[lemmas[0]].append((lemmas[1:], self.column[code]))

    def hits(self, lemmas: list[str]) -> dict[int, int]:
        """Column of the subtopic → number of its phrases found in the lemma sequence."""
        found: dict[int, int] = defaultdict(int)
        index = self.index
        for i, lemma in enumerate(lemmas):
            for rest, column in index.get(lemma, ()):
                if not rest or tuple(lemmas[i + 1:i + 1 + len(rest)]) == rest:
                    found[column] += 1
        return found


def read_phrases(path: Path = LEXICON_FILE) -> dict[str, list[str]]:
    with open(path, encoding="utf-8") as fh:
        return {row["subtopic"]: [p.strip() for p in row["phrases"].split(";") if p.strip()]
                for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(read_phrases())
