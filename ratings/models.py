"""The rating methodology as data (docs/ratings.md): weights, the minimum volume, zones and peer groups of a
region, in force from a date. A change is a new row from a later date — the rows before it stay as they were,
so every period is computed with the methodology that was in force on its first day, and says which."""

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

DEFAULT_POPULATION_BANDS = [20_000, 100_000]


def default_population_bands() -> list[int]:
    return list(DEFAULT_POPULATION_BANDS)


PARTS = ("timeliness", "speed", "quality", "satisfaction", "completeness", "fast_track")
PART_LABELS = {
    "timeliness": "Своевременность",
    "speed": "Скорость",
    "quality": "Качество",
    "satisfaction": "Удовлетворённость",
    "completeness": "Полнота",
    "fast_track": "Ускоренное решение",
}


class Methodology(models.Model):
    """Методика рейтинга of one region from `effective_from` until the next one."""

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    effective_from = models.DateField("действует с", help_text="Применяется к периодам, начинающимся с этой даты.")
    weight_timeliness = models.PositiveSmallIntegerField("вес своевременности", default=30)
    weight_speed = models.PositiveSmallIntegerField("вес скорости", default=20)
    weight_quality = models.PositiveSmallIntegerField("вес качества", default=20)
    weight_satisfaction = models.PositiveSmallIntegerField("вес удовлетворённости", default=15)
    weight_completeness = models.PositiveSmallIntegerField("вес полноты", default=15)
    # 0 by default: a body is scored by fast-tracks only once the region has agreed them with it (Ульяновская
    # обл. rates «долю фаст-треков»); until then the part is shown, not weighed
    weight_fast_track = models.PositiveSmallIntegerField(
        "вес ускоренного решения", default=0,
        help_text="Доля этапов по механизмам ускоренного решения, решённых в их срок.")
    min_volume = models.PositiveSmallIntegerField(
        "минимум обращений в месяц", default=2,
        help_text="Орган с меньшим числом обращений показан, но не ранжируется; для недели, квартала и года "
                  "порог пересчитывается пропорционально числу дней.",
    )
    green_from = models.PositiveSmallIntegerField("зелёная зона от, баллов", default=80)
    yellow_from = models.PositiveSmallIntegerField("жёлтая зона от, баллов", default=60)
    population_bands = ArrayField(
        models.PositiveIntegerField(), verbose_name="границы групп по численности населения",
        default=default_population_bands, blank=True,
        help_text="Через запятую, по возрастанию, например 20000,100000: ОМСУ и муниципальные образования "
                  "сравниваются внутри своей группы.",
    )
    note = models.CharField("что изменено и почему", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="кем внесена")
    created_at = models.DateTimeField("внесена", auto_now_add=True)

    class Meta:
        verbose_name = "методика рейтинга"
        verbose_name_plural = "методики рейтинга"
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="methodology_region_from"),
            models.CheckConstraint(
                condition=models.Q(yellow_from__lte=models.F("green_from"), green_from__lte=100),
                name="methodology_zone_order",
                violation_error_message="Порог жёлтой зоны не выше порога зелёной, оба — не больше 100.",
            ),
        ]

    def __str__(self) -> str:
        return f"Методика с {self.effective_from:%d.%m.%Y}"

    @property
    def weights(self) -> dict[str, int]:
        return {part: getattr(self, f"weight_{part}") for part in PARTS}

    def clean(self):
        if not sum(self.weights.values()):
            raise ValidationError("Хотя бы одна составляющая должна иметь вес больше нуля.")
        if list(self.population_bands) != sorted(set(self.population_bands)):
            raise ValidationError({"population_bands": "Границы — разные числа по возрастанию."})

    def is_applied(self, today: date) -> bool:
        """Already used for a period: such a row is kept as it is (a change is a new row)."""
        return self.pk is not None and self.effective_from <= today
