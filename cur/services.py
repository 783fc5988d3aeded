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


CALENDAR_YEARS = range(2020, 2028)


@transaction.atomic
def calendar_load(*, region, years=CALENDAR_YEARS) -> dict[str, int]:
    """Create or refresh the region's production calendar for `years` from the official rules
    (cur/workcalendar.py). Days an administrator corrected by hand are left as they are."""
    from cur.models import CalendarDay
    from cur.workcalendar import official_days

    manual = set(CalendarDay.objects.filter(region=region, source=CalendarDay.Source.MANUAL,
                                            date__year__in=list(years)).values_list("date", flat=True))
    specs = [spec for spec in official_days(years) if spec.date not in manual]
    CalendarDay.objects.filter(region=region, source=CalendarDay.Source.LOADED, date__year__in=list(years)).delete()
    CalendarDay.objects.bulk_create([
        CalendarDay(region=region, date=spec.date, kind=spec.kind, working_hours=spec.working_hours,
                    name=spec.name, source=CalendarDay.Source.LOADED)
        for spec in specs
    ])
    return {"days": len(specs), "kept_manual": len(manual)}
