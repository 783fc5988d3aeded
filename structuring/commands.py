"""What the `structure`, `learn` and `structuring_report` commands share: a database made ready
from any state (a fresh clone, an empty database, `make run` running or not) and CSV input in
whatever encoding a regional office saves it."""

from __future__ import annotations

import codecs
import csv
import io
import sys

from django.core.management import call_command
from django.db import connection

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 1 MB text is one field

ENCODINGS = ("cp1251", "koi8_r")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with BOM), else cp1251 or KOI8-R — whichever reads as
    Russian: in the wrong one of the two, lower-case letters turn into capitals."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass

    def russian(text: str) -> int:
        return sum(1 for c in text if "а" <= c <= "я" or c == "ё") - sum(1 for c in text if "А" <= c <= "Я")

    sample = data[:200_000]
    best = max(ENCODINGS, key=lambda enc: russian(sample.decode(enc, errors="replace")))
    return data.decode(best, errors="replace")


def read_rows(path: str) -> tuple[list[str], list[dict]]:
    """Header and rows of a CSV file; «;» is accepted as the delimiter when the header uses it."""
    with open(path, "rb") as fh:
        text = decode(fh.read())
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    reader.fieldnames = fields
    return fields, [{k: (v if isinstance(v, str) else "") for k, v in row.items() if k} for row in reader]


def ensure_ready(*, region: str, stdout) -> str:
    """Schema, territory (and a gazetteer older than this code's), rubricator, the sectors' priors and an
    active model fitted on this code's features — whatever of it is missing is made now. Returns the
    active model's label."""
    from cur.models import Sector
    from municipalities.models import Region, Settlement
    from municipalities.services import DATA_DIR, territory_load
    from structuring.services import structuring_bootstrap

    if "structuring_modelversion" not in connection.introspection.table_names():
        stdout.write("База данных без схемы — применяю миграции…\n")
        call_command("migrate", verbosity=0)
    with open(DATA_DIR / "settlements.csv", encoding="utf-8") as fh:
        shipped = sum(1 for _ in fh) - 1
    if not Region.objects.filter(code=region).exists() or Settlement.objects.count() < shipped:
        stdout.write(f"Территория: {territory_load()}\n")
    if not Sector.objects.exists():
        from cur.services import rubricator_load

        stdout.write(f"Рубрикатор: {rubricator_load()}\n")
    done = structuring_bootstrap()
    if done["trained"]:
        stdout.write(f"Обучена модель {done['model']}\n")
    return done["model"]
