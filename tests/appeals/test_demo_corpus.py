"""Checks for the synthetic demo corpus and text noise.

Plain pytest: no database, no Django; the modules are imported directly.
Outside the project environment (a bare venv with only pytest) run with
``python -m pytest -q tests/appeals/test_demo_corpus.py -p no:django
-o addopts="" --noconftest`` to skip the project's server plugin and the
Django conftest.
"""

from __future__ import annotations

import csv
import random
import re
import string
from pathlib import Path

import pytest

from appeals.demo import corpus, noise

ROOT = Path(__file__).resolve().parents[2]
RUBRICATOR = ROOT / "cur" / "data" / "rubricator.csv"

ALLOWED = {"place", "street", "house", "org_no", "days", "date"}
SAMPLE = {
    "place": "с. Пестравка",
    "street": "ул. Молодёжная",
    "house": "12а",
    "org_no": "7",
    "days": "5",
    "date": "12.03",
}
_FORMATTER = string.Formatter()
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _rubricator() -> list[dict[str, str]]:
    with RUBRICATOR.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


SUBTOPICS = sorted({row["subtopic_code"] for row in _rubricator()})
SECTORS = sorted({row["sector_code"] for row in _rubricator()})


def _templates() -> list[tuple[str, str]]:
    """(where, text) for every template string in the corpus."""
    out: list[tuple[str, str]] = []
    for name in ("APPEAL_TEXTS", "TITLES", "FINAL_ANSWERS"):
        for key, texts in getattr(corpus, name).items():
            out.extend((f"{name}[{key}]", t) for t in texts)
    for name in (
        "FORMAL_ANSWERS",
        "INTERIM_ANSWERS",
        "REWORK_REASONS",
        "CLARIFICATION_REQUESTS",
        "INCIDENT_PREFIXES",
    ):
        out.extend((name, t) for t in getattr(corpus, name))
    return out


def _all_appeal_texts() -> list[str]:
    return [t for texts in corpus.APPEAL_TEXTS.values() for t in texts]


# --- rubricator coverage ----------------------------------------------------


def test_rubricator_is_readable():
    assert len(SUBTOPICS) >= 60
    assert "housing.hot_water" in SUBTOPICS


@pytest.mark.parametrize("code", SUBTOPICS)
def test_every_subtopic_has_texts_and_titles(code):
    assert len(corpus.APPEAL_TEXTS.get(code, [])) >= 8, code
    assert len(corpus.TITLES.get(code, [])) >= 3, code


def test_no_unknown_subtopics():
    assert set(corpus.APPEAL_TEXTS) == set(SUBTOPICS)
    assert set(corpus.TITLES) == set(SUBTOPICS)


@pytest.mark.parametrize("code", SUBTOPICS)
def test_texts_vary_in_length(code):
    lengths = [len(t) for t in corpus.APPEAL_TEXTS[code]]
    assert min(lengths) <= 120, "needs a short one-liner"
    assert max(lengths) >= 300, "needs a long detailed letter"


def test_every_sector_has_final_answers():
    assert set(corpus.FINAL_ANSWERS) == set(SECTORS)
    for sector in SECTORS:
        assert len(corpus.FINAL_ANSWERS[sector]) >= 5, sector


def test_list_sizes():
    assert len(corpus.FORMAL_ANSWERS) >= 10
    assert len(corpus.INTERIM_ANSWERS) >= 6
    assert len(corpus.REWORK_REASONS) >= 6
    assert len(corpus.CLARIFICATION_REQUESTS) >= 4
    assert len(corpus.INCIDENT_PREFIXES) >= 10
    assert len(corpus.STREETS) >= 80
    for name in ("MALE_FIRST", "FEMALE_FIRST", "SURNAMES_MALE", "MALE_PATRONYMICS", "FEMALE_PATRONYMICS"):
        values = getattr(corpus, name)
        assert len(values) >= 40, name
        assert len(set(values)) == len(values), name


# --- templates ----------------------------------------------------------------


def test_templates_use_only_allowed_placeholders_and_format():
    for where, text in _templates():
        assert text == text.strip() and text, where
        for _literal, field, spec, conversion in _FORMATTER.parse(text):
            if field is None:
                continue
            assert field in ALLOWED, f"{where}: {{{field}}} in {text[:60]!r}"
            assert not spec and conversion is None, where
        text.format(**SAMPLE)


def test_answers_use_only_date_and_days():
    # The generator formats answers with date/days only (address is blank).
    answers = [a for texts in corpus.FINAL_ANSWERS.values() for a in texts]
    answers += corpus.INTERIM_ANSWERS + corpus.FORMAL_ANSWERS
    for text in answers:
        fields = {f for _l, f, _s, _c in _FORMATTER.parse(text) if f is not None}
        assert fields <= corpus.ANSWER_PLACEHOLDERS, text[:80]


def test_unformatted_lists_have_no_placeholders():
    plain = [t for titles in corpus.TITLES.values() for t in titles]
    plain += corpus.REWORK_REASONS + corpus.CLARIFICATION_REQUESTS + corpus.INCIDENT_PREFIXES + corpus.STREETS
    for text in plain:
        assert "{" not in text and "}" not in text, text


def test_placeholders_not_inflected():
    # A prefixed name ("с. Пестравка") cannot follow a preposition.
    bad = re.compile(r"(?i)(?<![\w-])(в|во|из|на|к|ко|по|с|со|у|от|до|для|около|возле)\s+\{place\}")
    for where, text in _templates():
        assert not bad.search(text), f"{where}: {text[:80]!r}"
        assert not re.search(r"\{(place|street)\}[а-яё]", text), where


