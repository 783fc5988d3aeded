from django.apps import AppConfig


class StructuringConfig(AppConfig):
    name = "structuring"
    verbose_name = "Структурирование обращений"
