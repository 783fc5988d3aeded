"""What a file is, told by its content — never by its name — and whether it may be kept.

Allowed: photos (JPEG, PNG, WebP, HEIC), scans (TIFF, PDF) and office documents (DOCX, XLSX, ODT, each a
ZIP container whose parts are checked). An image is decoded with Pillow (a file that only starts like a
JPEG is refused) and its thumbnail is made here, once. Every refusal is an AttachmentRefused naming the
file, in Russian. The limits come from settings: CUR_ATTACHMENT_MAX_BYTES a file, CUR_ATTACHMENT_MAX_COUNT
an upload."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import filetype
import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()  # iPhones send HEIC: Pillow opens it through libheif

THUMBNAIL_SIZE = 320
HEAD_BYTES = 8192  # what filetype reads to recognise a signature
ZIP_UNPACKED_LIMIT = 200 * 1024 * 1024  # an office document unpacking to more is a zip bomb
ZIP_MAX_MEMBERS = 5000
MAX_PIXELS = 60_000_000  # a 48-megapixel phone photo passes; above it is a decompression bomb, not evidence


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    suffix: str
    image: bool = False
    evidence: bool = False  # a photo, a scan or a PDF act: proof that the work was done (quality.py)


JPEG = FileType("image/jpeg", "JPEG", ".jpg", image=True, evidence=True)
PNG = FileType("image/png", "PNG", ".png", image=True, evidence=True)
WEBP = FileType("image/webp", "WebP", ".webp", image=True, evidence=True)
HEIC = FileType("image/heic", "HEIC", ".heic", image=True, evidence=True)
TIFF = FileType("image/tiff", "TIFF", ".tif", image=True, evidence=True)
PDF = FileType("application/pdf", "PDF", ".pdf", evidence=True)
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX", ".docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX", ".xlsx")
ODT = FileType("application/vnd.oasis.opendocument.text", "ODT", ".odt")
TYPES = {t.content_type: t for t in (JPEG, PNG, WEBP, HEIC, TIFF, PDF, DOCX, XLSX, ODT)}
ALLOWED_LABELS = "JPEG, PNG, WebP, HEIC, TIFF, PDF, DOCX, XLSX, ODT"
# the file picker's hint (<input accept>); the server decides by content anyway
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,.heic,image/tiff,application/pdf,.docx,.xlsx,.odt"
# Pillow's name of the format each image type must decode as
PILLOW_FORMATS = {JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}, WEBP: {"WEBP"}, HEIC: {"HEIF"}, TIFF: {"TIFF"}}
# filetype's answers that are ZIP containers: what they hold is decided by their parts, not by it
ZIP_MIMES = {"application/zip", DOCX.content_type, XLSX.content_type, ODT.content_type,
             "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.presentation",
             "application/epub+zip", "application/java-archive"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AttachmentRefused(ValidationError):
    """A file (or a set of files) that may not be kept; nothing of the upload was written."""


@dataclass
class CheckedFile:
    """A file that passed the checks: its type by content, size, fingerprint and, for an image, the
    thumbnail (JPEG bytes, EXIF orientation applied, no metadata)."""

    name: str
    type: FileType
    size: int
    sha256: str
    content: File
    thumbnail: bytes | None = None

    @property
    def download_name(self) -> str:
        return download_name(self.name, self.type.content_type)


def size_label(size: int) -> str:
    """«512 Б», «340 КБ», «1,2 МБ» — sizes as a Russian reader writes them."""
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} КБ"
    megabytes = size / (1024 * 1024)
    text = f"{megabytes:.1f}" if megabytes < 100 else f"{megabytes:.0f}"
    return f"{text.removesuffix('.0').replace('.', ',')} МБ"


def type_label(content_type: str) -> str:
    known = TYPES.get(content_type)
    return known.label if known else content_type


def clean_name(name: str | None) -> str:
    """The sender's file name without a path or control characters, at most 255 characters."""
    base = PurePath(str(name or "").replace("\\", "/")).name
    base = _CONTROL.sub("", base).strip() or "файл"
    if len(base) > 255:
        suffix = PurePath(base).suffix[:16]
        base = base[: 255 - len(suffix)] + suffix
    return base


def download_name(name: str, content_type: str) -> str:
    """The original name, with the suffix of the real type when the name says another one: a PDF sent
    as «photo.jpg» is saved by the browser as «photo.jpg.pdf», and opens in the right program."""
    known = TYPES.get(content_type)
    if known is None:
        return name
    suffix = PurePath(name).suffix.lower()
    fits = {known.suffix, ".jpeg", ".jpe"} if known is JPEG else {known.suffix, ".tiff"} if known is TIFF else {
        known.suffix, ".heif"} if known is HEIC else {known.suffix}
    return name if suffix in fits else f"{name}{known.suffix}"


def limits() -> tuple[int, int]:
    return settings.CUR_ATTACHMENT_MAX_BYTES, settings.CUR_ATTACHMENT_MAX_COUNT


