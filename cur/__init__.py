"""The ЦУР platform project package: settings, urls, Celery app and the organisation."""

from .celery import app as celery_app

__all__ = ["celery_app"]
