"""The fitted topic model as plain arrays: TF-IDF vectorizers and multinomial logistic regressions
exported from scikit-learn after fitting, applied with numpy and scipy.sparse alone.

Why: `import sklearn` costs a process ~ 140 MB of resident memory (it pulls scipy.stats and
scipy.optimize), and a worker that only structures never fits. Training (the nightly retrain, `learn`)
still uses scikit-learn; what it stores is this. tests/structuring/test_real_texts.py checks that the
export gives scikit-learn's own numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_SPACES = re.compile(r"\s\s+")
WORD_CACHE = 20_000


@dataclass
class Vectorizer:
    """TF-IDF with sublinear tf and l2 rows over word n-grams («\\S+» tokens) or char_wb n-grams."""

    analyzer: str  # "word" | "char_wb"
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray  # float32

    @classmethod
    def of(cls, fitted) -> Vectorizer:
        assert fitted.sublinear_tf and fitted.norm == "l2" and fitted.use_idf
        analyzer = "char_wb" if fitted.analyzer == "char_wb" else "word"
        if analyzer == "word":
            assert fitted.token_pattern == r"\S+" and not fitted.lowercase
        return cls(analyzer, tuple(fitted.ngram_range), {k: int(v) for k, v in fitted.vocabulary_.items()},
                   fitted.idf_.astype(np.float32))

    def _word_terms(self, text: str) -> list[str]:
        low, high = self.ngram_range
        words = text.split()
        terms = []
        for n in range(low, high + 1):
            terms += words if n == 1 else [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
        return terms

    def _char_terms(self, word: str) -> list[str]:
        """scikit-learn's char_wb n-grams of one word: the word padded by one space, n-grams inside it."""
        low, high = self.ngram_range
        padded, terms = f" {word} ", []
        for n in range(low, high + 1):
            if len(padded) <= n:  # a short word counts once, whole
                terms.append(padded)
                break
            terms += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        return terms

    def _word_columns(self, word: str) -> list[int]:
        """A word's char_wb n-grams as vocabulary columns, remembered: words repeat (Zipf), so most of a
        batch's n-grams are looked up once. At most WORD_CACHE words (~ 5 MB) are kept."""
        cache = self.__dict__.setdefault("_columns_of", {})
        columns = cache.get(word)
        if columns is None:
            if len(cache) >= WORD_CACHE:
                cache.clear()
            columns = cache[word] = [c for c in map(self.vocabulary.get, self._char_terms(word)) if c is not None]
        return columns

    def _columns(self, text: str) -> list[int]:
        """The vocabulary columns of the text's terms, with repeats."""
        if self.analyzer == "char_wb":
            return [c for word in _SPACES.sub(" ", text.lower()).split() for c in self._word_columns(word)]
        return [c for c in map(self.vocabulary.get, self._word_terms(text)) if c is not None]

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        idf = self.idf
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(self._columns(text))
            columns = sorted(counts)
            values = np.array([(1.0 + math.log(counts[c])) * idf[c] for c in columns], dtype=np.float64)
            norm = float(np.sqrt((values * values).sum()))
            indices += columns
            data += (values / norm).tolist() if norm else values.tolist()
            indptr.append(len(indices))
        return sparse.csr_matrix((np.array(data), np.array(indices, dtype=np.int32), np.array(indptr)),
                                 shape=(len(texts), len(idf)))


@dataclass
class Linear:
    """A multinomial logistic regression: softmax(x · coefᵀ + intercept)."""

    classes: np.ndarray
    coef: np.ndarray  # (classes, features) float32
    intercept: np.ndarray

    @classmethod
    def of(cls, fitted) -> Linear:
        return cls(np.array(fitted.classes_), fitted.coef_.astype(np.float32), fitted.intercept_.astype(np.float32))

    @property
    def classes_(self) -> np.ndarray:
        return self.classes

    def predict_proba(self, x) -> np.ndarray:
        scores = np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept
        if len(self.classes) == 2:  # scikit-learn keeps one row of weights for two classes
            scores = np.hstack([-scores, scores]) / 2
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)
