"""The documents the centres produce for the people who decide (decree 530): the weekly analytical note."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class WeeklyNote(models.Model):
    """Еженедельная аналитическая записка of one centre (ЦУР or МЦУ) for one week, Monday to Sunday.

    `figures` holds every number, list and link of the note as it was built from the rollups (reports/weekly/
    figures.py) — the page, the DOCX and the PDF are drawn from it, never from the live data. A draft may be
    rebuilt and its text sections edited; a final note is immutable and keeps the numbers it was built from."""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        FINAL = "final", "утверждена"

    centre = models.ForeignKey("cur.Centre", models.PROTECT, related_name="weekly_notes", verbose_name="центр")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    week = models.DateField("неделя", help_text="Понедельник недели, за которую записка.")
    status = models.CharField("статус", max_length=8, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField("показатели", default=dict)
    summary = models.TextField("главное за неделю", blank=True,
                               help_text="Собирается из показателей; автор правит до утверждения.")
    proposals = models.TextField("предложения", blank=True, help_text="Раздел, который МЦУ дописывает перед отправкой.")
    built_at = models.DateTimeField("показатели собраны")
    edited_at = models.DateTimeField("текст изменён", null=True, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="кем изменён")
    finalised_at = models.DateTimeField("утверждена", null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="кем утверждена")
    version = models.PositiveIntegerField(default=1)  # optimistic lock: an edit of a stale page is refused

    class Meta:
        verbose_name = "еженедельная аналитическая записка"
        verbose_name_plural = "еженедельные аналитические записки"
        ordering = ["-week", "centre"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "week"], name="weekly_note_centre_week"),
            models.CheckConstraint(condition=Q(week__week_day=2), name="weekly_note_week_is_monday",
                                   violation_error_message="Неделя записки начинается с понедельника."),
            models.CheckConstraint(condition=Q(status="draft") | Q(finalised_at__isnull=False),
                                   name="weekly_note_final_has_date"),
        ]

    def __str__(self) -> str:
        return f"Записка {self.centre} за неделю с {self.week:%d.%m.%Y}"

    @property
    def week_last(self):
        return self.week + timedelta(days=6)

    def get_absolute_url(self) -> str:
        return reverse("reports:note", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL
