"""The structuring pipeline, batched: cleanup → tokens and lemmas → topic (model + lexicon) →
territory (gazetteer) → street and house → ст. 11 signs → personal data.

Plain functions without database writes; services.appeals_structure stores what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from structuring import classifier
from structuring.address import find_address
from structuring.cleanup import clean_text
from structuring.flags import Citizen, legal_flags
from structuring.gazetteer import decide
from structuring.lemmas import tokens
from structuring.personal_data import Span, find_personal_data
from structuring.selectors import active_model, gazetteer
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
    model: str = ""


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
    readable = [k for k, doc in enumerate(docs) if doc.lemmas]
    guesses = dict(zip(readable, classifier.predict(loaded.model, [docs[k] for k in readable]), strict=True))
    results = []
    for k, (item, cleaned, toks) in enumerate(prepared):
        guess = guesses.get(k) or classifier.TopicGuess("other", 0.0, None, 0.0)
        found = decide(places.mentions(cleaned.text, toks, shouting=cleaned.shouting),
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
            personal_data=find_personal_data(cleaned.text, toks),
            model=loaded.label,
        ))
    return results