def test_no_latin_letters_outside_placeholders():
    # Catches Latin look-alikes (c, o, a, e) typed inside Russian words.
    for where, text in _templates() + [("STREETS", s) for s in corpus.STREETS]:
        assert not re.search(r"[A-Za-z{}]", _PLACEHOLDER.sub("", text)), f"{where}: {text[:80]!r}"


def test_no_duplicate_texts():
    texts = _all_appeal_texts()
    normalised = [" ".join(t.lower().split()) for t in texts]
    assert len(set(normalised)) == len(normalised)
    for name in ("FORMAL_ANSWERS", "INTERIM_ANSWERS", "REWORK_REASONS", "STREETS"):
        values = getattr(corpus, name)
        assert len(set(values)) == len(values), name
    answers = [a for texts in corpus.FINAL_ANSWERS.values() for a in texts]
    assert len(set(answers)) == len(answers)
    for code, titles in corpus.TITLES.items():
        assert len(set(titles)) == len(titles), code


def test_most_but_not_all_texts_have_an_address():
    texts = _all_appeal_texts()
    with_address = sum(1 for t in texts if "{place}" in t or "{street}" in t)
    assert with_address / len(texts) > 0.5
    assert with_address < len(texts)


def test_formal_answers_have_no_date_or_placeholders():
    for text in corpus.FORMAL_ANSWERS:
        assert "{" not in text
        assert not re.search(r"\b\d{1,2}\.\d{2}\b(?!\.\d{4})", text), text


def test_interim_answers_mention_a_deadline_or_action():
    assert sum("{date}" in t for t in corpus.INTERIM_ANSWERS) >= 4


def test_final_answers_with_evidence_exist_per_sector():
    for sector, answers in corpus.FINAL_ANSWERS.items():
        assert any("{date}" in a for a in answers), sector
    evidence_sectors = {"roads", "waste", "housing_utilities", "other"}
    for sector in evidence_sectors:
        assert any("прилага" in a for a in corpus.FINAL_ANSWERS[sector]), sector


def test_surnames_have_derivable_female_forms():
    endings = ("ов", "ев", "ёв", "ин", "ский")
    invariable = ("енко", "ец", "ук", "их", "ых")
    for surname in corpus.SURNAMES_MALE:
        assert surname.endswith(endings + invariable), surname
    assert any(s.endswith(invariable) for s in corpus.SURNAMES_MALE)


def test_patronymic_forms():
    assert all(p.endswith(("ич",)) for p in corpus.MALE_PATRONYMICS)
    assert all(p.endswith(("вна", "чна")) for p in corpus.FEMALE_PATRONYMICS)


# --- noise ------------------------------------------------------------------------

NOISE_FUNCS = {
    "add_typos": lambda t, r: noise.add_typos(t, r),
    "add_typos_heavy": lambda t, r: noise.add_typos(t, r, rate=0.2),
    "shout": noise.shout,
    "casual": noise.casual,
    "noisify": noise.noisify,
}


def _noise_inputs() -> list[str]:
    texts = _all_appeal_texts()
    formatted = [t.format(**SAMPLE) for t in texts[::7]]
    return texts[::5] + formatted + ["Ямы.", "а", "12.03 в 7:40, д. 5", "!!!"]


@pytest.mark.parametrize("name", sorted(NOISE_FUNCS))
def test_noise_is_deterministic(name):
    func = NOISE_FUNCS[name]
    inputs = _noise_inputs()
    rng_a, rng_b = random.Random(2024), random.Random(2024)
    assert [func(t, rng_a) for t in inputs] == [func(t, rng_b) for t in inputs]


@pytest.mark.parametrize("name", sorted(NOISE_FUNCS))
def test_noise_keeps_digits_and_placeholders(name):
    func = NOISE_FUNCS[name]
    rng = random.Random(7)
    for text in _noise_inputs():
        for _ in range(3):
            out = func(text, rng)
            assert re.findall(r"\d", out) == re.findall(r"\d", text), (text, out)
            assert _PLACEHOLDER.findall(out) == _PLACEHOLDER.findall(text), (text, out)
            if "{" in text:
                out.format(**SAMPLE)


@pytest.mark.parametrize("name", sorted(NOISE_FUNCS))
@pytest.mark.parametrize("text", ["", " ", "\n"])
def test_noise_handles_empty_strings(name, text):
    assert NOISE_FUNCS[name](text, random.Random(1)) == text


def test_typos_change_text_at_high_rate():
    text = corpus.APPEAL_TEXTS["housing.heating"][3]
    rng = random.Random(3)
    assert noise.add_typos(text, rng, rate=0.05) != text
    assert noise.add_typos(text, rng, rate=0) == text


def test_shout_and_casual_shapes():
    rng = random.Random(11)
    text = "Нет горячей воды уже неделю. Когда дадут?"
    shouted = {noise.shout(text, rng) for _ in range(30)}
    assert all("!" in s for s in shouted)
    assert any(s.isupper() for s in (x.replace("!", "").replace("?", "") for x in shouted))
    casual = noise.casual("Дорогу не чистят.", rng)
    assert casual.startswith("д")
    assert not casual.endswith("Дорогу не чистят.")


def test_noisify_proportions_roughly_match_docstring():
    rng = random.Random(42)
    text = corpus.APPEAL_TEXTS["roads.potholes"][2]
    outputs = [noise.noisify(text, rng) for _ in range(4000)]
    untouched = sum(o == text for o in outputs) / len(outputs)
    shouted = sum("!!" in o for o in outputs) / len(outputs)
    lowered = sum(o[:1].islower() for o in outputs) / len(outputs)
    assert 0.25 < untouched < 0.45
    assert 0.07 < shouted < 0.13
    assert 0.11 < lowered < 0.19
