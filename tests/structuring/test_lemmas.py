"""The lemma cache's by-product: whether the dictionary knows a word, read from the lemma's own parse."""

import pytest

from structuring import lemmas

WORDS = ["яма", "еще", "ежик", "кто-то", "пятиэтажка", "последнтй", "шилан", "крте", "дипектору", "qwerty",
         "фывапролд", "сашка", "газопроовда", "мкр", "самаре"]


@pytest.mark.parametrize("word", WORDS)
def test_a_lemmatised_word_is_known_exactly_when_the_dictionary_says_so(word):
    lemmas._known_cache.pop(word, None)
    lemmas._lemma_cache.pop(word, None)
    lemmas.lemma_of(word)
    assert word in lemmas._known_cache  # answered by the parse, no second walk
    assert lemmas.is_known_word(word) == lemmas.morph().word_is_known(word)
