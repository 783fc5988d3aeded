"""59-ФЗ ст. 11 signs, cleanup of noisy texts, personal data found for masking."""

import pytest

from structuring.cleanup import clean_text
from structuring.flags import Citizen
from structuring.personal_data import find_personal_data, mask_personal_data
from structuring.pipeline import StructInput, structure_texts


def flags(text: str, citizen: Citizen | None = None) -> list[str]:
    return structure_texts([StructInput(text, citizen=citizen)], "samara")[0].flags


@pytest.mark.parametrize("text", [
    "Вы там все охуели, воды нет неделю",
    "Бл*ть, да сколько можно, сука, без света сидим",  # «сука» is enough
    "Убью главу, если не починят дорогу",
    "Я вас найду и сожгу вашу администрацию",
    "Тупые твари, ничего не делаете",
])
def test_obscene_or_threatening(text):
    assert "obscene_or_threatening" in flags(text)


@pytest.mark.parametrize("text", [
    "Прошу ограничить употребление пиротехники у школы",  # «употребление» is not obscene
    "Оскорбляют ли водители пассажиров — проверьте, пожалуйста",
    "Хулиганы разбили остановку, прошу восстановить",
    "Ребёнок учится в школе, нет учебников",
])
def test_ordinary_words_are_not_obscene(text):
    assert "obscene_or_threatening" not in flags(text)


@pytest.mark.parametrize("text", ["", "   ", "ааа ыыы ооо", "ghbdtn vs yt vj;tv gjkexbnm jndtn",
                                  "ывапрол джэ ячсмить бюйцук", "???!!!", "12345 678"])
def test_unreadable(text):
    assert "unreadable" in flags(text)


def test_a_normal_text_is_readable():
    assert flags("Третий день нет горячей воды в доме 5 по улице Молодёжной") == []


def test_no_name_or_address_is_judged_only_with_the_citizens_details():
    text = "Нет воды третий день"
    assert "no_name_or_address" not in flags(text)
    assert "no_name_or_address" in flags(text, Citizen(name="", address="Пестравка, ул. Мира, 1"))
    assert "no_name_or_address" in flags(text, Citizen(name="Петров", address="", email=""))
    assert "no_name_or_address" not in flags(text, Citizen(name="Петров", address="", email="p@example.ru"))
    assert "no_name_or_address" not in flags(text, Citizen(name="Петров Иван", address="с. Мосты, ул. Мира, 1"))


def test_cleanup_strips_markup_entities_emoji_and_noise():
    cleaned = clean_text("<p>Нет&nbsp;воды!!!!!</p><script>evil()</script> 😡😡 &laquo;УК&raquo; молчит??? "
                         "ооочень плохо")
    assert cleaned.text == "Нет воды!\n«УК» молчит? очень плохо"
    assert not cleaned.shouting
    assert clean_text("НЕТ ВОДЫ ТРЕТИЙ ДЕНЬ, УПРАВЛЯЙКА МОЛЧИТ").shouting


def test_cleanup_repairs_latin_look_alikes_inside_russian_words():
    assert clean_text("Пecтpaвкa").text == "Пестравка"


def test_personal_data_is_found_and_masked():
    text = ("Иванов Иван Иванович, тел. +7 (927) 123-45-67, 8 846 222 33 44, ivanov@mail.ru, СНИЛС 123-456-789 01; "
            "соседка Петрова А.С. тоже жалуется.")
    kinds = [span.kind for span in find_personal_data(text)]
    assert kinds.count("phone") == 2
    assert {"name", "email", "snils"} <= set(kinds)
    masked = mask_personal_data(text)
    for secret in ("Иванов", "927", "222 33 44", "ivanov@", "123-456-789", "Петрова"):
        assert secret not in masked
    assert "[телефон]" in masked and "[ФИО]" in masked


def test_the_pipeline_reports_personal_data_with_names_from_the_dictionary():
    result = structure_texts([StructInput("Меня зовут Анна Сергеевна Кузнецова, нет света")], "samara")[0]
    assert [s.kind for s in result.personal_data] == ["name"]


def test_places_and_ordinary_numbers_are_not_personal_data():
    # a flat («дом 5, кв. 7») is a home address since issue 11: tests/structuring/test_personal_addresses.py
    assert find_personal_data("В Пестравке 12.03 в 10:30 не было воды, дом 5, подъезд 2, 2024 год") == []
