"""The automatic structuring on the card's timeline in words: «Тематика определена автоматически:
<тематика> / <подтема>, уверенность 86 %», not «Structured_at: — → тематика: …»."""

import re

import pytest
from django.urls import reverse

from appeals.models import AppealEvent
from structuring.services import AUTO_REASON, appeals_structure, auto_event_words, routing_rules_load_default
from tests.personas import PESTRAVKA, user

NBSP = "\u00a0"


def test_the_topic_reads_as_a_sentence():
    summary = ("тематика: Жилищно-коммунальное хозяйство; подтема: Нет горячей воды; уверенность: 0.86; "
               "МО: м.р. Пестравский; нас. пункт: с. Пестравка; адрес: ул. Молодёжная, д. 5; "
               "признаки ст. 11: no_name_or_address; предложенный исполнитель: МУП «ЖКХ»")
    assert auto_event_words(summary) == [
        f"Тематика определена автоматически: Жилищно-коммунальное хозяйство / Нет горячей воды, уверенность 86{NBSP}%",
        "Место определено автоматически: м.р. Пестравский, с. Пестравка, ул. Молодёжная, д. 5",
        "Признаки ст. 11 59-ФЗ: не указаны фамилия или адрес для ответа (ч. 1)",
        "Предложен исполнитель: МУП «ЖКХ»",
    ]


def test_an_event_written_before_names_what_changed():
    # events of earlier versions carry only the changed fields
    assert auto_event_words("подтема: Ямы на дороге; уверенность: 0.4") == [
        f"Тематика определена автоматически: Ямы на дороге, уверенность 40{NBSP}%"]
    assert auto_event_words("признаки ст. 11: —; предложенный исполнитель: —") == [
        "Признаков ст. 11 59-ФЗ не найдено", "Исполнитель не предложен: нет подходящего правила маршрутизации"]
    assert auto_event_words("адрес: ул. Мира; д. 1") == ["Место определено автоматически: ул. Мира; д. 1"]
    assert auto_event_words("") == ["Структурировано автоматически"]


@pytest.mark.django_db
def test_the_card_shows_the_structuring_in_words(client, make_appeal, structuring_model):
    routing_rules_load_default()
    appeal = make_appeal(PESTRAVKA, "other", text="На ул. Молодёжной, д. 5 третий день нет горячей воды")
    appeal.subtopic = None
    appeal.save(update_fields=["subtopic"])
    assert appeals_structure(appeal_ids=[appeal.pk]) == 1
    appeal.refresh_from_db()
    event = AppealEvent.objects.get(appeal=appeal, reason=AUTO_REASON)
    assert appeal.sector.name in event.new_value and appeal.subtopic.name in event.new_value  # the topic whole

    client.force_login(user("pestravka_operator"))
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    percent = round(appeal.structuring_confidence * 100)
    assert (f"Тематика определена автоматически: {appeal.sector.name} / {appeal.subtopic.name}, "
            f"уверенность {percent}{NBSP}%") in html
    assert not re.search(r"[Ss]tructured_at", html)
