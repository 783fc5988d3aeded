"""The topic model: a linear model (logistic regression) over TF-IDF of lemmas (words and character n-grams, which
survive typos), the lexicon's hits and the text's mean word vector (navec: meaning beyond the words any
example used), giving a sector, a subtopic and a confidence.

Fitted with scikit-learn, stored and applied as plain arrays (structuring/linear.py: a structuring
worker never imports scikit-learn, ~ 140 MB less), pickled into ModelVersion.fitted; FEATURE_VERSION
changes whenever the way features are made or stored changes, so an old model is refused rather
than silently misread.
"""

from __future__ import annotations

import pickle
import zlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from structuring.lexicon import Lexicon, lexicon
from structuring.linear import Linear, Vectorizer
from structuring.meaning import text_vector

# scikit-learn is imported by the functions that fit and measure only (see the module's docstring)
FEATURE_VERSION = 3  # 2: landmarks neutralised, the mean word vector; 3: stored as plain arrays
LEXICON_WEIGHT = 0.6  # a lexicon hit weighs about as much as a strong TF-IDF term
# 1.0 means «confirmed by a person» (Appeal.structuring_confidence): the machine never claims it
MACHINE_MAX = 0.99
MEANING_WEIGHT = 1.0  # the unit mean vector beside the unit TF-IDF rows
HELD_OUT = 0.2
SEED = 20261125


@dataclass(frozen=True)
class Example:
    text: str
    sector: str
    subtopic: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class Document:
    """What the model reads of one text: its content lemmas, the lexicon's hits, its mean word vector."""

    lemmas: str  # content lemmas joined by spaces
    hits: dict[int, int]
    vector: np.ndarray


@dataclass(frozen=True)
class TopicGuess:
    sector: str
    sector_confidence: float
    subtopic: str | None
    subtopic_confidence: float


def document(lemmas: list[str], lex: Lexicon | None = None) -> Document:
    lex = lex or lexicon()
    return Document(" ".join(lemmas), lex.hits(lemmas), text_vector(lemmas))


def _lexicon_matrix(docs: list[Document], lex_codes: list[str]) -> sparse.csr_matrix:
    """Subtopic hits and their sums per sector, each capped at 3."""
    sectors = sorted({code.split(".")[0] for code in lex_codes})
    sector_column = {s: len(lex_codes) + k for k, s in enumerate(sectors)}
    rows, cols, vals = [], [], []
    for r, doc in enumerate(docs):
        per_sector: Counter = Counter()
        for column, count in doc.hits.items():
            rows.append(r)
            cols.append(column)
            vals.append(min(count, 3))
            per_sector[lex_codes[column].split(".")[0]] += count
        for sector, count in per_sector.items():
            rows.append(r)
            cols.append(sector_column[sector])
            vals.append(min(count, 3))
    shape = (len(docs), len(lex_codes) + len(sectors))
    return sparse.csr_matrix((np.array(vals, dtype=float) * LEXICON_WEIGHT, (rows, cols)), shape=shape)


def word_rows(model: dict, docs: list[Document]) -> sparse.csr_matrix:
    """The documents' word TF-IDF rows (the pipeline reads them twice: the model, the correction memory)."""
    return model["words"].transform([d.lemmas for d in docs])


def _features(model: dict, docs: list[Document], words: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
    texts = [d.lemmas for d in docs]
    return sparse.hstack([
        word_rows(model, docs) if words is None else words, model["chars"].transform(texts),
        _lexicon_matrix(docs, model["lexicon"]),
        sparse.csr_matrix(np.vstack([d.vector for d in docs]) * MEANING_WEIGHT),
    ]).tocsr()


def _classifier():
    from sklearn.linear_model import LogisticRegression

    # Weakly regularised (C=8): a few operators' corrections with a new word must be able to move
    # the model — a strongly regularised SVM we tried learnt nothing from them on the test set.
    return LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")


def _probabilities(clf, x) -> np.ndarray:
    return clf.predict_proba(x)


def fit(docs: list[Document], examples: list[Example]) -> dict:
    """Fit the vectorizers and both classifiers on all examples; the result holds plain arrays."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from threadpoolctl import threadpool_limits

    texts = [d.lemmas for d in docs]
    model = {
        "feature_version": FEATURE_VERSION,
        "lexicon": lexicon().subtopics,
        "words": TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True,
                                 min_df=1).fit(texts),
        "chars": TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2,
                                 max_features=40_000).fit(texts),
    }
    model["words"], model["chars"] = Vectorizer.of(model["words"]), Vectorizer.of(model["chars"])
    x = _features(model, docs)
    weights = np.array([e.weight for e in examples])
    with threadpool_limits(1):  # one core: BLAS threads only fight each other (and the web workers)
        model["sector"] = Linear.of(_classifier().fit(x, [e.sector for e in examples], sample_weight=weights))
    with_subtopic = [k for k, e in enumerate(examples) if e.subtopic]
    labels = {examples[k].subtopic for k in with_subtopic}
    model["subtopic_sector"] = {examples[k].subtopic: examples[k].sector for k in with_subtopic}
    if len(labels) >= 2:
        with threadpool_limits(1):
            model["subtopic"] = Linear.of(_classifier().fit(
                x[with_subtopic], [examples[k].subtopic for k in with_subtopic], sample_weight=weights[with_subtopic]))
    else:
        model["subtopic"] = None
    return model


def with_priors(p: np.ndarray, classes, priors: dict[str, float] | None) -> np.ndarray:
    """Bayes' rule for a new stream: the model was fitted on balanced classes (its own prior is
    uniform), so the posterior for a stream with shares π is p(c|x)·π(c), renormalised. A sector
    without a share keeps the smallest one given."""
    if not priors:
        return p
    floor = min(priors.values())
    weights = np.array([priors.get(str(c), floor) for c in classes])
    adjusted = p * weights
    return adjusted / adjusted.sum(axis=1, keepdims=True)


def calibrated(model: dict, confidence: np.ndarray) -> np.ndarray:
    """The model's top probability turned into how often such an answer was right on the held-out
    split (isotonic, monotone); a model fitted without a held-out split keeps its probabilities."""
    curve = model.get("calibration")
    if curve:
        confidence = np.interp(confidence, curve[0], curve[1])
    return np.minimum(confidence, MACHINE_MAX)


def predict(model: dict, docs: list[Document], *, priors: dict[str, float] | None = None,
            words: sparse.csr_matrix | None = None) -> list[TopicGuess]:
    """Sector and subtopic of each document; `priors` are the sectors' shares in the region's stream.
    The sector's confidence is calibrated: 0.6 means about 6 answers in 10 like it were right."""
    if not docs:
        return []
    x = _features(model, docs, words)
    sector_clf, subtopic_clf = model["sector"], model["subtopic"]
    sector_p = with_priors(_probabilities(sector_clf, x), sector_clf.classes_, priors)
    subtopic_p = _probabilities(subtopic_clf, x) if subtopic_clf is not None else None
    sub_classes = list(subtopic_clf.classes_) if subtopic_clf is not None else []
    sub_sector = np.array([model["subtopic_sector"][c] for c in sub_classes])
    best = sector_p.argmax(axis=1)
    confidences = calibrated(model, sector_p[np.arange(len(docs)), best])
    guesses = []
    for r in range(len(docs)):
        k = int(best[r])
        sector, confidence = str(sector_clf.classes_[k]), float(confidences[r])
        subtopic, sub_confidence = None, 0.0
        if subtopic_p is not None:
            mask = sub_sector == sector  # the subtopic is chosen inside the sector
            if mask.any():
                p = np.where(mask, subtopic_p[r], 0.0)
                j = int(p.argmax())
                subtopic, sub_confidence = sub_classes[j], float(p[j] / p.sum()) * confidence if p.sum() else 0.0
        guesses.append(TopicGuess(sector, round(confidence, 4), subtopic, round(sub_confidence, 4)))
    return guesses


