"""The documents the centres produce for the people who decide (decree 530): the weekly analytical note, the
quarterly and annual indicator reports МЦУ → ЦУР."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class Indicator(models.Model):
    """A показатель of the quarterly and annual МЦУ → ЦУР reports (decree 530, п. 2.4; the annex of постановление
    № 1844 could not be obtained, so the list is the ЦУР's own catalogue, seeded and marked preliminary until the
    official one is imported). Its value is computed by a named function from the rollups, or entered by hand."""

    class Method(models.TextChoices):
        COMPUTED = "computed", "рассчитывается"
        MANUAL = "manual", "вносится вручную"

    class Direction(models.TextChoices):
        HIGHER = "higher", "чем больше, тем лучше"
        LOWER = "lower", "чем меньше, тем лучше"
        INFO = "info", "справочно"

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    code = models.SlugField("код", max_length=64)
    name = models.CharField("показатель", max_length=400)
    unit = models.CharField("единица", max_length=32)
    method = models.CharField("как получается", max_length=16, choices=Method.choices)
    function = models.CharField("функция расчёта", max_length=64, blank=True,
                                help_text="Для рассчитываемых: имя функции из reports/indicators/functions.py.")
    target = models.DecimalField("целевое значение", max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField("направление", max_length=8, choices=Direction.choices, default=Direction.INFO)
    effective_from = models.DateField("действует с")
    effective_to = models.DateField("действует по", null=True, blank=True)
    is_preliminary = models.BooleanField("предварительный перечень", default=True,
                                         help_text="Снимается, когда загружен официальный перечень.")
    source = models.CharField("основание", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField("порядок", default=100)

    class Meta:
        verbose_name = "показатель отчёта МЦУ"
        verbose_name_plural = "показатели отчётов МЦУ"
        ordering = ["region", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code", "effective_from"], name="indicator_region_code_from"),
            models.CheckConstraint(condition=Q(method="manual", function="") | Q(method="computed") & ~Q(function=""),
                                   name="indicator_function_iff_computed",
                                   violation_error_message="Функция расчёта указывается у рассчитываемых, "
                                                           "и только у них."),
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                                   name="indicator_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class IndicatorReport(models.Model):
    """Отчёт о показателях of one МЦУ for a quarter (due the 5th of the month after it) or a year (due
    20 December), draft → submitted → accepted, or returned with a reason and submitted again. Each step is a
    ReportEvent with who and when."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", "квартальный"
        YEAR = "year", "годовой"

    class Status(models.TextChoices):
        DRAFT = "draft", "заполняется"
        SUBMITTED = "submitted", "направлен в ЦУР"
        RETURNED = "returned", "возвращён на доработку"
        ACCEPTED = "accepted", "принят"

    centre = models.ForeignKey("cur.Centre", models.PROTECT, related_name="indicator_reports", verbose_name="МЦУ")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    kind = models.CharField("вид", max_length=8, choices=Kind.choices)
    period_first = models.DateField("период с")
    period_last = models.DateField("период по")
    due_date = models.DateField("срок представления")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField("причина возврата", blank=True)
    submitted_at = models.DateTimeField("направлен", null=True, blank=True)
    reviewed_at = models.DateTimeField("рассмотрен", null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "отчёт МЦУ о показателях"
        verbose_name_plural = "отчёты МЦУ о показателях"
        ordering = ["-period_first", "centre"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "kind", "period_first"], name="indicator_report_period"),
            models.CheckConstraint(condition=Q(period_last__gte=F("period_first")), name="indicator_report_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().capitalize()} отчёт {self.centre} за {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:indicator_report", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.YEAR:
            return f"{self.period_first.year} год"
        return f"{'I II III IV'.split()[(self.period_first.month - 1) // 3]} квартал {self.period_first.year}"

    @property
    def is_open(self) -> bool:
        """Still the МЦУ's to fill: a draft, or returned for rework."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def is_overdue(self, today) -> bool:
        """Past its due date and not yet in the ЦУР's hands (a submitted report waits on the ЦУР, not the МЦУ)."""
        return self.is_open and today > self.due_date


class IndicatorValue(models.Model):
    """One indicator's value in one report, with the МЦУ's comment."""

    report = models.ForeignKey(IndicatorReport, models.CASCADE, related_name="values", verbose_name="отчёт")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="+", verbose_name="показатель")
    value = models.DecimalField("значение", max_digits=14, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField("рассчитано", null=True, blank=True)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        ordering = ["indicator__position", "indicator__code"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_once")]


class ReportEvent(models.Model):
    """A step of an indicator report: who did what when, from which status to which (the audit trail)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "создан"
        COMPUTED = "computed", "показатели рассчитаны"
        EDITED = "edited", "изменено значение"
        SUBMITTED = "submitted", "направлен в ЦУР"
        RETURNED = "returned", "возвращён на доработку"
        ACCEPTED = "accepted", "принят"
        REMINDED = "reminded", "напоминание о сроке"
        OVERDUE = "overdue", "срок пропущен"

    report = models.ForeignKey(IndicatorReport, models.CASCADE, related_name="events", verbose_name="отчёт")
    at = models.DateTimeField("когда")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="кто")
    kind = models.CharField("событие", max_length=16, choices=Kind.choices)
    old_status = models.CharField("было", max_length=16, blank=True)
    new_status = models.CharField("стало", max_length=16, blank=True)
    note = models.TextField("пояснение", blank=True)

    class Meta:
        verbose_name = "событие отчёта"
        verbose_name_plural = "события отчётов"
        ordering = ["report", "at", "pk"]
        indexes = [models.Index(fields=["report", "kind"], name="report_event_kind")]


class Roadmap(models.Model):
    """Дорожная карта (decree 530): measures with dates and responsible officials whose implementation removes
    the root cause of the appeals on one topic and territory. Opened from a conflict situation, a heat-map cell or
    a Problem; its evidence (the appeals and the weekly counts) is frozen at opening; its effect is measured
    automatically — the appeals of its topic and territory per month before and after (reports/roadmaps)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "проект"
        APPROVED = "approved", "утверждена"
        DONE = "done", "выполнена"
        CANCELLED = "cancelled", "отменена"

    class Origin(models.TextChoices):
        SITUATION = "situation", "конфликтная ситуация"
        CELL = "cell", "ячейка тепловой карты"
        PROBLEM = "problem", "проблема"

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", verbose_name="регион")
    centre = models.ForeignKey("cur.Centre", models.PROTECT, related_name="roadmaps", verbose_name="центр")
    title = models.CharField("название", max_length=300)
    root_cause = models.TextField("корневая причина")
    origin = models.CharField("открыта из", max_length=16, choices=Origin.choices)
    situation = models.ForeignKey("heatmap.Situation", models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name="ситуация")
    problem = models.ForeignKey("appeals.Problem", models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="проблема")
    municipality = models.ForeignKey("municipalities.Municipality", models.PROTECT, related_name="+",
                                     verbose_name="территория")
    sector = models.ForeignKey("cur.Sector", models.PROTECT, related_name="+", verbose_name="тематика")
    subtopic = models.ForeignKey("cur.Subtopic", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="подтема", help_text="Пусто — вся тематика.")
    evidence = models.JSONField("доказательства на момент открытия", default=dict)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="ответственный орган")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="куратор")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    opened_on = models.DateField("открыта")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name="кем открыта")
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="кем утверждена")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["region", "status"], name="roadmap_region_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:roadmap", args=[self.pk])


