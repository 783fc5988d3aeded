"""Security headers: a Content-Security-Policy the pages satisfy (nothing inline, every asset ours),
`Cache-Control: private, no-store` on everything with personal data, HSTS / secure cookies / HTTPS
redirect in production, and `manage.py check --deploy` clean with the production settings."""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tests.personas import PESTRAVKA, client_token, user

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# a chart's figure is a JSON data block (json_script), never run: the policy does not apply to it
INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.wsgi_request.path}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        values = csp.get(directive, csp["default-src"])
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, (directive, values)
        assert all(v == "'self'" for v in values), (directive, values)
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]


@pytest.fixture
def pages(client, make_appeal):
    appeal = make_appeal(PESTRAVKA, citizen_phone="+7 917 123-45-67")
    client.force_login(user("pestravka_operator"))
    return client, [
        "/", "/appeals/", "/appeals/?q=вода&state=open", f"/appeals/{appeal.pk}/", "/appeals/problems/",
        "/heatmap/", "/ratings/", "/appeals/quarantine/", "/appeals/import/", "/appeals/intake/new/",
    ], appeal


def test_every_page_carries_a_strict_policy_and_has_nothing_inline(pages):
    client, urls, _ = pages
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group())
        assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html).group())
        assert not HANDLER.search(html), (url, HANDLER.search(html).group())


def test_the_login_page_and_the_admin_carry_the_same_policy(client):
    assert_strict(client.get("/login/"))
    client.force_login(user("admin"))
    for url in ("/admin/", "/admin/cur/subtopic/", "/admin/cur/sector/add/", "/admin/auth/user/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)
        assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_no_template_has_an_inline_script_a_style_attribute_or_a_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, HANDLER):
            offenders += [f"{path.relative_to(ROOT)}: {m.group()}" for m in pattern.finditer(text)]
    assert offenders == []


def test_pages_exports_and_the_api_with_personal_data_are_never_stored(pages):
    client, urls, appeal = pages
    token = client_token("cur_integrator")
    responses = [client.get(url) for url in urls] + [
        client.get("/appeals/export.csv"),
        client.get("/api/v1/appeals/"),
        client.get(f"/api/v1/appeals/{appeal.pk}/"),
        client.get("/api/v1/appeals/", HTTP_AUTHORIZATION=f"Bearer {token}"),
    ]
    for response in responses:
        assert response.status_code == 200, response.wsgi_request.get_full_path()
        cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (response.wsgi_request.get_full_path(), cache_control)


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/cur.css")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def production_env(**extra) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cur.settings", HTTPS="1", DEBUG="0",
               SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
               ALLOWED_HOSTS="cur.example.ru", CSRF_TRUSTED_ORIGINS="https://cur.example.ru")
    for variable in ("CUR_DEMO", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the latter is the browser tests', never production's
        env.pop(variable, None)
    # the test database: its reference rows are committed, so a page renders in the child process too
    parts = urlsplit(os.environ["DATABASE_URL"])
    env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_the_production_settings():
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output


PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="cur.example.ru")
login = client.get("/login/")
health = client.get("/healthz")
secure = client.get("/login/", secure=True)
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)
print(login.status_code, login.get("Location"))
print(health.status_code)
print(secure.status_code, secure.get("Strict-Transport-Security"))
"""


def test_https_redirects_sets_hsts_and_secure_cookies_but_lets_the_local_probe_through():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=production_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    cookies, login, health, secure = result.stdout.strip().splitlines()[-4:]
    cookie_secure, csrf_secure, hsts = cookies.split()
    assert cookie_secure == csrf_secure == "True" and int(hsts) >= 31_536_000
    assert login == "301 https://cur.example.ru/login/"
    assert health in ("200", "503")  # answered, not redirected: the container's probe speaks plain HTTP
    status, header = secure.split(" ", 1)
    assert status == "200" and "max-age=31536000" in header and "includeSubDomains" in header


def test_the_plotly_stylesheets_and_ids_match_the_vendored_bundle():
    """plotly.js injects <style> elements unless the page holds its stylesheets under the ids it checks;
    after an update of plotly.min.js, `manage.py vendor_plotly_css` and the id in the partial follow."""
    from django.template.loader import render_to_string

    from cur.plotly_assets import BUNDLE, PLOTLY_STYLE_ID, maplibre_style, stylesheets

    for path, text in stylesheets().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run manage.py vendor_plotly_css"
    partial = render_to_string("cur/_plotly.html")
    maplibre_id = maplibre_style(BUNDLE.read_text(encoding="utf-8"))[0]
    assert f'id="{PLOTLY_STYLE_ID}" class="no-inline-styles"' in partial
    assert f'id="{maplibre_id}"' in partial
    assert not INLINE_SCRIPT.search(partial) and not INLINE_STYLE.search(partial)
