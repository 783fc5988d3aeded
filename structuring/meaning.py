"""Meaning beyond the words we wrote: the navec word vectors and the slovnet NER model that ship
inside the natasha wheel (MIT; natasha/data/…, no download — they load from the installed package).

- `text_vector(lemmas)`: the mean of the words' vectors, normalised. Two texts about a broken bench
  («лавочка», «скамейка») are close although the training texts never saw one of the words; the
  topic model reads this vector beside its TF-IDF and lexicon features.
- `entities(text)`: persons, locations and organisations named in the text (slovnet NER).

Both are loaded once per process, on first use: the web process never structures and never loads
them; the 250 000 words are kept once (~ 100 MB less than natasha's own loading).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

NATASHA_DATA = files("natasha") / "data"
NAVEC_FILE = NATASHA_DATA / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"
NER_FILE = NATASHA_DATA / "model" / "slovnet_ner_news_v1.tar"
DIM = 300


class WordVectors:
    """navec's product-quantised vectors looked up through a word → row dict (the NER model's own,
    which is the same list of words: one copy of the 250 000 words per process, not two)."""

    def __init__(self, word_ids: dict[str, int], unknown: int, pq):
        self.word_ids, self.unknown = word_ids, unknown
        self.indexes = pq.indexes  # (words, qdim) uint8
        self.codes = pq.codes  # (qdim, centroids, chunk) float32
        self._qdim = np.arange(self.codes.shape[0])[None, :]

    def mean(self, words: list[str]) -> np.ndarray:
        """The normalised mean vector of the known words (zeros when none is known)."""
        get, unknown = self.word_ids.get, self.unknown
        rows = [r for r in map(get, words) if r is not None and r != unknown]
        if not rows:
            return np.zeros(DIM, dtype=np.float32)
        mean = self.codes[self._qdim, self.indexes[rows]].reshape(len(rows), -1).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean


@dataclass(frozen=True)
class _Navec:
    """What slovnet's NER needs of navec (its id and the quantised vectors), without navec's own
    vocabulary: the NER pack carries the same words."""

    meta: object
    pq: object


@lru_cache(maxsize=1)
def _ner():
    from navec.meta import Meta
    from navec.pq import PQ
    from navec.tar import Tar
    from slovnet import NER

    ner = NER.load(str(NER_FILE), batch_size=32)  # sentences of similar length: little padding
    with Tar(str(NAVEC_FILE)) as tar:
        navec = _Navec(Meta.from_file(tar.load("meta.json")), PQ.from_file(tar.load("pq.bin")))
    return ner.navec(navec), navec.pq


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    ner, pq = _ner()
    vocab = ner.infer.encoder.words_vocab
    return WordVectors(vocab.item_ids, vocab.unk_id, pq)


def text_vector(lemmas: list[str]) -> np.ndarray:
    return word_vectors().mean(lemmas)


@dataclass(frozen=True)
class Entity:
    kind: str  # PER, LOC, ORG
    start: int
    end: int
    text: str


def entities_batch(texts: list[str]) -> list[list[Entity]]:
    """Named persons, locations and organisations of each text (slovnet NER, batched)."""
    if not texts:
        return []
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        markups = list(_ner()[0].map(texts))
    return [[Entity(s.type, s.start, s.stop, text[s.start:s.stop]) for s in markup.spans]
            for text, markup in zip(texts, markups, strict=True)]