def evaluate(gold: list[str], predicted: list[str], labels: list[str], *, weights: list[float] | None = None) -> dict:
    """Accuracy, per-label precision / recall / F1, macro-F1 and the confusion matrix; `weights` per
    text (a set reweighted to a real stream's sector shares)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0, sample_weight=weights)
    if weights is not None:
        support = [sum(1 for g in gold if g == label) for label in labels]  # texts, not weights
    return {
        "accuracy": round(float(accuracy_score(gold, predicted, sample_weight=weights)), 4) if gold else None,
        "macro_f1": round(float(np.mean([f for f, s in zip(f1, support, strict=True) if s])), 4) if gold else None,
        "per_label": {label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                              "f1": round(float(f), 4), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)},
        "labels": labels,
        "confusion": confusion_matrix(gold, predicted, labels=labels).tolist() if gold else [],
    }


def train(docs: list[Document], examples: list[Example]) -> tuple[dict, dict]:
    """Measure on a held-out split (stratified by sector), then fit the final model on everything.
    Returns (model, metrics)."""
    from sklearn.model_selection import train_test_split

    sectors = [e.sector for e in examples]
    counts = Counter(sectors)
    metrics: dict = {"n_examples": len(examples), "by_sector": dict(sorted(counts.items()))}
    stratify = sectors if min(counts.values()) >= 2 else None
    if len(examples) >= 20 and len(counts) >= 2:
        train_idx, test_idx = train_test_split(range(len(examples)), test_size=HELD_OUT, random_state=SEED,
                                               stratify=stratify)
        trial = fit([docs[k] for k in train_idx], [examples[k] for k in train_idx])
        guesses = predict(trial, [docs[k] for k in test_idx])
        held = [examples[k] for k in test_idx]
        calibration = _calibration([g.sector_confidence for g in guesses],
                                   [e.sector == g.sector for e, g in zip(held, guesses, strict=True)])
        labels = sorted(counts)
        sector_eval = evaluate([e.sector for e in held], [g.sector for g in guesses], labels)
        with_sub = [(e, g) for e, g in zip(held, guesses, strict=True) if e.subtopic]
        metrics.update({
            "held_out": len(test_idx),
            "sector_accuracy": sector_eval["accuracy"],
            "sector_macro_f1": sector_eval["macro_f1"],
            "per_sector": sector_eval["per_label"],
            "confusion": {"labels": labels, "matrix": sector_eval["confusion"]},
            "subtopic_accuracy": round(sum(e.subtopic == g.subtopic for e, g in with_sub) / len(with_sub), 4)
            if with_sub else None,
        })
        model = fit(docs, examples)
        model["calibration"] = calibration
        return model, metrics
    return fit(docs, examples), metrics


def _calibration(confidence: list[float], right: list[bool]) -> tuple[list[float], list[float]]:
    """The isotonic curve from the held-out split's confidences to their share of right answers."""
    from sklearn.isotonic import IsotonicRegression

    curve = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(confidence, np.array(right, float))
    return [float(x) for x in curve.X_thresholds_], [float(y) for y in curve.y_thresholds_]


def dumps(model: dict) -> bytes:
    return zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 6)


def loads(data: bytes) -> dict:
    try:
        model = pickle.loads(zlib.decompress(bytes(data)))
    except (zlib.error, pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError) as error:
        raise ValueError(f"not a model of this code ({error.__class__.__name__})") from error
    if model.get("feature_version") != FEATURE_VERSION:
        raise ValueError(f"model features v{model.get('feature_version')}, code expects v{FEATURE_VERSION}")
    return model
