"""Quality of the pipeline on our two test sets: sector precision / recall / F1 and the confusion
matrix (as counted and with the real streams' sector shares), subtopic accuracy, municipality
precision and recall by the kind of place the text names, accuracy by confidence band — and the
learning experiment: corrections of one half of the test set taught through `learn`'s path,
measured on the other half.

- structuring/data/testset.csv — written by us apart from the lexicon and the training examples; the
  set we tune on.
- structuring/data/blindset.csv — written blind (by writers who never saw the lexicon, the training
  texts or the code) in the style of real streams: long, HTML, landmarks, several questions, places
  named by village or city district. Only measured, never tuned on.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from structuring import classifier
from structuring.classifier import Example
from structuring.gazetteer import is_capital
from structuring.pipeline import StructInput, Structured, structure_texts

DATA = Path(__file__).resolve().parent / "data"
TESTSET_FILE = DATA / "testset.csv"
BLINDSET_FILE = DATA / "blindset.csv"
SETS = {"test": TESTSET_FILE, "blind": BLINDSET_FILE}
CONFIDENCE_BANDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
SECTORS = ["education", "healthcare", "social_protection", "transport", "roads", "energy", "housing_utilities",
           "waste", "other"]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    sector: str
    subtopic: str
    oktmo: str  # empty: no municipality can be told from the text — the right answer is to abstain
    given_region: str = ""
    # blind set: what the text names — settlement, city_district, municipality, street_only, ambiguous, none
    place_kind: str = ""

    @property
    def region(self) -> str:
        return self.given_region or ("chuvashia" if self.oktmo.startswith("97") else "samara")

    @property
    def place_told(self) -> bool:
        """The text itself tells the municipality (the test set's rows with an OKTMO; in the blind
        set a named settlement, city district or municipality)."""
        return bool(self.oktmo) and self.place_kind in {"", "settlement", "city_district", "municipality"}


def load_testset(path: Path = TESTSET_FILE) -> list[Case]:
    with open(path, encoding="utf-8") as fh:
        return [Case(r["id"], r["text"], r["sector"], r["subtopic"], r["municipality_oktmo"] or "",
                     r.get("region") or "", r.get("place_kind") or "") for r in csv.DictReader(fh)]


def run(cases: list[Case]) -> list[Structured]:
    """The pipeline over the cases, each in its region, in the cases' order."""
    results: dict[str, Structured] = {}
    for region in ("samara", "chuvashia"):
        batch = [c for c in cases if c.region == region]
        for case, result in zip(batch, structure_texts([StructInput(c.text) for c in batch], region), strict=True):
            results[case.id] = result
    return [results[c.id] for c in cases]


def _share_weights(cases: list[Case], shares: dict[str, float]) -> list[float]:
    """Weights that give each sector its share of a real stream, whatever the set's own mix."""
    counts = {s: sum(c.sector == s for c in cases) for s in SECTORS}
    return [shares.get(c.sector, 0.0) / counts[c.sector] for c in cases]


def _bands(cases: list[Case], results: list[Structured]) -> list[dict]:
    """Accuracy of the sector by confidence band: the calibration curve."""
    out = []
    for low, high in zip(CONFIDENCE_BANDS, CONFIDENCE_BANDS[1:], strict=False):
        inside = [(c, r) for c, r in zip(cases, results, strict=True) if low <= r.sector_confidence < high]
        out.append({"from": low, "to": min(high, 1.0), "n": len(inside),
                    "accuracy": round(sum(c.sector == r.sector for c, r in inside) / len(inside), 4)
                    if inside else None})
    return out


def _places(cases: list[Case], results: list[Structured]) -> dict:
    """Municipality precision where the pipeline answers, recall per kind of place named."""
    pairs = list(zip(cases, results, strict=True))
    answered = [(c, r) for c, r in pairs if r.municipality_oktmo]
    kinds: dict[str, dict] = {}
    for kind in sorted({c.place_kind for c in cases if c.place_kind}):
        of_kind = [(c, r) for c, r in pairs if c.place_kind == kind and c.oktmo]
        kinds[kind] = {"n": len(of_kind), "correct": sum(c.oktmo == r.municipality_oktmo for c, r in of_kind),
                       "wrong": sum(bool(r.municipality_oktmo) and c.oktmo != r.municipality_oktmo
                                    for c, r in of_kind)}
    told = [(c, r) for c, r in pairs if c.place_told]
    outside = [(c, r) for c, r in told if not is_capital(c.oktmo)]
    return {
        "answered": len(answered),
        "precision": round(sum(c.oktmo == r.municipality_oktmo for c, r in answered) / len(answered), 4)
        if answered else None,
        "recall_told": round(sum(c.oktmo == r.municipality_oktmo for c, r in told) / len(told), 4) if told else None,
        "recall_told_outside_capital": round(sum(c.oktmo == r.municipality_oktmo for c, r in outside) / len(outside),
                                             4) if outside else None,
        "by_kind": kinds,
    }


def report(cases: list[Case], results: list[Structured], *, shares: dict[str, float] | None = None) -> dict:
    """The figures of one set; `shares` (sector → share of a real stream) adds the sector figures
    weighted to those shares."""
    sector = classifier.evaluate([c.sector for c in cases], [r.sector for r in results], SECTORS)
    placed = [(c, r) for c, r in zip(cases, results, strict=True) if c.oktmo]
    unplaced = [(c, r) for c, r in zip(cases, results, strict=True) if not c.oktmo]
    answered = [(c, r) for c, r in placed if r.municipality_oktmo]
    weighted = classifier.evaluate([c.sector for c in cases], [r.sector for r in results], SECTORS,
                                   weights=_share_weights(cases, shares)) if shares else None
    three = {"roads": "roads", "housing_utilities": "housing_utilities"}
    return {
        "weighted": weighted,
        "roads_housing_rest_accuracy": round(sum(three.get(c.sector, "rest") == three.get(r.sector, "rest")
                                                 for c, r in zip(cases, results, strict=True)) / len(cases), 4),
        "bands": _bands(cases, results),
        "places": _places(cases, results),
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
    if w := result.get("weighted"):
        lines += ["", f"With the real streams' sector shares (structuring/data/sector_priors.csv): accuracy "
                      f"**{w['accuracy']:.3f}**, macro-F1 **{w['macro_f1']:.3f}**; roads / ЖКХ / rest accuracy "
                      f"{result['roads_housing_rest_accuracy']:.3f}."]
    p = result["places"]
    lines += ["", f"Municipality: answered {p['answered']} of {result['n']}, precision **{p['precision']}**; "
                  f"recall where the text tells the place {p['recall_told']}, outside the capitals "
                  f"**{p['recall_told_outside_capital']}**."]
    if p["by_kind"]:
        lines += ["", "| the text names | texts | correct | wrong | abstained |", "|---|---|---|---|---|"]
        for kind, k in p["by_kind"].items():
            abstained = k["n"] - k["correct"] - k["wrong"]
            lines.append(f"| {kind} | {k['n']} | {k['correct']} | {k['wrong']} | {abstained} |")
    lines += ["", "Accuracy of the sector by confidence (calibration):", "",
              "| confidence | texts | accuracy |", "|---|---|---|"]
    for band in result["bands"]:
        accuracy = "—" if band["accuracy"] is None else f"{band['accuracy']:.3f}"
        lines.append(f"| {band['from']:.2f}–{band['to']:.2f} | {band['n']} | {accuracy} |")
    return "\n".join(lines)
