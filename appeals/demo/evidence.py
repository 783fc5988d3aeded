"""The photo reports of the demo answers. An answer has evidence the way a real one has it — by a photo on it
(appeals/attachments): a few synthetic pictures are drawn once and stored on the default storage, and every
evidenced demo answer gets one of them by a single INSERT … SELECT — rows pointing at the same few files,
not a million copies. Our own drawings: no real photograph is ever put into the demo."""

from __future__ import annotations

import hashlib
import io
import random

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image, ImageDraw

PHOTOS = 6
FOLDER = "attachments/demo"
THUMB_PX = 320


def _draw(number: int) -> Image.Image:
    """A yard after the work: asphalt, a kerb, a fresh patch — shapes and colours only."""
    rng = random.Random(number)
    image = Image.new("RGB", (1024, 768), (112 + number * 4, 112 + number * 3, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1024, 768), fill=(150, 150, 146))  # the pavement
    draw.rectangle((0, 500, 1024, 520), fill=(190, 188, 180))  # the kerb
    for _ in range(60):  # grain of the asphalt
        x, y = rng.randrange(1024), rng.randrange(500)
        draw.ellipse((x, y, x + 6, y + 4), fill=(90, 90, 92))
    left = 200 + number * 60
    draw.rounded_rectangle((left, 240, left + 420, 420), radius=40, fill=(52, 52, 56))  # the patch
    draw.rectangle((0, 0, 1024, 120), fill=(150 + number * 10, 190, 225))  # the sky
    return image


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def demo_photos() -> list[dict]:
    """The demo's photo reports on the default storage (drawn and saved once): name, paths, size, sha256."""
    photos = []
    for number in range(PHOTOS):
        image = _draw(number)
        data = _jpeg(image)
        thumb = image.copy()
        thumb.thumbnail((THUMB_PX, THUMB_PX))
        paths = {"file": f"{FOLDER}/photo-{number + 1}.jpg", "thumbnail": f"{FOLDER}/photo-{number + 1}-thumb.jpg"}
        for key, content in (("file", data), ("thumbnail", _jpeg(thumb))):
            if not default_storage.exists(paths[key]):
                paths[key] = default_storage.save(paths[key], ContentFile(content))
        photos.append({**paths, "name": f"фотоотчёт-{number + 1}.jpg", "size": len(data),
                       "sha256": hashlib.sha256(data).hexdigest()})
    return photos


def evidence_attach(*, first_id: int, last_id: int) -> int:
    """One of the demo photos on every evidenced answer of the appeals first_id…last_id; returns how many."""
    photos = demo_photos()
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(photos))
    params = [value for n, photo in enumerate(photos)
              for value in (n, photo["file"], photo["thumbnail"], photo["name"], photo["size"], photo["sha256"])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO appeals_attachment (appeal_id, answer_id, region_id, file, thumbnail, original_name,
                                            content_type, size, sha256, source, source_url, uploaded_by_id,
                                            created_at)
            SELECT a.appeal_id, a.id, a.region_id, f.file, f.thumbnail, f.name, 'image/jpeg', f.size, f.sha256,
                   'card', '', a.author_id, a.created_at
            FROM appeals_answer a
            JOIN (VALUES {values}) AS f (n, file, thumbnail, name, size, sha256) ON f.n = a.id %% {len(photos)}
            WHERE a.has_evidence AND a.appeal_id BETWEEN %s AND %s
            """,
            [*params, first_id, last_id],
        )
        return cursor.rowcount
