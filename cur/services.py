"""Writes to the organisation: loading the rubricator and the demo organisation."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from cur.models import Sector, SlaPolicy, Subtopic

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


# The defaults of DESIGN.md §5, each an editable row: (kind, target, importance, unit, amount, basis).
DEFAULT_SLA = [
    ("appeal", "registration", "", "calendar_days", 3, "59-ФЗ ст. 8 ч. 2: регистрация в течение трёх дней"),
    ("appeal", "forwarding", "", "calendar_days", 7, "59-ФЗ ст. 8 ч. 3: переадресация в течение семи дней"),
    ("appeal", "final", "", "calendar_days", 30, "59-ФЗ ст. 12 ч. 1: 30 дней со дня регистрации"),
    ("message", "first_response", "", "working_hours", 8,
     "ПОС: сообщение берётся в работу (первичная обработка) в течение рабочего дня"),
    ("message", "final", "", "working_days", 10, "ПОС: 10 рабочих дней, если у подтемы нет своего срока"),
    ("incident", "first_response", "", "working_hours", 8, "Инцидент Менеджмент: первичный ответ"),
    ("incident", "first_response", "high", "working_hours", 4, "Инцидент Менеджмент: важный инцидент"),
    ("incident", "final", "", "working_days", 7, "Инцидент Менеджмент: ответ по существу"),
    ("incident", "final_after_interim", "", "working_days", 7, "Инцидент Менеджмент: после промежуточного"),
]


@transaction.atomic
def sla_policies_load() -> dict[str, int]:
    """Create the default deadline rules once; rows an administrator changed are kept."""
    created = 0
    for kind, target, importance, unit, amount, note in DEFAULT_SLA:
        _, was_created = SlaPolicy.objects.get_or_create(
            kind=kind, target=target, importance=importance, channel="", region=None, sector=None, subtopic=None,
            defaults={"unit": unit, "amount": amount, "note": note},
        )
        created += was_created
    return {"policies": SlaPolicy.objects.count(), "created": created}


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
            subtopic, was_created = Subtopic.objects.get_or_create(
                code=row["subtopic_code"],
                defaults={
                    "sector": sectors[row["sector_code"]], "name": row["subtopic"],
                    "seasonal": row["seasonal"], "evidence_required": row["evidence_required"] == "yes",
                },
            )
            created += was_created
            # The ПОС deadline of the subtopic (real platforms give each category its own).
            SlaPolicy.objects.get_or_create(
                kind="message", target=SlaPolicy.Target.FINAL, subtopic=subtopic,
                defaults={"unit": SlaPolicy.Unit.WORKING_DAYS, "amount": int(row["pos_sla_working_days"]),
                          "note": "Рубрикатор ПОС: срок по подтеме"},
            )
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
