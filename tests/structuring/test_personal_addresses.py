"""A citizen's home address is personal data (152-ФЗ): a flat, «проживаю по адресу …», a private house.
The place of a problem — a street and a house — is not: operators route by it, every role sees it."""

import time

import pytest

from structuring.personal_data import find_personal_data, mask_personal_data


def addresses(text: str) -> list[str]:
    return [span.text for span in find_personal_data(text) if span.kind == "address"]


@pytest.mark.parametrize(("text", "secret"), [
    ("Протекает крыша, ул. Ленина, д. 10, кв. 5, третий год", "ул. Ленина, д. 10, кв. 5"),
    ("Пишу из квартиры: улица Садовая 12, квартира 34.", "улица Садовая 12, квартира 34"),
    ("Течёт с потолка, пр-т Кирова, д. 3, корп. 2, кв. 117", "пр-т Кирова, д. 3, корп. 2, кв. 117"),
    ("В Пестравке не было воды, дом 5, кв. 7, с утра", "дом 5, кв. 7"),
    ("Затопили соседи сверху, кв.12 нашего подъезда", "кв.12"),
    ("Проживаю по адресу: 446160, Самарская обл., с. Пестравка, ул. Садовая, д. 12. Прошу помочь",
     "446160, Самарская обл., с. Пестравка, ул. Садовая, д. 12"),
    ("Я зарегистрирована по адресу ул. Мира 7, но живу у дочери", "ул. Мира 7"),
    ("Адрес проживания: с. Мосты, ул. Луговая, 3а.", "с. Мосты, ул. Луговая, 3а"),
    ("У меня частный дом на ул. Полевой, 15, вода не доходит", "на ул. Полевой, 15"),
    ("Мой адрес - пер. Школьный, дом 4, прошу ответить письмом", "пер. Школьный, дом 4"),
])
def test_a_home_address_is_personal_data(text, secret):
    assert addresses(text) == [secret]
    masked = mask_personal_data(text)
    assert secret not in masked and "[адрес]" in masked


@pytest.mark.parametrize("text", [
    "Яма у дома 5 по ул. Молодёжной, машины объезжают",
    "Прошу восстановить подачу горячей воды. Адрес: ул. Молодёжная, д. 5",
    "Нет горячей воды третий день, ул. Молодёжная, д. 5",
    "На ул. Советской, 12 не горит фонарь",
    "В квартире холодно, батареи еле тёплые, ул. Советская, 12",
    "Проживающие в доме 5 жалуются на подвал",  # no address follows the word
    "Квартира 2024 года постройки",  # a year is not a flat number, and nothing names a house
])
def test_the_place_of_a_problem_is_not_personal_data(text):
    assert addresses(text) == []
    assert mask_personal_data(text) == text


def test_the_home_address_is_masked_whole_and_the_rest_of_the_text_stays():
    text = ("Яма у дома 5 по ул. Молодёжной. Проживаю по адресу: ул. Садовая, д. 12, кв. 34. "
            "Кузнецова Ольга Викторовна, тел. +7 927 555-13-97")
    masked = mask_personal_data(text)
    assert masked == "Яма у дома 5 по ул. Молодёжной. Проживаю по адресу: [адрес]. [ФИО], тел. [телефон]"


def test_address_patterns_stay_cheap_on_long_and_hostile_texts():
    # intake structures ≥ 200 texts a second per core: no pattern may backtrack on a long text
    hostile = ("проживаю по адресу ул. " + "Садовая, " * 2000 + "\n") + ("кв " * 5000) + ("ул. А " * 3000)
    started = time.perf_counter()
    find_personal_data(hostile)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(("text", "secret"), [
    ("Живу на ул. Садовой, 12, во дворе яма", "на ул. Садовой, 12"),
    ("Проживаю в доме 7 по ул. Лесной, подвал затоплен", "в доме 7"),
])
def test_living_at_a_street_or_a_house_is_a_home_address(text, secret):
    assert addresses(text) == [secret]


def test_living_in_a_village_or_a_decimal_number_is_not_an_address():
    assert addresses("Здравствуйте. Мы живём в Пестравке, сыну 3,5 года, а в садик его не берут") == []
