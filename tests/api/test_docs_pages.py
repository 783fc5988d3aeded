"""The integrator's pages: the schema, Swagger UI and Redoc from our own static files (no CDN), the guide; and the
schema agrees with the code (`spectacular --validate --fail-on-warn`)."""

import re

import pytest
from django.core.management import call_command
from django.test import Client


def test_the_schema_is_valid_and_agrees_with_the_code(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "/api/v1/appeals/" in schema and "bearer" in schema
    assert "Error" in schema and "Retry-After" in schema  # the one error shape on every operation


@pytest.mark.django_db
def test_the_schema_is_public_like_the_guide():
    response = Client().get("/api/schema/")
    assert response.status_code == 200 and b"openapi: 3" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/api/docs/", "/api/redoc/"])
def test_the_documentation_pages_load_only_our_own_files(address):
    response = Client().get(address)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not source.startswith(("http:", "https:", "//")) for source in sources), sources
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_the_guide_is_served_in_russian_and_english_and_links_its_documents():
    response = Client().get("/api/guide/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Руководство интегратора" in html or "руководство интегратора" in html
    assert 'id="english"' in html
    assert 'href="/api/guide/webhooks/"' in html and 'href="/api/guide/integrations/#rest-create"' in html
    assert Client().get("/api/guide/nonsense/").status_code == 404
