"""The examples every installation starts from, all our own writing (never real citizens' texts):
structuring/data/training.csv, written for this model, and the synthetic texts of the demo corpus
(appeals/demo/corpus.py) with their placeholders filled in."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from cur.services import DATA_DIR
from structuring.classifier import Example

TRAINING_FILE = Path(__file__).resolve().parent / "data" / "training.csv"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_FILL = {"place": "наш посёлок", "street": "ул. Центральная", "house": "5", "org_no": "3", "days": "10",
         "date": "12.03"}


@lru_cache(maxsize=1)
def rubricator() -> dict[str, str]:
    """Subtopic code → sector code, from the rubricator file the database is seeded with."""
    with open(DATA_DIR / "rubricator.csv", encoding="utf-8") as fh:
        return {row["subtopic_code"]: row["sector_code"] for row in csv.DictReader(fh)}


def sector_of(subtopic: str) -> str:
    return rubricator()[subtopic]


def seed_examples() -> list[Example]:
    """training.csv, then the demo corpus."""
    examples = []
    with open(TRAINING_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            examples.append(Example(row["text"], row["sector"], row.get("subtopic") or ""))
    from appeals.demo.corpus import APPEAL_TEXTS

    for subtopic, texts in APPEAL_TEXTS.items():
        for text in texts:
            examples.append(Example(_PLACEHOLDER.sub(lambda m: _FILL.get(m.group(1), ""), text),
                                    sector_of(subtopic), subtopic))
    return examples
