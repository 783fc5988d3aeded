"""Attachment tests: files made on the spot (real JPEG/PNG/HEIC/PDF/DOCX bytes, and impostors), stored
in the test's own media folder, never in ./var/media."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals.sources.emulator import demo_pdf


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg(width: int = 640, height: int = 400, *, orientation: int | None = None, gps: bool = False,
         color=(180, 40, 40)) -> bytes:
    image = Image.new("RGB", (width, height), color)
    image.paste((20, 20, 200), (0, 0, width // 4, height))  # a blue band on the left: orientation visible
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (53.0, 12.0, 0.0), 3: "E", 4: (50.0, 9.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def png(width: int = 80, height: int = 60) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


def heic() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 120, 10)).save(out, "HEIF")
    return out.getvalue()


def pdf(number: int = 1) -> bytes:
    return demo_pdf(number)


def office(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def docx(*, macros: bool = False) -> bytes:
    parts = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document>Акт</w:document>"}
    if macros:
        parts["word/vbaProject.bin"] = b"\x00" * 64
    return office(parts)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """The browser's claimed type is whatever it says; the platform ignores it."""
    return SimpleUploadedFile(name, data, content_type=content_type)
