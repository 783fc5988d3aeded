"""The card's files in a real browser: several files uploaded at once by static/js/upload.js (an
XMLHttpRequest with upload progress, no inline script under the CSP), the panel replaced with the
thumbnails, a refusal shown in place. Screenshots land in test-artifacts/."""

import pytest
from PIL import Image

from appeals.models import Attachment
from appeals.sources.emulator import demo_pdf
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_workspace_flow import login
from tests.personas import PESTRAVKA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_several_files_upload_with_progress_and_show_as_thumbnails(page, make_appeal, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    appeal = make_appeal(PESTRAVKA, text="Разбита дорога у школы, ямы глубиной по колено")
    photo, act, fake = tmp_path / "яма.jpg", tmp_path / "акт осмотра.pdf", tmp_path / "virus.pdf"
    Image.new("RGB", (1600, 1200), (90, 90, 90)).save(photo, quality=90)
    act.write_bytes(demo_pdf(1))
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    login(page, "pestravka_operator")
    page.goto(f"/appeals/{appeal.pk}/")
    panel = page.locator("#attachments")
    panel.locator("input[type=file]").set_input_files([str(photo), str(act)])
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/attachments/")) as sent:
        panel.locator("button[type=submit]").click()
    page.wait_for_selector("#attachments .attachment__thumb")

    assert sent.value.headers.get("x-requested-with") == "XMLHttpRequest"  # the script's request, not a reload
    assert page.locator("#attachments .attachment").count() == 2
    assert page.locator("#attachments .attachment--file").inner_text().startswith("акт осмотра.pdf")
    assert "PDF," in page.locator("#attachments .attachment--file").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attachments-1-uploaded.png"), full_page=True)

    page.locator("#attachments input[type=file]").set_input_files([str(fake)])
    page.locator("#attachments button[type=submit]").click()
    page.wait_for_selector("#attachments [data-upload-error]:has-text('virus.pdf')")
    assert "не принимаются" in page.locator("#attachments [data-upload-error]").inner_text()
    assert Attachment.objects.filter(appeal=appeal).count() == 2
    assert not [p for p in problems if "Content Security Policy" in p], problems
