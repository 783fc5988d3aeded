"""The product stands on its own: no run-time path into ../shared, no asset from the internet."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_DIRS = ["cur", "appeals", "municipalities", "ratings", "heatmap", "templates"]


def product_files(*suffixes):
    for directory in PRODUCT_DIRS:
        for path in (ROOT / directory).rglob("*"):
            if path.suffix in suffixes and "__pycache__" not in path.parts:
                yield path


def test_nothing_reads_the_shared_folder_at_run_time():
    offenders = [p for p in product_files(".py", ".html") if re.search(r"\.\./shared|shared/data", p.read_text())]
    assert offenders == []


def test_templates_load_no_asset_from_outside():
    pattern = re.compile(r"""(src|href)=["'](https?:)?//""")
    offenders = [p for p in product_files(".html") if pattern.search(p.read_text())]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("asset", ["vendor/htmx.min.js", "vendor/plotly.min.js", "css/cur.css", "css/fonts.css"])
def test_static_assets_are_served_by_the_project(client, asset):
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


@pytest.mark.django_db
def test_the_ui_is_in_russian(client):
    page = client.get("/login/").content.decode()
    assert 'lang="ru"' in page and "Войти" in page
