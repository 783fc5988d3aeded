"""The type of a file is told by its content, never by its name; limits of size and count; thumbnails
upright, small and without EXIF/GPS. Plain functions: no database."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from appeals.attachments import validation
from appeals.attachments.validation import AttachmentRefused, check_file, check_files, size_label
from tests.attachments.conftest import EXE, HTML, docx, heic, jpeg, office, pdf, png, upload


def refusal(file) -> str:
    with pytest.raises(AttachmentRefused) as refused:
        check_file(file)
    return " ".join(refused.value.messages)


def test_a_pdf_named_jpg_is_taken_as_what_it_is_a_pdf():
    checked = check_file(upload("photo.jpg", pdf(), "image/jpeg"))

    assert checked.type is validation.PDF
    assert checked.type.evidence and not checked.type.image
    assert checked.thumbnail is None
    assert checked.download_name == "photo.jpg.pdf"  # it opens in a PDF reader, not in a photo viewer


def test_an_exe_renamed_pdf_is_refused_with_the_file_named():
    message = refusal(upload("акт.pdf", EXE, "application/pdf"))

    assert "«акт.pdf»" in message and "EXE" in message and "не принимаются" in message


def test_an_html_page_named_photo_png_is_refused():
    message = refusal(upload("photo.png", HTML, "image/png"))

    assert "«photo.png»" in message and "тип содержимого не распознан" in message


def test_a_file_that_only_starts_like_a_jpeg_is_refused_as_damaged():
    whole = jpeg()
    message = refusal(upload("фото.jpg", whole[:600]))

    assert "«фото.jpg» повреждён" in message


def test_a_pdf_cut_short_is_refused():
    assert "повреждён" in refusal(upload("акт.pdf", pdf()[:-40]))


@pytest.mark.parametrize(("make", "expected"), [
    (jpeg, validation.JPEG), (png, validation.PNG), (heic, validation.HEIC), (pdf, validation.PDF),
    (docx, validation.DOCX),
    (lambda: office({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}), validation.XLSX),
    (lambda: office({"mimetype": validation.ODT.content_type, "content.xml": "<office/>"}), validation.ODT),
])
def test_each_allowed_type_is_recognised_whatever_the_name(make, expected):
    checked = check_file(upload("file.bin", make()))

    assert checked.type is expected
    assert (checked.thumbnail is not None) == expected.image


def test_webp_and_tiff_scans_are_photos_too():
    for fmt, expected in (("WEBP", validation.WEBP), ("TIFF", validation.TIFF)):
        out = io.BytesIO()
        Image.new("RGB", (300, 200), (1, 2, 3)).save(out, fmt)
        assert check_file(upload("scan", out.getvalue())).type is expected


def test_a_plain_zip_and_a_document_with_macros_are_refused():
    assert "архив ZIP" in refusal(upload("акт.docx", office({"readme.txt": "hello"})))
    assert "макросами" in refusal(upload("акт.docx", docx(macros=True)))


def test_a_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(validation, "ZIP_UNPACKED_LIMIT", 1024 * 1024)
    bomb = office({"[Content_Types].xml": "<Types/>", "word/document.xml": b"0" * (2 * 1024 * 1024)})
    assert len(bomb) < 20_000  # small to send, two megabytes unpacked

    assert "слишком большой объём" in refusal(upload("акт.docx", bomb))
    assert check_file(upload("акт.docx", docx())).type is validation.DOCX


@override_settings(CUR_ATTACHMENT_MAX_BYTES=2000)
def test_a_file_over_the_size_limit_is_refused_with_its_size():
    big = jpeg(800, 800)
    assert len(big) > 2000
    message = refusal(upload("большое.jpg", big))

    assert "«большое.jpg»" in message and f"{size_label(len(big))} — больше допустимых 2 КБ" in message


def test_an_empty_file_is_refused():
    assert "«пусто.pdf» пустой" in refusal(upload("пусто.pdf", b""))


@override_settings(CUR_ATTACHMENT_MAX_COUNT=3)
def test_more_files_than_the_count_limit_are_refused_at_once():
    files = [upload(f"{n}.pdf", pdf(n)) for n in range(4)]
    with pytest.raises(AttachmentRefused) as refused:
        check_files(files)

    assert refused.value.messages == ["За один раз — не больше 3 файлов; выбрано 4."]
    assert len(check_files(files[:3])) == 3


def test_one_bad_file_refuses_the_upload_and_every_reason_is_given():
    with pytest.raises(AttachmentRefused) as refused:
        check_files([upload("a.pdf", pdf()), upload("b.exe", EXE), upload("c.png", HTML)])

    assert len(refused.value.messages) == 2
    assert "«b.exe»" in refused.value.messages[0] and "«c.png»" in refused.value.messages[1]


def test_the_thumbnail_is_upright_small_and_carries_no_exif_or_gps():
    original = jpeg(1200, 800, orientation=6, gps=True)  # a phone held sideways, with its position
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the original does carry GPS

    checked = check_file(upload("двор.jpg", original))

    thumb = Image.open(io.BytesIO(checked.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= 320
    assert thumb.size[1] > thumb.size[0]  # orientation 6 applied: 1200×800 shown as portrait
    assert not thumb.getexif()  # no EXIF at all, so no GPS
    assert b"Exif" not in checked.thumbnail[:64]


def test_the_fingerprint_is_the_sha256_of_the_content():
    import hashlib

    data = pdf(7)
    assert check_file(upload("a.pdf", data)).sha256 == hashlib.sha256(data).hexdigest()


def test_sizes_read_in_russian():
    assert [size_label(n) for n in (512, 348_000, 1_258_291, 20 * 1024 * 1024)] == [
        "512 Б", "340 КБ", "1,2 МБ", "20 МБ"]


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(validation, "MAX_PIXELS", 640 * 400 - 1)
    assert "слишком большое" in refusal(upload("огромное.jpg", jpeg(640, 400)))
    monkeypatch.setattr(validation, "MAX_PIXELS", 640 * 400)
    assert check_file(upload("обычное.jpg", jpeg(640, 400))).type is validation.JPEG
