from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = "Обращения"

    def ready(self):
        # the source adapters register themselves with intake (appeals/intake/registry.py)
        from appeals.sources import files, im, pos  # noqa: F401
