from django.apps import AppConfig


class CurConfig(AppConfig):
    name = "cur"
    verbose_name = "Организация ЦУР"
