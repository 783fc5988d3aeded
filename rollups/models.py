"""Rollups — the analytical figures kept from the event history (DESIGN.md §6), so that no page scans appeals.

Two levels, both rebuildable from the appeals' Assignments, Answers and AppealEvents (`rollups_rebuild`):
- TurnFact: one row per body's turn with an appeal (an Assignment), with every measure the ratings judge
  the turn by and the day each one falls on — the audit trail: a figure on a page is a sum of these rows,
  and the drill-down lists exactly their appeals;
- AgencyDay and AgencyMonth: the sums of those measures per body and local day / month.
rollups/services.py keeps them current from a watermark (the events' transaction ids); rollups/facts.py
is the one definition of a turn's measures.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

# The working time a body used, as a share of what it was allowed: twenty 5 % buckets and one for «past the
# deadline» (index 20). Medians over any period are read from the summed buckets (rollups/selectors.py).
SPEED_BUCKETS = 21


def empty_histogram() -> list[int]:
    return [0] * SPEED_BUCKETS


class TurnFact(models.Model):
    """What one body's turn with an appeal counts for, and on which local day of the region each part falls."""

    turn = models.OneToOneField("appeals.Assignment", models.CASCADE, primary_key=True, related_name="fact",
                                verbose_name="этап")
    appeal = models.ForeignKey("appeals.Appeal", models.CASCADE, related_name="+", db_index=False,
                               verbose_name="обращение")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, related_name="+", db_index=False, verbose_name="орган")
    # the appeal's own place and topic (the body's page shows its worst subtopics and territories)
    municipality_id = models.BigIntegerField(null=True)
    subtopic_id = models.BigIntegerField(null=True)
    kind = models.CharField(max_length=16)
    start_day = models.DateField("получено органом")
    is_repeat = models.BooleanField("повторное рассмотрение", default=False)
    # its own answer returned to it: the same appeal again, not a new one received
    is_rework = models.BooleanField("доработка", default=False)
    # timeliness: decided when the turn ends in time (that day) or its deadline passes unmet (the deadline's day)
    decision_day = models.DateField(null=True)
    is_late = models.BooleanField(null=True)
    open_due = models.DateTimeField(null=True, help_text="Пока не решено: когда этап станет просроченным.")
    # the end of the turn — and its answer, when it ended in one
    end_day = models.DateField(null=True)
    outcome = models.CharField(max_length=16, blank=True)
    answer_bucket = models.SmallIntegerField(null=True)
    quality_ok = models.BooleanField(null=True)
    complete_ok = models.BooleanField(null=True)
    first_day = models.DateField(null=True)
    first_bucket = models.SmallIntegerField(null=True)
    rated_day = models.DateField(null=True)
    satisfied = models.BooleanField(null=True)

    class Meta:
        verbose_name = "показатели этапа"
        verbose_name_plural = "показатели этапов"
        indexes = [
            models.Index(fields=["appeal"], name="turnfact_appeal"),
            # the drill-down and the body's page: one body's turns by the day a measure falls on
            models.Index(fields=["agency", "start_day"], name="turnfact_agency_start"),
            models.Index(fields=["agency", "decision_day"], name="turnfact_agency_decision"),
            models.Index(fields=["agency", "end_day"], name="turnfact_agency_end"),
            models.Index(fields=["open_due"], name="turnfact_open_due", condition=models.Q(open_due__isnull=False)),
        ]


class AgencyPeriod(models.Model):
    """The sums of TurnFact's measures for one body over one slot (a day or a month)."""

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    agency = models.ForeignKey("cur.Agency", models.PROTECT, related_name="+", db_index=False)
    received = models.IntegerField("получено", default=0)
    repeats = models.IntegerField("повторно", default=0)
    on_time = models.IntegerField("в срок", default=0)
    late = models.IntegerField("просрочено", default=0)
    answered = models.IntegerField("дано ответов", default=0)
    quality_ok = models.IntegerField(default=0)
    quality_bad = models.IntegerField(default=0)
    complete_ok = models.IntegerField(default=0)
    complete_bad = models.IntegerField(default=0)
    rated = models.IntegerField("оценено", default=0)
    satisfied = models.IntegerField("удовлетворены", default=0)
    answer_speed = ArrayField(models.IntegerField(), size=SPEED_BUCKETS, default=empty_histogram)
    first_speed = ArrayField(models.IntegerField(), size=SPEED_BUCKETS, default=empty_histogram)

    COUNTS = ("received", "repeats", "on_time", "late", "answered", "quality_ok", "quality_bad", "complete_ok",
              "complete_bad", "rated", "satisfied")
    HISTOGRAMS = ("answer_speed", "first_speed")

    class Meta:
        abstract = True


class AgencyDay(AgencyPeriod):
    day = models.DateField("день")

    class Meta:
        verbose_name = "показатели органа за день"
        verbose_name_plural = "показатели органов по дням"
        # `region` first in the key: the table can be distributed by region (docs/scaling.md)
        constraints = [models.UniqueConstraint(fields=["region", "agency", "day"], name="agencyday_region_agency_day")]
        indexes = [models.Index(fields=["region", "day"], name="agencyday_region_day")]


class AgencyMonth(AgencyPeriod):
    month = models.DateField("месяц", help_text="Первое число месяца.")

    class Meta:
        verbose_name = "показатели органа за месяц"
        verbose_name_plural = "показатели органов по месяцам"
        constraints = [models.UniqueConstraint(fields=["region", "agency", "month"],
                                               name="agencymonth_region_agency_month")]
        indexes = [models.Index(fields=["region", "month"], name="agencymonth_region_month")]


class RollupState(models.Model):
    """How far a rollup has been kept: every event of a transaction below `xact` and every deadline before
    `clock` are in it (rollups/services.py)."""

    name = models.CharField("сводка", max_length=32, primary_key=True)
    xact = models.BigIntegerField("транзакции до", default=0)
    clock = models.DateTimeField("сроки до", null=True)
    refreshed_at = models.DateTimeField("обновлено", null=True)
    rebuilt_at = models.DateTimeField("пересчитано полностью", null=True)

    class Meta:
        verbose_name = "состояние сводки"
        verbose_name_plural = "состояние сводок"