def check_files(files: Iterable) -> list[CheckedFile]:
    """Each file checked (already checked ones pass as they are); the count limit first. Raises
    AttachmentRefused with every refused file's reason — one bad file refuses the whole upload."""
    files = [f for f in files if f is not None]
    _, max_count = limits()
    if len(files) > max_count:
        raise AttachmentRefused(f"За один раз — не больше {max_count} файлов; выбрано {len(files)}.")
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(upload if isinstance(upload, CheckedFile) else check_file(upload))
        except AttachmentRefused as refused:
            errors += refused.messages
    if errors:
        raise AttachmentRefused(errors)
    return checked


def check_file(upload: File, *, name: str | None = None) -> CheckedFile:
    """One file (a Django File: an upload, or ContentFile of fetched bytes) → CheckedFile, or
    AttachmentRefused saying why, with the file's name."""
    name = clean_name(name or getattr(upload, "name", ""))
    max_bytes, _ = limits()
    size = upload.size
    if not size:
        raise AttachmentRefused(f"Файл «{name}» пустой.")
    if size > max_bytes:
        raise AttachmentRefused(f"Файл «{name}»: {size_label(size)} — больше допустимых {size_label(max_bytes)}.")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    thumbnail = None
    if mime in ZIP_MIMES:
        kind = _office_type(upload, name)
    elif mime == "application/pdf":
        kind = _pdf(upload, name, size)
    elif mime in ("image/heic", "image/heif"):
        kind = HEIC
        thumbnail = _image(upload, name, kind)
    elif mime in TYPES and TYPES[mime].image:
        kind = TYPES[mime]
        thumbnail = _image(upload, name, kind)
    else:
        what = f"это {guess.extension.upper()}" if guess else "тип содержимого не распознан"
        raise AttachmentRefused(f"Файл «{name}»: {what} — такие файлы не принимаются. Можно: {ALLOWED_LABELS}.")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=name, type=kind, size=size, sha256=digest.hexdigest(), content=upload,
                       thumbnail=thumbnail)


def _damaged(name: str, what: str) -> AttachmentRefused:
    return AttachmentRefused(f"Файл «{name}» повреждён или не является файлом {what}.")


def _pdf(upload: File, name: str, size: int) -> FileType:
    upload.seek(0)
    if not upload.read(5) == b"%PDF-":
        raise _damaged(name, "PDF")
    upload.seek(max(0, size - 4096))
    if b"%%EOF" not in upload.read(4096):  # a cut download or a renamed fragment
        raise _damaged(name, "PDF")
    return PDF


def _office_type(upload: File, name: str) -> FileType:
    """DOCX, XLSX or ODT by the parts of the ZIP container; other archives, macro documents and zip
    bombs refused."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_UNPACKED_LIMIT:
                raise AttachmentRefused(f"Файл «{name}»: архив распаковывается в слишком большой объём — "
                                        f"такие файлы не принимаются.")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise AttachmentRefused(f"Файл «{name}»: документ с макросами — такие файлы не принимаются.")
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                kind, main = DOCX, "word/document.xml"
            elif "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                kind, main = XLSX, "xl/workbook.xml"
            elif "mimetype" in names and archive.read("mimetype").strip() == ODT.content_type.encode():
                kind, main = ODT, "content.xml"
            else:
                raise AttachmentRefused(f"Файл «{name}»: это архив ZIP, а не документ DOCX, XLSX или ODT — "
                                        f"такие файлы не принимаются. Можно: {ALLOWED_LABELS}.")
            with archive.open(main) as part:  # the main part unpacks: the container is whole
                part.read(4096)
    except AttachmentRefused:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _damaged(name, "DOCX, XLSX или ODT") from None
    return kind


def _image(upload: File, name: str, kind: FileType) -> bytes:
    """Decode the image (it must really be one, of the type its signature says) and return its
    thumbnail: at most THUMBNAIL_SIZE px, EXIF orientation applied, saved as JPEG without EXIF/GPS."""
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as image:
                if image.format not in PILLOW_FORMATS[kind]:
                    raise _damaged(name, kind.label)
                if image.width * image.height > MAX_PIXELS:
                    raise AttachmentRefused(f"Файл «{name}»: изображение {image.width}×{image.height} — "
                                            f"слишком большое.")
                image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # JPEG: decode at a fraction
                image.load()
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
                if picture.mode not in ("RGB", "L"):
                    picture = _flatten(picture)
                out = io.BytesIO()
                picture.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: no metadata
                return out.getvalue()
        except AttachmentRefused:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise AttachmentRefused(f"Файл «{name}»: изображение слишком большое.") from None
        except Exception:  # noqa: BLE001 — Pillow raises many kinds on broken data; each means «damaged»
            raise _damaged(name, kind.label) from None


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on white: transparency (PNG, WebP) has no place in a JPEG thumbnail."""
    rgba = picture.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def thumbnail_file(checked: CheckedFile) -> ContentFile | None:
    return ContentFile(checked.thumbnail, name="thumbnail.jpg") if checked.thumbnail else None
