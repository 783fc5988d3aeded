"""The WSGI entry point (gunicorn, `make run`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")
application = get_wsgi_application()


def freeze_startup() -> None:
    """Import every view now, then take what start-up allocated (Django, the models, the morphology's
    dictionaries: a quarter of a million objects) out of the garbage collector's sight: a full collection
    then walks a request's own objects only. Without it a page that builds a few thousand rows (the
    ratings) pauses 150–250 ms every few requests. The benchmarks call it too, to measure what is served."""
    get_resolver().url_patterns  # noqa: B018 — the attribute's evaluation imports every URLconf and view
    gc.freeze()


freeze_startup()
