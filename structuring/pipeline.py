"""The structuring pipeline, batched: cleanup → tokens and lemmas → named entities (slovnet NER) →
topic (model + lexicon + word vectors; a near-duplicate of a text people labelled takes their label)
→ territory (gazetteer, NER locations) → street and house → ст. 11 signs → personal data (with NER
persons).

Plain functions without database writes; services.appeals_structure stores what this returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from structuring import classifier
from structuring.address import find_address
from structuring.cleanup import clean_text
from structuring.flags import Citizen, legal_flags
from structuring.gazetteer import decide
from structuring.lemmas import tokens
from structuring.meaning import Entity, entities_batch
from structuring.memory import recall
from structuring.personal_data import NAME, Span, find_personal_data
from structuring.selectors import active_model, gazetteer, sector_priors
from structuring.training import document_from_tokens


@dataclass(frozen=True)
class StructInput:
    text: str
    title: str = ""
    municipality_oktmo: str | None = None  # the source's own territory, a fallback
    citizen: Citizen | None = None  # given for 59-ФЗ обращения: their details are checked (ст. 11 ч. 1)


@dataclass
class Structured:
    sector: str
    sector_confidence: float
    subtopic: str | None
    subtopic_confidence: float
    municipality_oktmo: str | None
    municipality_confidence: float
    settlement_id: int | None = None
    street: str = ""
    house: str = ""
    address: str = ""
    flags: list[str] = field(default_factory=list)
    personal_data: list[Span] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # named in the text: a УК, a МУП, a school
    model: str = ""


# A capitalised word inside a sentence: only there can a text name a person, a place or a body the
# rules do not know. The NER model reads just the sentences around such words (at most WINDOW
# characters each side), from the text's first NER_CHARS: most of a real text is the complaint itself.
_NAMED = re.compile(r"[а-яё0-9,:;)»\"]\s+[«\"]?[А-ЯЁ]")
_SENTENCE = re.compile(r"[.!?\n]")
NER_CHARS = 3_000
WINDOW = 160


def _windows(text: str) -> list[tuple[int, int]]:
    """Character ranges of the sentences that hold a capitalised word, merged where they touch."""
    spans: list[tuple[int, int]] = []
    for match in _NAMED.finditer(text, 0, NER_CHARS):
        at = match.end() - 2
        start = max(0, at - WINDOW)
        start = max((m.end() for m in _SENTENCE.finditer(text, start, at)), default=start)
        end = min(len(text), at + WINDOW)
        stop = _SENTENCE.search(text, at, end)
        end = stop.end() if stop else end
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def named_entities(texts: list[str]) -> list[list[Entity]]:
    """NER over the sentences of each text that can hold a name; entities in the texts' offsets."""
    pieces = [(k, start, end) for k, text in enumerate(texts) for start, end in _windows(text)]
    found: list[list[Entity]] = [[] for _ in texts]
    for (k, start, _), entities in zip(pieces, entities_batch([texts[k][a:b] for k, a, b in pieces]), strict=True):
        found[k] += [Entity(e.kind, e.start + start, e.end + start, e.text) for e in entities]
    return found


def structure_texts(texts: list[StructInput], region) -> list[Structured]:
    """Structure a batch of texts of one region (a Region or its code: "samara", "chuvashia")."""
    if not texts:
        return []
    places = gazetteer(region)
    loaded = active_model()
    prepared, docs = [], []
    for item in texts:
        cleaned = clean_text(f"{item.title}.\n{item.text}" if item.title else item.text)
        toks = tokens(cleaned.text)
        prepared.append((item, cleaned, toks))
        docs.append(document_from_tokens(toks))
    entities = named_entities([cleaned.text for _, cleaned, _ in prepared])
    readable = [k for k, doc in enumerate(docs) if doc.lemmas]
    readable_docs = [docs[k] for k in readable]
    words = classifier.word_rows(loaded.model, readable_docs) if readable_docs else None
    guesses = dict(zip(readable, classifier.predict(loaded.model, readable_docs, priors=sector_priors(region),
                                                    words=words), strict=True))
    for k, near in zip(readable, recall(loaded.label, loaded.model, readable_docs, words), strict=True):
        if near is not None:  # a person labelled a near-duplicate of this text: their label, at once
            sure = min(near.similarity, classifier.MACHINE_MAX)
            guesses[k] = classifier.TopicGuess(near.sector, sure, near.subtopic or None, sure)
    results = []
    for k, (item, cleaned, toks) in enumerate(prepared):
        guess = guesses.get(k) or classifier.TopicGuess("other", 0.0, None, 0.0)
        named = entities[k]
        located = [(e.start, e.end) for e in named if e.kind == "LOC"]
        found = decide(places.mentions(cleaned.text, toks, shouting=cleaned.shouting, located=located),
                       source_oktmo=item.municipality_oktmo or None)
        address = find_address(cleaned.text, shouting=cleaned.shouting)
        results.append(Structured(
            sector=guess.sector, sector_confidence=guess.sector_confidence,
            subtopic=guess.subtopic, subtopic_confidence=guess.subtopic_confidence,
            municipality_oktmo=found.oktmo, municipality_confidence=found.confidence,
            settlement_id=found.settlement_id,
            street=address.street if address else "", house=address.house if address else "",
            address=str(address) if address else "",
            flags=legal_flags(cleaned.text, toks, citizen=item.citizen),
            personal_data=find_personal_data(
                cleaned.text, toks, also=[Span(NAME, e.start, e.end, e.text) for e in named if e.kind == "PER"]),
            organisations=[e.text for e in named if e.kind == "ORG"],
            model=loaded.label,
        ))
    return results
