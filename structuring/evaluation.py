"""Quality of the pipeline on our test set (structuring/data/testset.csv, written apart from the
lexicon and the training examples): sector precision / recall / F1 and the confusion matrix,
subtopic accuracy, municipality accuracy and abstention — and the learning experiment: corrections
of one half of the test set taught through `learn`'s path, measured on the other half."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from structuring import classifier
from structuring.classifier import Example
from structuring.pipeline import StructInput, Structured, structure_texts

TESTSET_FILE = Path(__file__).resolve().parent / "data" / "testset.csv"
SECTORS = ["education", "healthcare", "social_protection", "transport", "roads", "energy", "housing_utilities",
           "waste", "other"]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    sector: str
    subtopic: str
    oktmo: str  # empty: no municipality can be told from the text — the right answer is to abstain

    @property
    def region(self) -> str:
        return "chuvashia" if self.oktmo.startswith("97") else "samara"


def load_testset(path: Path = TESTSET_FILE) -> list[Case]:
    with open(path, encoding="utf-8") as fh:
        return [Case(r["id"], r["text"], r["sector"], r["subtopic"], r["municipality_oktmo"])
                for r in csv.DictReader(fh)]


def run(cases: list[Case]) -> list[Structured]:
    """The pipeline over the cases, each in its region, in the cases' order."""
    results: dict[str, Structured] = {}
    for region in ("samara", "chuvashia"):
        batch = [c for c in cases if c.region == region]
        for case, result in zip(batch, structure_texts([StructInput(c.text) for c in batch], region), strict=True):
            results[case.id] = result
    return [results[c.id] for c in cases]


def report(cases: list[Case], results: list[Structured]) -> dict:
    sector = classifier.evaluate([c.sector for c in cases], [r.sector for r in results], SECTORS)
    placed = [(c, r) for c, r in zip(cases, results, strict=True) if c.oktmo]
    unplaced = [(c, r) for c, r in zip(cases, results, strict=True) if not c.oktmo]
    answered = [(c, r) for c, r in placed if r.municipality_oktmo]
    return {
        "n": len(cases),
        "sector": sector,
        "subtopic_accuracy": round(sum(c.subtopic == r.subtopic for c, r in zip(cases, results, strict=True))
                                   / len(cases), 4),
        "municipality": {
            "with_place": len(placed),
            "correct": sum(c.oktmo == r.municipality_oktmo for c, r in placed),
            "wrong": sum(bool(r.municipality_oktmo) and c.oktmo != r.municipality_oktmo for c, r in placed),
            "abstained": sum(not r.municipality_oktmo for _, r in placed),
            "precision_when_answered": round(sum(c.oktmo == r.municipality_oktmo for c, r in answered)
                                             / len(answered), 4) if answered else None,
            "without_place": len(unplaced),
            "abstained_without_place": sum(not r.municipality_oktmo for _, r in unplaced),
        },
    }


def split(cases: list[Case]) -> tuple[list[Case], list[Case]]:
    """Two halves with the same mix of sectors: odd positions inside each sector teach, even ones
    are held back. The held-back half is never shown to the model."""
    teach, held = [], []
    for sector in SECTORS:
        of_sector = [c for c in cases if c.sector == sector]
        teach += of_sector[0::2]
        held += of_sector[1::2]
    return teach, held


def corrections(cases: list[Case], results: list[Structured]) -> list[Example]:
    """What an operator would correct: the cases the model got wrong, with their right labels."""
    return [Example(c.text, c.sector, c.subtopic) for c, r in zip(cases, results, strict=True)
            if (r.sector, r.subtopic) != (c.sector, c.subtopic)]


def markdown(result: dict) -> str:
    """The report as the tables of docs/structuring.md."""
    s = result["sector"]
    lines = [f"Texts: {result['n']}. Sector accuracy **{s['accuracy']:.3f}**, macro-F1 **{s['macro_f1']:.3f}**; "
             f"subtopic accuracy {result['subtopic_accuracy']:.3f}.", "",
             "| sector | precision | recall | F1 | texts |", "|---|---|---|---|---|"]
    for label in SECTORS:
        m = s["per_label"][label]
        lines.append(f"| {label} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | {m['support']} |")
    short = {"education": "edu", "healthcare": "hlth", "social_protection": "soc", "transport": "trn",
             "roads": "road", "energy": "enrg", "housing_utilities": "hous", "waste": "wst", "other": "oth"}
    lines += ["", "Confusion matrix (rows: true sector, columns: predicted):", "",
              "| true \\ predicted | " + " | ".join(short[x] for x in SECTORS) + " |",
              "|---|" + "---|" * len(SECTORS)]
    for label, row in zip(SECTORS, s["confusion"], strict=True):
        lines.append(f"| {short[label]} | " + " | ".join(str(v) if v else "·" for v in row) + " |")
    m = result["municipality"]
    lines += ["", "| municipality | texts | correct | wrong | abstained |", "|---|---|---|---|---|",
              f"| a municipality is named | {m['with_place']} | {m['correct']} | {m['wrong']} | {m['abstained']} |",
              f"| none can be told | {m['without_place']} | — | {m['without_place'] - m['abstained_without_place']} "
              f"| {m['abstained_without_place']} |",
              "", f"Accuracy where a municipality is named: {m['correct'] / max(m['with_place'], 1):.3f}; "
              f"precision when the pipeline answers: {m['precision_when_answered']}."]
    return "\n".join(lines)