class RoadmapMeasure(models.Model):
    """Мероприятие of a roadmap: № · мероприятие · ответственный · соисполнители · срок (план / факт) · ресурсы ·
    ожидаемый результат · статус."""

    class Status(models.TextChoices):
        PLANNED = "planned", "запланировано"
        IN_PROGRESS = "in_progress", "выполняется"
        DONE = "done", "выполнено"
        CANCELLED = "cancelled", "отменено"

    roadmap = models.ForeignKey(Roadmap, models.CASCADE, related_name="measures", verbose_name="дорожная карта")
    number = models.PositiveSmallIntegerField("№")
    action = models.TextField("мероприятие")
    responsible = models.CharField("ответственный", max_length=300)
    co_executors = models.CharField("соисполнители", max_length=500, blank=True)
    planned_date = models.DateField("срок по плану")
    actual_date = models.DateField("выполнено фактически", null=True, blank=True)
    resources = models.CharField("ресурсы", max_length=500, blank=True)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = "мероприятие дорожной карты"
        verbose_name_plural = "мероприятия дорожных карт"
        ordering = ["roadmap", "number"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "number"], name="roadmap_measure_number"),
            models.CheckConstraint(condition=Q(status="done", actual_date__isnull=False) | ~Q(status="done"),
                                   name="roadmap_measure_done_has_date",
                                   violation_error_message="У выполненного мероприятия указывается дата."),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.action[:60]}"

    def is_overdue(self, today) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS) and today > self.planned_date


class RoadmapEvent(models.Model):
    """A step of a roadmap (opened, approved, a measure added or done, a reminder, an overdue mark)."""

    roadmap = models.ForeignKey(Roadmap, models.CASCADE, related_name="events", verbose_name="дорожная карта")
    measure = models.ForeignKey(RoadmapMeasure, models.CASCADE, null=True, blank=True, related_name="events",
                                verbose_name="мероприятие")
    at = models.DateTimeField("когда")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name="кто")
    class Kind(models.TextChoices):
        OPENED = "opened", "открыта"
        MEASURE_ADDED = "measure_added", "добавлено мероприятие"
        MEASURE_CHANGED = "measure_changed", "изменено мероприятие"
        MEASURE_DONE = "measure_done", "мероприятие выполнено"
        APPROVED = "approved", "утверждена"
        DONE = "done", "выполнена"
        CANCELLED = "cancelled", "отменена"
        REMINDED = "reminded", "напоминание о сроке мероприятия"
        MISSED = "missed", "срок мероприятия пропущен"

    kind = models.CharField("событие", max_length=24, choices=Kind.choices)
    note = models.TextField("пояснение", blank=True)

    class Meta:
        verbose_name = "событие дорожной карты"
        verbose_name_plural = "события дорожных карт"
        ordering = ["roadmap", "at", "pk"]
        indexes = [models.Index(fields=["measure", "kind"], name="roadmap_event_measure_kind")]
