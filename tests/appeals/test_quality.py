"""Anti-«отписка» flags on answers."""

import pytest

from appeals.demo import corpus
from appeals.lifecycle import quality

FORMAL = [t.format(date="01.01.2025", days=5) for t in corpus.FORMAL_ANSWERS]
GOOD = [t.format(date="01.01.2025", days=5) for texts in corpus.FINAL_ANSWERS.values() for t in texts]


def test_every_formal_reply_of_our_corpus_is_flagged():
    assert all(quality.answer_flags(text=t) for t in FORMAL)


def test_answers_on_the_merits_are_not_flagged():
    flagged = [t for t in GOOD if quality.answer_flags(text=t)]
    assert len(flagged) <= len(GOOD) // 20, flagged


@pytest.mark.parametrize(("text", "expected"), [
    ("Вопрос находится на контроле администрации.", [quality.TEMPLATE_ONLY, quality.NO_DATE_OR_ACTION]),
    ("Яма засыпана щебнем 14.03.2025, асфальтирование запланировано до 30.05.2025.", []),
    ("Работы будут выполнены.", [quality.NO_DATE_OR_ACTION]),
    ("В соответствии со ст. 14 Федерального закона № 131-ФЗ вопрос относится к полномочиям поселения.",
     [quality.NO_DATE_OR_ACTION, quality.LEGAL_WITHOUT_EXPLANATION]),
    ("ПРОВЕДЕНА РАБОТА. НАРУШЕНИЙ НЕТ.", [quality.TEMPLATE_ONLY, quality.NO_DATE_OR_ACTION]),
])
def test_it_names_what_is_missing(text, expected):
    assert quality.answer_flags(text=text) == expected


def test_evidence_is_required_where_the_subtopic_asks_for_it():
    text = "Контейнерная площадка очищена 12.05.2025."
    assert quality.answer_flags(text=text, evidence_required=True) == [quality.NO_EVIDENCE]
    assert quality.answer_flags(text=text, evidence_required=True, has_evidence=True) == []
    assert quality.answer_flags(text=text + " Фотоотчёт прилагается.", evidence_required=True) == []


def test_an_interim_answer_is_only_checked_for_templates():
    assert quality.answer_flags(text="Ваше обращение принято, бригада выедет на место.", is_interim=True) == []
    assert quality.answer_flags(text="Вопрос на контроле.", is_interim=True) == [quality.TEMPLATE_ONLY]
