"""The structuring pipeline's own data: model versions with their metrics, the examples they learn
from (our seed texts, labelled files, operators' corrections) and the routing rules (DESIGN.md §3)."""

from django.db import models
from django.db.models import Q


class ModelVersion(models.Model):
    """A fitted topic model (sector + subtopic) with the figures it reached on a held-out split.
    Exactly one version is active; the previous one (active before it) can be activated again
    (rollback). Each is ≈ 9 MB: after every training only the active, the previous and the pinned
    versions are kept (structuring.services.model_versions_prune)."""

    label = models.CharField("версия", max_length=40, unique=True)
    created_at = models.DateTimeField("обучена", auto_now_add=True)
    is_active = models.BooleanField("действует", default=False)
    activated_at = models.DateTimeField("включена", null=True, blank=True,
                                        help_text="Когда версия стала действующей в последний раз.")
    pinned = models.BooleanField("закреплена", default=False,
                                 help_text="Закреплённая версия не удаляется при очистке старых версий.")
    n_examples = models.PositiveIntegerField("примеров")
    metrics = models.JSONField("метрики", default=dict, blank=True,
                               help_text="Точность, полнота и F1 по тематикам на отложенной выборке.")
    fitted = models.BinaryField("обученная модель")

    class Meta:
        verbose_name = "версия модели структурирования"
        verbose_name_plural = "версии модели структурирования"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def accuracy(self) -> float | None:
        return self.metrics.get("sector_accuracy")


class TrainingExample(models.Model):
    """A text with its confirmed sector (and subtopic): what the topic model learns from."""

    class Source(models.TextChoices):
        SEED = "seed", "исходный набор"
        FILE = "file", "загружен из файла"
        OPERATOR = "operator", "исправление оператора"

    text = models.TextField("текст")
    sector = models.CharField("тематика (код)", max_length=64)
    subtopic = models.CharField("подтема (код)", max_length=64, blank=True)
    source = models.CharField("источник", max_length=16, choices=Source.choices)
    appeal = models.OneToOneField("appeals.Appeal", models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name="обращение", db_constraint=True)
    created_at = models.DateTimeField("добавлен", auto_now_add=True)

    class Meta:
        verbose_name = "обучающий пример"
        verbose_name_plural = "обучающие примеры"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "created_at"], name="example_source_created")]

    def __str__(self) -> str:
        return f"{self.sector}: {self.text[:60]}"


class RoutingRule(models.Model):
    """Маршрутизация: who should answer an appeal of this territory and topic. The most specific
    matching rule wins (subtopic over sector over any topic, then a municipality over the whole
    region); `priority` decides between equally specific rules."""

    region = models.ForeignKey("municipalities.Region", models.CASCADE, related_name="+", verbose_name="регион")
    municipality = models.ForeignKey("municipalities.Municipality", models.CASCADE, null=True, blank=True,
                                     related_name="+", verbose_name="МО", help_text="Пусто — весь регион.")
    sector = models.ForeignKey("cur.Sector", models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name="тематика", help_text="Пусто — любая.")
    subtopic = models.ForeignKey("cur.Subtopic", models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name="подтема", help_text="Пусто — любая подтема тематики.")
    agency = models.ForeignKey("cur.Agency", models.CASCADE, related_name="+", verbose_name="исполнитель")
    priority = models.SmallIntegerField("приоритет", default=0,
                                        help_text="Из равно точных правил выбирается правило с большим приоритетом.")
    is_active = models.BooleanField("действует", default=True)
    note = models.CharField("примечание", max_length=200, blank=True)

    class Meta:
        verbose_name = "правило маршрутизации"
        verbose_name_plural = "правила маршрутизации"
        ordering = ["region", "municipality", "sector", "subtopic", "-priority"]
        indexes = [models.Index(fields=["region", "is_active"], name="routing_region_active")]

    def __str__(self) -> str:
        where = self.municipality or self.region
        topic = self.subtopic or self.sector or "любая тематика"
        return f"{where} · {topic} → {self.agency}"


class SectorPrior(models.Model):
    """How often a sector comes in a region's stream: the topic model's prior. The model is fitted on
    balanced examples, but real streams are mostly roads, ЖКХ and благоустройство (one city's year:
    ЖКХ 25 %, благоустройство 22 %, дороги 21 %); without the prior a small sector collects the
    texts the model is unsure about. Edited in the admin; a region without rows uses
    structuring/data/sector_priors.csv."""

    region = models.ForeignKey("municipalities.Region", models.CASCADE, related_name="+", verbose_name="регион")
    sector = models.ForeignKey("cur.Sector", models.CASCADE, related_name="+", verbose_name="тематика")
    share = models.FloatField("доля в потоке", help_text="Доля обращений этой тематики, от 0 до 1.")
    source = models.CharField("источник", max_length=300, blank=True)

    class Meta:
        verbose_name = "доля тематики в потоке"
        verbose_name_plural = "доли тематик в потоке (априорные)"
        ordering = ["region", "-share"]
        constraints = [
            models.UniqueConstraint(fields=["region", "sector"], name="one_prior_per_region_sector"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="prior_share_in_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.sector} {self.share:.0%}"
