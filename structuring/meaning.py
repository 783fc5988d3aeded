"""Meaning beyond the words we wrote: the navec word vectors and the slovnet NER model that ship
inside the natasha wheel (MIT; natasha/data/…, no download — they load from the installed package).

- `text_vector(lemmas)`: the mean of the words' vectors, normalised. Two texts about a broken bench
  («лавочка», «скамейка») are close although the training texts never saw one of the words; the
  topic model reads this vector beside its TF-IDF and lexicon features.
- `entities(text)`: persons, locations and organisations named in the text (slovnet NER).

Both are loaded once per process, on first use: the web process never structures and never loads
them; the 250 000 words are kept once, as one array (~ 130 MB less than natasha's own loading).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

# the wheel's data folder, found without importing natasha (its package pulls yargy, pymorphy2, ipymarkup)
NATASHA_DATA = Path(find_spec("natasha").submodule_search_locations[0]) / "data"
NAVEC_FILE = NATASHA_DATA / "emb" / "navec_news_v1_1B_250K_300d_100q.tar"
NER_FILE = NATASHA_DATA / "model" / "slovnet_ner_news_v1.tar"
DIM = 300


class Words:
    """The 250 000 words of navec (and of the NER model, the same list) as one sorted array of UTF-8
    bytes, WIDTH bytes each — 8 MB where a dict of Python strings takes ~ 45 MB in every worker; the
    2 % of longer words (up to 67 bytes, most of them compounds nobody writes to a ЦУР) in a small dict.
    `encode` is what slovnet's encoder asks of its vocabulary; recent words are kept in a small dict."""

    CACHE = 50_000
    WIDTH = 32

    def __init__(self, items: list[bytes], unk_id: int, pad_id: int):
        short = [k for k, item in enumerate(items) if len(item) <= self.WIDTH]
        self.long = {items[k].decode(): k for k in range(len(items)) if len(items[k]) > self.WIDTH}
        encoded = np.array([items[k] for k in short], dtype=f"S{self.WIDTH}")
        by_word = np.argsort(encoded, kind="stable")
        self.sorted = encoded[by_word]
        self.order = np.array(short, dtype=np.int32)[by_word]
        self.unk_id, self.pad_id = unk_id, pad_id
        self._recent: dict[str, int] = {}

    def ids(self, words: list[str]) -> np.ndarray:
        """Row of each word, unk_id where unknown."""
        if not words:
            return np.empty(0, dtype=np.int32)
        raw = [w.encode() for w in words]
        keys = np.array(raw, dtype=self.sorted.dtype)  # longer words are cut to the width: never a match
        fits = np.array([len(r) <= self.WIDTH for r in raw])
        at = np.searchsorted(self.sorted, keys).clip(0, len(self.sorted) - 1)
        found = np.where((self.sorted[at] == keys) & fits, self.order[at], self.unk_id)
        for k in np.flatnonzero(~fits):
            found[k] = self.long.get(words[k], self.unk_id)
        return found

    def encode(self, word: str) -> int:
        found = self._recent.get(word)
        if found is None:
            if len(self._recent) > self.CACHE:
                self._recent.clear()
            found = self._recent[word] = int(self.ids([word])[0])
        return found


class WordVectors:
    """navec's product-quantised vectors, looked up through the shared Words."""

    def __init__(self, words: Words, pq):
        self.words = words
        self.indexes = pq.indexes  # (words, qdim) uint8
        self.codes = pq.codes  # (qdim, centroids, chunk) float32
        self._qdim = np.arange(self.codes.shape[0])[None, :]

    def mean(self, words: list[str]) -> np.ndarray:
        """The normalised mean vector of the known words (zeros when none is known)."""
        rows = self.words.ids(words)
        rows = rows[rows != self.words.unk_id]
        if not len(rows):
            return np.zeros(DIM, dtype=np.float32)
        mean = self.codes[self._qdim, self.indexes[rows]].reshape(len(rows), -1).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm else mean


@dataclass(frozen=True)
class _PQ:
    """navec's product-quantised vectors as slovnet and WordVectors read them. Not navec.pq.PQ: its
    `precompute` makes a 100 MB temporary and keeps 26 MB of pairwise products that only its `sim` uses."""

    indexes: np.ndarray  # (words, qdim) uint8
    codes: np.ndarray  # (qdim, centroids, chunk) float32

    @classmethod
    def read(cls, file) -> _PQ:
        words, _dim, qdim, centroids = (int(n) for n in np.frombuffer(file.read(16), np.uint32))
        indexes = np.frombuffer(file.read(words * qdim), np.uint8).reshape(words, qdim)
        return cls(indexes, np.frombuffer(file.read(), np.float32).reshape(qdim, centroids, -1))


@dataclass(frozen=True)
class _Navec:
    """What slovnet's NER needs of navec (its id and the quantised vectors), without navec's own
    vocabulary: the NER pack carries the same words."""

    meta: object
    pq: _PQ


@lru_cache(maxsize=1)
def _ner():
    """slovnet's NER as slovnet.api.NER.load builds it, but with the compact Words for its 250 000-word
    vocabulary (read as bytes, never as a dict of strings), and navec's vectors without navec's own."""
    from gzip import decompress

    from navec.meta import Meta
    from navec.tar import Tar
    from slovnet.api import NER
    from slovnet.const import PAD, SHAPE, TAG, UNK, WORD
    from slovnet.exec.encoders import TagEncoder
    from slovnet.exec.infer import NERInfer, TagDecoder
    from slovnet.exec.model import NER as NERModel
    from slovnet.exec.pack import Pack, vocab_name

    batch = 32  # sentences of similar length: little padding
    with Pack(str(NER_FILE)) as pack:
        pack.load_meta().check_protocol()
        model = pack.load_model(NERModel)
        arrays = dict(pack.load_arrays(model.weights))
        items = decompress(pack.read(vocab_name(WORD))).split(b"\n")
        words = Words(items, items.index(UNK.encode()), items.index(PAD.encode()))
        del items
        shapes, tags = pack.load_vocab(SHAPE), pack.load_vocab(TAG)
    with Tar(str(NAVEC_FILE)) as tar:
        navec = _Navec(Meta.from_file(tar.load("meta.json")), _PQ.read(tar.load("pq.bin")))
    infer = NERInfer(model.inject_arrays(arrays), TagEncoder(words, shapes, batch), TagDecoder(tags))
    return NER(infer, batch).navec(navec), navec.pq


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    ner, pq = _ner()
    return WordVectors(ner.infer.encoder.words_vocab, pq)


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
