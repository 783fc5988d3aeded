"""The correction memory: a person's label counts at once for texts nearly the same as the one it
was given to, before the nightly retraining folds it into the model.

The same complaint comes in many copies (a petition, a neighbour's copy, a second channel); once an
operator corrected one, the others must not wait for tomorrow's model. The memory holds the texts
people labelled (operators' corrections, `learn` files) as rows of the active model's word TF-IDF;
a new text whose cosine to one of them is at least NEAR takes that example's sector and subtopic.

Each process keeps the memory of its active model and adds what was labelled since it last looked
(one aggregate query per batch); a changed or deleted example rebuilds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from scipy import sparse

from structuring.classifier import Document, Example, word_rows
from structuring.models import TrainingExample
from structuring.training import prepare

NEAR = 0.8  # cosine of word uni/bigram TF-IDF: a copy with a few words changed, not a text on the same topic
PEOPLE = (TrainingExample.Source.OPERATOR, TrainingExample.Source.FILE)


@dataclass(frozen=True)
class Recalled:
    sector: str
    subtopic: str
    similarity: float


@dataclass
class Memory:
    model_label: str
    last_pk: int
    count: int
    matrix: sparse.csr_matrix  # one L2-normalised row per example
    labels: list[tuple[str, str]]


_memory: dict[str, Memory] = {}


def _rows(model: dict, examples: list) -> tuple[sparse.csr_matrix, list[tuple[str, str]]]:
    docs = prepare([Example(text, sector, subtopic) for _, text, sector, subtopic in examples])
    return word_rows(model, docs), [(sector, subtopic) for _, _, sector, subtopic in examples]


def memory(label: str, model: dict) -> Memory:
    """The people's examples of the active model, brought up to date."""
    people = TrainingExample.objects.filter(source__in=PEOPLE)
    stamp = people.aggregate(last=Max("pk"), count=Count("pk"))
    last_pk, count = stamp["last"] or 0, stamp["count"]
    known = _memory.get(label)
    if known and (known.last_pk, known.count) == (last_pk, count):
        return known
    fields = ("pk", "text", "sector", "subtopic")
    if known and last_pk > known.last_pk and count - known.count == people.filter(pk__gt=known.last_pk).count():
        added = list(people.filter(pk__gt=known.last_pk).order_by("pk").values_list(*fields))
        matrix, labels = _rows(model, added)
        known.matrix = sparse.vstack([known.matrix, matrix]).tocsr()
        known.labels += labels
        known.last_pk, known.count = last_pk, count
        return known
    examples = list(people.order_by("pk").values_list(*fields))
    matrix, labels = _rows(model, examples) if examples else (sparse.csr_matrix((0, len(model["words"].idf))), [])
    _memory.clear()
    _memory[label] = built = Memory(label, last_pk, count, matrix, labels)
    return built


def recall(label: str, model: dict, docs: list[Document], words=None) -> list[Recalled | None]:
    """For each document, the nearest labelled example when it is a near-duplicate, else None."""
    mem = memory(label, model)
    if not docs or not mem.labels:
        return [None] * len(docs)
    rows = word_rows(model, docs) if words is None else words
    similarity = (rows @ mem.matrix.T).tocsr()
    out: list[Recalled | None] = []
    for r in range(len(docs)):
        row = similarity.getrow(r)
        if not row.nnz:
            out.append(None)
            continue
        k = int(row.indices[np.argmax(row.data)])
        best = float(row.data.max())
        out.append(Recalled(*mem.labels[k], round(best, 4)) if best >= NEAR else None)
    return out
