"""The pages an integrator reads before writing a line: Swagger UI and Redoc over /api/schema/ (from the
drf-spectacular-sidecar wheel: our own static files, no CDN), and the guide docs/api.md rendered from its one
Markdown source. All public, like the schema: an integrator reads them before having a token."""

import re
from functools import lru_cache
from pathlib import Path

import markdown
from csp.decorators import csp_update
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS = Path(settings.BASE_DIR) / "docs"
# The guide and the documents it links to, each a page of its own; a link between them stays a link.
GUIDES = {"api": "api.md", "webhooks": "webhooks.md", "open311": "open311.md", "integrations": "integrations.md"}
LINK = re.compile('href="(' + "|".join(re.escape(name) for name in GUIDES.values()) + ')(#[^"]*)?"')
# Swagger UI and Redoc set styles from their scripts (style attributes, styled-components): these two pages may
# use inline styles, never inline scripts; Redoc renders in a blob: worker.
DOC_PAGE_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


@method_decorator(csp_update(DOC_PAGE_CSP), name="dispatch")
class SwaggerPage(SpectacularSwaggerSplitView):
    """Swagger UI; its script is served from a second address (the split view), so the page needs no inline script."""


@method_decorator(csp_update(DOC_PAGE_CSP), name="dispatch")
class RedocPage(SpectacularRedocView):
    pass


@lru_cache(maxsize=len(GUIDES))
def _guide_html(name: str) -> str:
    html = markdown.markdown((DOCS / GUIDES[name]).read_text(encoding="utf-8"),
                             extensions=["tables", "fenced_code", "toc"])
    pages = {file: key for key, file in GUIDES.items()}
    return LINK.sub(lambda m: f'href="{reverse("api-guide-page", args=[pages[m[1]]])}{m[2] or ""}"', html)


def guide(request, name: str = "api"):
    """docs/api.md (or a document it links to) as a page: how an integrator starts, in Russian and English."""
    if name not in GUIDES or not (DOCS / GUIDES[name]).exists():
        raise Http404
    return render(request, "api/guide.html", {"guide": mark_safe(_guide_html(name))})  # our own files, not input
