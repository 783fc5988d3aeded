"""Turning examples into what the topic model reads, the same way the pipeline reads a text."""

from __future__ import annotations

from structuring import classifier
from structuring.classifier import Document, Example
from structuring.cleanup import clean_text
from structuring.landmarks import without_landmarks
from structuring.lemmas import Token, content_lemmas, tokens

# The topic is read from the start of a long text; places and signs from all of the cleaned text.
TOPIC_CHARS = 4_000


def prepare(examples: list[Example]) -> list[Document]:
    return [document_of(e.text) for e in examples]


def document_of(text: str) -> Document:
    return document_from_tokens(tokens(clean_text(text).text))


def document_from_tokens(toks: list[Token]) -> Document:
    """What the topic model reads: the content lemmas of the text's start, landmarks neutralised
    («возле школы № 3 яма» is about the road)."""
    return classifier.document(content_lemmas(without_landmarks([t for t in toks if t.start < TOPIC_CHARS])))
