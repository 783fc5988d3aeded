"""Conflict situations and surges (docs/analytics.md «Всплески и конфликтные ситуации»): the detection rules
of a region as data, each situation the weekly scan finds with its evidence and the curator's moves."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse


class DetectionRules(models.Model):
    """A region's thresholds for surges, repeat complaints and conflict situations (defaults: ANALYTICS.md §3)."""

    region = models.OneToOneField("municipalities.Region", models.CASCADE, related_name="detection_rules",
                                  verbose_name="регион")
    baseline_weeks = models.PositiveSmallIntegerField(
        "недель базы", default=8, help_text="Сколько предыдущих недель дают ожидаемое число (не меньше 4).")
    surge_min_count = models.PositiveSmallIntegerField(
        "всплеск: не меньше обращений", default=5, help_text="За неделю на территории по тематике.")
    surge_ratio = models.DecimalField("всплеск: во сколько раз больше базы", max_digits=4, decimal_places=2,
                                      default=2)
    surge_p_value = models.FloatField(
        "всплеск: вероятность случайности ниже", default=0.001,
        help_text="Хвост распределения Пуассона при ожидаемом числе из базы.")
    repeat_days = models.PositiveSmallIntegerField(
        "повтор: закрыто не раньше, дней", default=30,
        help_text="Новое обращение по той же тематике и адресу, что закрытое за эти дни, — повторная жалоба.")
    repeat_min_count = models.PositiveSmallIntegerField("повторы: не меньше за неделю", default=5)
    not_satisfied_share = models.PositiveSmallIntegerField(
        "низкие оценки: доля «не удовлетворён», %", default=50)
    rework_min = models.PositiveSmallIntegerField("возвраты на доработку: не меньше за неделю", default=2)
    collective_min = models.PositiveSmallIntegerField(
        "коллективная проблема: обращений в одной проблеме", default=5,
        help_text="Несколько заявителей об одном и том же в одном месте (кластер «Проблема»).")

    class Meta:
        verbose_name = "правила выявления"
        verbose_name_plural = "правила выявления всплесков и конфликтов"

    def __str__(self) -> str:
        return f"Правила выявления · {self.region}"


class Situation(models.Model):
    """A surge, a run of repeat complaints, or a conflict-situation candidate of one territory × subtopic ×
    week, with what the scan saw; the curator moves it new → under review → roadmap opened / dismissed."""

    class Kind(models.TextChoices):
        SURGE = "surge", "Всплеск"
        REPEAT = "repeat", "Повторные жалобы"
        CONFLICT = "conflict", "Конфликтная ситуация"

    class Status(models.TextChoices):
        NEW = "new", "Новая"
        UNDER_REVIEW = "under_review", "На рассмотрении"
        ROADMAP = "roadmap", "Открыта дорожная карта"
        DISMISSED = "dismissed", "Отклонена"

    MOVES = {  # status → where the curator may move it
        Status.NEW: (Status.UNDER_REVIEW, Status.DISMISSED),
        Status.UNDER_REVIEW: (Status.ROADMAP, Status.DISMISSED),
        Status.ROADMAP: (),
        Status.DISMISSED: (Status.UNDER_REVIEW,),
    }
    OPEN = (Status.NEW, Status.UNDER_REVIEW)

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey("municipalities.Municipality", models.PROTECT, related_name="+",
                                     verbose_name="МО")
    sector = models.ForeignKey("cur.Sector", models.PROTECT, related_name="+", verbose_name="сфера")
    subtopic = models.ForeignKey("cur.Subtopic", models.PROTECT, related_name="+", verbose_name="тематика")
    week = models.DateField("неделя", help_text="Понедельник.")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    count = models.PositiveIntegerField("обращений за неделю")
    baseline = models.FloatField("ожидалось")
    p_value = models.FloatField("вероятность случайности", null=True)
    repeats = models.PositiveIntegerField("повторных жалоб", default=0)
    reasons = models.JSONField("признаки", default=list, help_text="Почему это конфликтная ситуация.")
    detected_at = models.DateTimeField("выявлено")
    updated_at = models.DateTimeField("обновлено")

    class Meta:
        verbose_name = "конфликтная ситуация или всплеск"
        verbose_name_plural = "конфликтные ситуации и всплески"
        constraints = [models.UniqueConstraint(fields=["region", "municipality", "subtopic", "week"],
                                               name="situation_cell_week")]
        indexes = [models.Index(fields=["region", "status", "-week"], name="situation_region_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (f"{self.get_kind_display()}: {self.subtopic.name} — {self.municipality.name}, "
                f"неделя с {self.week:%d.%m.%Y}")

    def get_absolute_url(self) -> str:
        return reverse("heatmap:situation", args=[self.pk])

    agency_id = None  # no body: Scope.covers asks it of an executor's scope only (who sees no situations)


class SituationMove(models.Model):
    """A status change of a situation: who, when, from → to, why."""

    situation = models.ForeignKey(Situation, models.CASCADE, related_name="moves", verbose_name="ситуация")
    at = models.DateTimeField("когда")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="кто")
    old_status = models.CharField("было", max_length=16, blank=True)
    new_status = models.CharField("стало", max_length=16)
    note = models.TextField("комментарий", blank=True)

    @property
    def words(self) -> str:
        labels = dict(Situation.Status.choices)
        return f"{labels.get(self.old_status, self.old_status)} → {labels.get(self.new_status, self.new_status)}"

    class Meta:
        verbose_name = "изменение статуса ситуации"
        verbose_name_plural = "изменения статусов ситуаций"
        ordering = ["at", "pk"]


class SavedSlice(models.Model):
    """A named slice — its rows, columns, measure, filters and period as the page's parameters — shared by
    everyone of the centre that saved it."""

    centre = models.ForeignKey("cur.Centre", models.CASCADE, related_name="saved_slices", verbose_name="центр")
    name = models.CharField("название", max_length=120)
    params = models.JSONField("параметры", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name="сохранил")
    created_at = models.DateTimeField("сохранено")

    class Meta:
        verbose_name = "сохранённый разрез"
        verbose_name_plural = "сохранённые разрезы"
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="savedslice_centre_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def query(self) -> str:
        return urlencode(self.params)
