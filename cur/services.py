"""Writes to the organisation: loading the rubricator and the demo organisation."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from cur.models import Sector, Subtopic

DATA_DIR = Path(__file__).resolve().parent / "data"

# The eight socially significant sectors, word for word as in the decrees, in their order.
SOCIALLY_SIGNIFICANT = [
    "education", "healthcare", "social_protection", "transport", "roads", "energy", "housing_utilities", "waste",
]
SECTOR_NAMES = {
    "education": "Образование",
    "healthcare": "Здравоохранение",
    "social_protection": "Социальная защита",
    "transport": "Транспорт",
    "roads": "Дорожная деятельность",
    "energy": "Энергетика",
    "housing_utilities": "Жилищно-коммунальное хозяйство",
    "waste": "Обращение с твёрдыми коммунальными отходами",
    "other": "Благоустройство и прочее",
}


@transaction.atomic
def rubricator_load() -> dict[str, int]:
    """Create or update the nine shared sectors and the subtopics of cur/data/rubricator.csv.

    An admin's later edits of deadlines and flags are kept: existing subtopics keep their values.
    """
    sectors = {}
    for position, code in enumerate(SOCIALLY_SIGNIFICANT + ["other"], start=1):
        sectors[code], _ = Sector.objects.update_or_create(
            code=code,
            defaults={"name": SECTOR_NAMES[code], "is_socially_significant": code != "other",
                      "position": position, "centre": None},
        )
    created = 0
    with open(DATA_DIR / "rubricator.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            _, was_created = Subtopic.objects.get_or_create(
                code=row["subtopic_code"],
                defaults={
                    "sector": sectors[row["sector_code"]], "name": row["subtopic"],
                    "seasonal": row["seasonal"], "pos_sla_working_days": int(row["pos_sla_working_days"]),
                    "evidence_required": row["evidence_required"] == "yes",
                },
            )
            created += was_created
    return {"sectors": len(sectors), "subtopics": Subtopic.objects.count(), "subtopics_created": created}
