"""Municipality and settlement from the text for both regions; abstention; street and house."""

import pytest

from municipalities.models import Settlement
from structuring.address import find_address
from structuring.pipeline import StructInput, structure_texts

PESTRAVSKY, SAMARA, TOLYATTI, SYZRAN = "36632000", "36701000", "36740000", "36735000"
NOVOCHEBOKSARSK, CHEBOKSARY, VURNARSKY, CHEBOKSARSKY = "97710000", "97701000", "97610000", "97644000"


def place(text: str, region: str = "samara", **kwargs):
    return structure_texts([StructInput(text, **kwargs)], region)[0]


@pytest.mark.parametrize("text, oktmo", [
    ("В Пестравке третий день нет воды", PESTRAVSKY),
    ("Пишу из Пестравки: не вывозят мусор", PESTRAVSKY),
    ("В Пестравском районе дороги разбиты", PESTRAVSKY),
    ("Пестравский р-н, нет света", PESTRAVSKY),
    ("м.р. Пестравский, с. Мосты: нет фельдшера", PESTRAVSKY),
    ("Тольятти, яма на дороге", TOLYATTI),
    ("в тольятти не ходит автобус", TOLYATTI),
    ("г.о. Сызрань, нет отопления", SYZRAN),
    ("В Сызрани холодно в школе", SYZRAN),
    ("Самара, Кировский район: лифт не работает", SAMARA),
    ("В Автозаводском районе не убирают снег", TOLYATTI),
    ("Пестравская ЦРБ не принимает", PESTRAVSKY),
])
def test_it_finds_samara_places_in_any_case(text, oktmo):
    assert place(text).municipality_oktmo == oktmo


@pytest.mark.parametrize("text, oktmo", [
    ("Из Новочебоксарска пишу: нет горячей воды", NOVOCHEBOKSARSK),
    ("В Чебоксарах не чистят снег", CHEBOKSARY),
    ("в Вурнарах закрыли аптеку", VURNARSKY),
    ("Вурнарский район, с. Калинино — нет газа", VURNARSKY),
    ("Кугеси: школьный автобус не ходит", CHEBOKSARSKY),
    ("В Чебоксарском районе нет света", CHEBOKSARSKY),
    ("в Новых Шальтямах нет дороги", "97616000"),
    ("Мариинский Посад — флюорограф сломан", "97629000"),
])
def test_it_finds_chuvashia_places_in_any_case(text, oktmo):
    assert place(text, "chuvashia").municipality_oktmo == oktmo


def test_the_region_decides_which_gazetteer_is_read():
    assert place("Из Новочебоксарска пишу", "samara").municipality_oktmo is None


def test_it_names_the_settlement_inside_the_municipality():
    result = place("Пестравский район, с. Марьевка: нет воды")
    assert Settlement.objects.get(pk=result.settlement_id).name == "Марьевка"


@pytest.mark.parametrize("text", [
    "Мосты через реку разбиты",  # the word, not the village Мосты
    "Высокое напряжение сжигает технику",  # not the village Высокое
    "Задают столько домашки, что ребёнок сидит до ночи. Учителя не слышат.",  # not the village Домашка
    "Живу на ул. Тольятти, нет света",  # a street, not the city
    "ВЫСОКОЕ НАПРЯЖЕНИЕ, ГОРИТ ТЕХНИКА",
])
def test_it_does_not_take_ordinary_words_for_places(text):
    assert place(text).municipality_oktmo is None


def test_it_abstains_when_places_compete():
    result = place("Живу в Тольятти, а дача в Пестравке, там нет света")
    assert result.municipality_oktmo is None
    assert result.municipality_confidence < 0.5


def test_it_abstains_on_a_name_shared_by_two_municipalities():
    # Центральный район is a district of Тольятти and of Сызрань
    assert place("Центральный район, нет воды").municipality_oktmo is None


def test_it_falls_back_to_the_source_territory():
    result = place("Нет воды третий день", municipality_oktmo=TOLYATTI)
    assert result.municipality_oktmo == TOLYATTI
    assert 0.5 <= result.municipality_confidence < 0.9


def test_the_text_outweighs_the_source_territory():
    assert place("В Пестравке нет воды", municipality_oktmo=TOLYATTI).municipality_oktmo == PESTRAVSKY


@pytest.mark.parametrize("text, address", [
    ("В с. Пестравка на ул. Молодёжной, д. 5 нет воды", "ул. Молодёжная, д. 5"),
    ("живу на Молодежной 5, нет света", "ул. Молодёжная, д. 5"),
    ("пр-т Ленина 12/1 — яма", "пр-т Ленина, д. 12/1"),
    ("ул.Садовая,д.7а", "ул. Садовая, д. 7а"),
    ("Московское шоссе, 18", "ш. Московское, д. 18"),
    ("улица 50 лет Октября, дом 3 корпус 2", "ул. 50 лет Октября, д. 3 к. 2"),
    ("НА УЛ. МОЛОДЕЖНОЙ Д. 5 НЕТ ВОДЫ", "ул. Молодёжная, д. 5"),
    ("напротив школы на улице Гагарина", "ул. Гагарина"),
])
def test_it_extracts_street_and_house(text, address):
    assert str(find_address(text)) == address


def test_the_pipeline_returns_street_and_house_apart():
    result = place("Пестравка, ул. Молодёжная, д. 5: нет горячей воды")
    assert (result.street, result.house, result.address) == ("ул. Молодёжная", "5", "ул. Молодёжная, д. 5")


def test_no_address_without_a_street():
    assert find_address("Нет воды во всём селе") is None
