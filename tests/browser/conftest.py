"""Real-browser tests: Playwright drives Debian's chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the system chromium is used. Without it the
browser tests are skipped with the reason shown — except in CI (CI=true), where `.ci/run` installs
chromium and its absence is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in the test thread; the ORM calls of fixtures are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def demo_mode(settings):
    """The browser tests log in with the login page's demo buttons, which only demo mode shows (the
    settings' default is off; `make run` turns it on)."""
    settings.CUR_DEMO = True


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM}: install Debian's `chromium` to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, reference, request):
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, locale="ru-RU",
                                   base_url=live_server.url)
    page = context.new_page()
    requests_outside = []
    page.on("request", lambda r: requests_outside.append(r.url)
            if not r.url.startswith((live_server.url, "data:")) else None)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert requests_outside == [], "the page loaded something from outside the platform"
