"""Anti-«отписка» flags on answers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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


# --- a concrete date and action (issue 13): real-looking answers, the answer written on 1 December 2026 ---

AT = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Samara"))

ON_THE_MERITS = [
    "Яма на ул. Ленина, 5 засыпана щебнем 28.11.2026, асфальтирование запланировано на май 2027 г.",
    "Замена трубы холодного водоснабжения в подвале дома № 12 будет выполнена до 15 декабря.",
    "Ремонт кровли над третьим подъездом включён в план капитального ремонта на 2027 год.",
    "Ремонт дороги по ул. Садовой запланирован на II квартал 2027 года, подрядчик определён по контракту.",
    "Покос травы на детской площадке будет произведён в течение 3 дней.",
    "Переполненные контейнеры на площадке у дома 7 будут вывезены до конца недели.",
    "Освещение на ул. Мира будет восстановлено весной 2027 года после замены кабельной линии.",
    "Асфальтирование участка от школы до остановки будет выполнено в мае 2027 года.",
    "Работы по прочистке ливнёвки выполнены 25 ноября, фотоотчёт прилагается.",
    "Подрядчик приступит к ремонту лестничных маршей в срок до 10 декабря 2026 г.",
    "Аварийная бригада выедет на место завтра с 9:00 до 12:00, просим обеспечить доступ в подвал.",
    "Сегодня сотрудниками МУП «Водоканал» заменён участок трубы длиной 6 м, водоснабжение восстановлено.",
    "Аварийное дерево спилено 27.11.2026, порубочные остатки будут вывезены до 05.12.2026.",
    "Перерасчёт платы за отопление произведён, сумма 1 240 руб. отражена в квитанции за ноябрь 2026 г.",
    "ГОРЯЧЕЕ ВОДОСНАБЖЕНИЕ ВОССТАНОВЛЕНО 30.11.2026 В 16:00, ПРИЧИНА ОТКЛЮЧЕНИЯ — ПОРЫВ НА СЕТИ.",
    "Лифт в Вашем подъезде отремонтирован 26 ноября 2026 года: заменён привод дверей кабины.",
    "Установка дорожного знака «Дети» у школы № 3 предусмотрена на I квартал 2027 г.",
    "Тротуар по ул. Гагарина будет отремонтирован летом 2027 года в рамках программы «Безопасные дороги».",
    "Ямочный ремонт выполнен литым асфальтом 20.11.2026; повторная проверка участка назначена на 10.12.2026.",
    "Сообщаем, что 29 ноября специалисты управляющей компании отрегулировали систему отопления, "
    "температура в квартире +22 °С, акт замера прилагается.",
    "Замену оконных блоков в школе планируется выполнить во втором полугодии 2027 года.",
    "Свалка у гаражей ликвидирована 24.11.2026: вывезено 18 м³ мусора, установлен знак о запрете.",
    "Водопропускная труба под дорогой будет заменена в течение 10 рабочих дней после схода снега.",
    "Мы заменим неисправный светильник на опоре № 14 на этой неделе.",
    "Остановочный павильон установлен вчера, скамейка и урна смонтированы.",
    "Начисление за вывоз ТКО исключено с 01.10.2026, корректировка отражена в квитанции за ноябрь.",
    "Ограждение контейнерной площадки будет восстановлено в декабре, материалы закуплены 27.11.2026.",
    "Контрольный замер напряжения проведён 23 ноября, переключение отпаек трансформатора выполнено.",
    "Дефекты асфальта будут устранены подрядчиком по гарантии осенью 2027 г.",
    "Ремонт моста через р. Чапаевка включён в адресную программу; работы начнутся в III квартале 2027 г.",
    "С 01.12.2026 маршрут № 112 изменён: добавлена остановка «Поликлиника».",
    "Подача газа в дом возобновлена 30 ноября после замены регулятора давления.",
    "Уборка снега во дворе будет организована до 5 декабря, трактор закреплён за участком.",
]

MISSING_DATE_OR_ACTION = [
    "Ваше обращение рассмотрено, вопрос на контроле.",
    "Работы будут выполнены в ближайшее время.",
    "Вопрос будет решён в кратчайшие сроки.",
    "Мусор вывезен.",
    "Сообщаем, что работы по ремонту не выполнены 28.11.2026 из-за погоды.",
    "Работы выполнены 15.12.2026.",  # a report of what has not happened yet
    "Замена светильников будет выполнена 20.11.2026.",  # a promise whose date has passed
    "Информация принята к сведению, ремонт дороги — по мере финансирования.",
    "Ваше обращение поступило 25.11.2026 и рассмотрено.",
    "Установлено, что 28.11.2026 управляющая компания уже получила заявку.",
    "Ремонт подъезда необходим, вопрос изучается.",
    "В соответствии с Федеральным законом от 02.05.2006 № 59-ФЗ Ваше обращение рассмотрено.",
    "Обращение рассмотрено в установленный срок.",
]


@pytest.mark.parametrize("text", ON_THE_MERITS)
def test_an_answer_that_names_a_date_and_an_action_is_not_flagged(text):
    assert quality.NO_DATE_OR_ACTION not in quality.answer_flags(text=text, at=AT), (
        quality.date_mentions(text, today=AT.date()), quality.action_forms(text))


@pytest.mark.parametrize("text", MISSING_DATE_OR_ACTION)
def test_an_answer_without_a_concrete_date_and_action_is_flagged(text):
    assert quality.NO_DATE_OR_ACTION in quality.answer_flags(text=text, at=AT)


def test_the_answers_own_moment_decides_past_and_future():
    plan = "Доплата будет перечислена на Ваш счёт до 15.12.2026."
    assert quality.answer_flags(text=plan, at=AT) == []
    assert quality.answer_flags(text=plan, at=AT + timedelta(days=30)) == [quality.NO_DATE_OR_ACTION]
    report = "Светильники заменены 15.12.2026."
    assert quality.answer_flags(text=report, at=AT) == [quality.NO_DATE_OR_ACTION]
    assert quality.answer_flags(text=report, at=AT + timedelta(days=30)) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("15.12.2026", "future"), ("28.11.26", "past"), ("15 декабря", "future"), ("до 20 декабря 2026 г.", "future"),
    ("28 ноября", "past"), ("до 15 января", "future"),  # no year: the nearest one
    ("на май 2027 г.", "future"), ("мая 2027 года", "future"), ("в МАЕ 2025 года", "past"), ("в декабре", "now"),
    ("во II квартале", "future"), ("в 3 квартале 2026 г.", "past"), ("весной 2027", "future"),
    ("осенью 2026 года", "past"), ("в 2027 году", "future"), ("в течение 3 дней", "future"),
    ("в течение трёх рабочих дней", "future"), ("до конца недели", "future"), ("в срок до начала сезона", "future"),
    ("вчера", "past"), ("сегодня", "now"),
])
def test_it_reads_dates_and_periods(text, kind):
    assert quality.date_mentions(text, today=AT.date()) == [kind]


@pytest.mark.parametrize("text", [
    "ст. 12.15 КоАП РФ", "п. 3.2 договора", "по СП 59.13330", "с 10.00 до 13.00", "стаж 12 лет",
    "30.02.2026", "в ближайшее время", "в кратчайшие сроки",
])
def test_numbers_that_are_not_dates_are_not_read_as_dates(text):
    assert quality.date_mentions(text, today=AT.date()) == []


def test_the_hints_say_in_plain_russian_what_to_add():
    assert quality.answer_check(text="Ваше обращение рассмотрено, вопрос на контроле.", at=AT).hints == [
        quality.HINT_TEMPLATE, quality.HINT_DATE, quality.HINT_ACTION]
    assert quality.answer_check(text="Мусор вывезен.", at=AT).hints == [quality.HINT_DATE]
    assert quality.answer_check(text="Работы выполнены 15.12.2026.", at=AT).hints == [quality.HINT_FUTURE_DONE]
    assert quality.answer_check(text="Замена будет выполнена 20.11.2026.", at=AT).hints == [quality.HINT_PAST_PLAN]
    assert quality.answer_check(text="Контейнерная площадка очищена 12.05.2025.", at=AT,
                                evidence_required=True).hints == [quality.HINT_EVIDENCE]
    assert "Назовите срок: до какого числа будет сделано" in quality.HINT_DATE
    assert quality.answer_check(text=ON_THE_MERITS[0], at=AT) == quality.Check(flags=[], hints=[])
