"""Words of the domain shared by the organisation (deadline rules) and the appeals (DESIGN.md §2).

They live here, in `cur`, because the SLA rules of `cur` name them and `cur` must not import the
`appeals` app; `appeals.models` re-exports them.
"""

from django.db import models


class Kind(models.TextChoices):
    APPEAL = "appeal", "Обращение (59-ФЗ)"
    MESSAGE = "message", "Сообщение ПОС"
    INCIDENT = "incident", "Инцидент (соцсети)"


class Channel(models.TextChoices):
    POS = "pos", "ПОС «Решаем вместе»"
    INCIDENT = "incident", "Инцидент Менеджмент"
    LETTER = "letter", "Письмо"
    EMAIL = "email", "Электронная почта"
    PHONE = "phone", "Телефон"
    WEB = "web", "Веб-форма"
    API = "api", "REST API"
    OPEN311 = "open311", "Open311"


class Importance(models.TextChoices):
    NORMAL = "normal", "обычная"
    HIGH = "high", "высокая"
