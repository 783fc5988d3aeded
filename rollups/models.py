"""Rollups — the analytical figures kept from the event history (DESIGN.md §6), so that no page scans appeals.

Two levels, both rebuildable from the appeals' Assignments, Answers and AppealEvents (`rollups_rebuild`):
- TurnFact: one row per body's turn with an appeal (an Assignment), with every measure the ratings judge
  the turn by and the day each one falls on — the audit trail: a figure on a page is a sum of these rows,
  and the drill-down lists exactly their appeals;
- AgencyDay and AgencyMonth: the sums of those measures per body and local day / month;
- AppealFact: one row per appeal with where, what and its state (the heat map, the dashboard, the slices),
  and AreaDay / AreaWeek / AreaMonth / AreaMonthChannel: its sums per territory and topic (and channel and
  kind).
rollups/services.py keeps them current from a watermark (the events' transaction ids); rollups/facts.py
is the one definition of a turn's measures, rollups/areas.py of an appeal's.
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
    is_fast_track = models.BooleanField("ускоренное решение", default=False, db_default=False)

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
    # turns of appeals handled by a fast-track mechanism: received, and decided in time or late
    fast_track = models.IntegerField("ускоренное решение", default=0, db_default=0)
    fast_track_on_time = models.IntegerField("ускоренное, в срок", default=0, db_default=0)
    fast_track_late = models.IntegerField("ускоренное, просрочено", default=0, db_default=0)
    answer_speed = ArrayField(models.IntegerField(), size=SPEED_BUCKETS, default=empty_histogram)
    first_speed = ArrayField(models.IntegerField(), size=SPEED_BUCKETS, default=empty_histogram)

    COUNTS = ("received", "repeats", "on_time", "late", "answered", "quality_ok", "quality_bad", "complete_ok",
              "complete_bad", "rated", "satisfied", "fast_track", "fast_track_on_time", "fast_track_late")
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


# An appeal's answer time in whole days from receipt (the last bucket: a month or more) and its first response
# in whole hours (the last: a day or more) — medians of any slice are read from the summed buckets.
ANSWER_DAYS = 32
FIRST_HOURS = 25


def empty_answer_days() -> list[int]:
    return [0] * ANSWER_DAYS


def empty_first_hours() -> list[int]:
    return [0] * FIRST_HOURS


class AppealFact(models.Model):
    """What one appeal counts for on the heat map, the dashboard and the slices: where and what it is about,
    the local day it came, and its state now (rollups/areas.py). One narrow row per appeal — the slices that
    no sum table covers (a settlement, a status, a day by channel) are read from here, never from appeals."""

    appeal = models.OneToOneField("appeals.Appeal", models.CASCADE, primary_key=True, related_name="fact",
                                  verbose_name="обращение")
    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    received_day = models.DateField("поступило")
    municipality_id = models.BigIntegerField(null=True)
    settlement_id = models.BigIntegerField(null=True)
    sector_id = models.BigIntegerField(null=True)
    subtopic_id = models.BigIntegerField(null=True)
    agency_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=32)
    is_open = models.BooleanField("в работе")  # open and not answered yet
    is_answered = models.BooleanField("дан ответ")
    is_late = models.BooleanField("срок нарушен")  # answered after its deadline, or open past it
    satisfied = models.BooleanField("удовлетворён", null=True)  # the citizen's verdict, None without one
    is_repeat = models.BooleanField("повторное", default=False)  # a repeat consideration (reopened)
    answer_days = models.SmallIntegerField(null=True)  # bucket, see ANSWER_DAYS
    first_hours = models.SmallIntegerField(null=True)  # bucket, see FIRST_HOURS
    fast_track_id = models.BigIntegerField(null=True)  # the fast-track mechanism handling it (cur.FastTrack)

    class Meta:
        verbose_name = "показатели обращения"
        verbose_name_plural = "показатели обращений"
        indexes = [models.Index(fields=["region", "received_day"], name="appealfact_region_day"),
                   # a municipality's own page (its settlements, its repeat complaints), a body's own figures
                   models.Index(fields=["municipality_id", "received_day"], name="appealfact_municipality_day"),
                   models.Index(fields=["agency_id", "received_day"], name="appealfact_agency_day"),
                   # the figures of each fast-track mechanism (reports/fasttrack)
                   models.Index(fields=["fast_track_id", "received_day"], name="appealfact_fast_track",
                                condition=models.Q(fast_track_id__isnull=False))]


class AreaPeriod(models.Model):
    """The sums of AppealFact's measures for one slot of time and one combination of the dimensions its
    table keeps (rollups/areas.py CUBES); a dimension a table does not keep is summed over."""

    region = models.ForeignKey("municipalities.Region", models.PROTECT, related_name="+", db_index=False)
    received = models.IntegerField("поступило", default=0)
    open = models.IntegerField("в работе", default=0)
    answered = models.IntegerField("дан ответ", default=0)
    late = models.IntegerField("срок нарушен", default=0)
    rated = models.IntegerField("оценено", default=0)
    satisfied = models.IntegerField("удовлетворены", default=0)
    repeats = models.IntegerField("повторные", default=0)
    # handled by a fast-track mechanism; of them late, and reopened after an answer (the mechanism's figures)
    fast_track = models.IntegerField("ускоренное решение", default=0, db_default=0)
    fast_track_late = models.IntegerField("ускоренное, срок нарушен", default=0, db_default=0)
    fast_track_repeats = models.IntegerField("ускоренное, повторные", default=0, db_default=0)
    answer_days = ArrayField(models.IntegerField(), size=ANSWER_DAYS, default=empty_answer_days)
    first_hours = ArrayField(models.IntegerField(), size=FIRST_HOURS, default=empty_first_hours)

    COUNTS = ("received", "open", "answered", "late", "rated", "satisfied", "repeats", "fast_track",
              "fast_track_late", "fast_track_repeats")
    HISTOGRAMS = {"answer_days": ANSWER_DAYS, "first_hours": FIRST_HOURS}

    class Meta:
        abstract = True


class PlaceAndTopic(AreaPeriod):
    municipality_id = models.BigIntegerField(null=True)
    sector_id = models.BigIntegerField(null=True)
    subtopic_id = models.BigIntegerField(null=True)

    class Meta:
        abstract = True


class AreaDay(PlaceAndTopic):
    """Per local day, territory and topic: custom ranges, days, the edges of a range that is not whole weeks
    or months."""

    day = models.DateField("день")

    class Meta:
        verbose_name = "обращения по территории за день"
        verbose_name_plural = "обращения по территориям по дням"
        constraints = [models.UniqueConstraint(fields=["region", "day", "municipality_id", "subtopic_id", "sector_id"],
                                               name="areaday_key", nulls_distinct=False)]


class AreaWeek(PlaceAndTopic):
    """Per week (from Monday), territory and topic: the weekly views, the trend, the surge scan."""

    week = models.DateField("неделя", help_text="Понедельник.")

    class Meta:
        verbose_name = "обращения по территории за неделю"
        verbose_name_plural = "обращения по территориям по неделям"
        constraints = [models.UniqueConstraint(fields=["region", "week", "municipality_id", "subtopic_id", "sector_id"],
                                               name="areaweek_key", nulls_distinct=False)]


class AreaMonth(PlaceAndTopic):
    """Per month, territory and topic: months, quarters, years, and the whole months of a long range."""

    month = models.DateField("месяц", help_text="Первое число месяца.")

    class Meta:
        verbose_name = "обращения по территории за месяц"
        verbose_name_plural = "обращения по территориям по месяцам"
        constraints = [models.UniqueConstraint(
            fields=["region", "month", "municipality_id", "subtopic_id", "sector_id"], name="areamonth_key",
            nulls_distinct=False)]


class AreaMonthChannel(PlaceAndTopic):
    """Per month, territory, topic, channel and kind: the same over a long range narrowed by channel or kind."""

    month = models.DateField("месяц", help_text="Первое число месяца.")
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)

    class Meta:
        verbose_name = "обращения по территории и каналу за месяц"
        verbose_name_plural = "обращения по территориям и каналам по месяцам"
        constraints = [models.UniqueConstraint(
            fields=["region", "month", "municipality_id", "subtopic_id", "sector_id", "channel", "kind"],
            name="areamonthchannel_key", nulls_distinct=False)]


class SectorAndChannel(AreaPeriod):
    """The whole region's sums by sector, channel and kind."""

    sector_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=16)

    class Meta:
        abstract = True


class RegionDay(SectorAndChannel):
    """Per local day, sector, channel and kind, the whole region: the totals and medians of a range that is not
    whole months — the running month's comparison with the same days of the last one — without the facts."""

    day = models.DateField("день")

    class Meta:
        verbose_name = "обращения региона по сфере и каналу за день"
        verbose_name_plural = "обращения региона по сферам и каналам по дням"
        constraints = [models.UniqueConstraint(fields=["region", "day", "sector_id", "channel", "kind"],
                                               name="regionday_key", nulls_distinct=False)]


class RegionWeek(AreaPeriod):
    """Per week and sector, the whole region: the dashboard's year of weeks without reading every territory."""

    week = models.DateField("неделя", help_text="Понедельник.")
    sector_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "обращения региона по сфере за неделю"
        verbose_name_plural = "обращения региона по сферам по неделям"
        constraints = [models.UniqueConstraint(fields=["region", "week", "sector_id"], name="regionweek_key",
                                               nulls_distinct=False)]


class RegionMonth(SectorAndChannel):
    """Per month, sector, channel and kind, the whole region: the region's totals and medians of any period."""

    month = models.DateField("месяц", help_text="Первое число месяца.")

    class Meta:
        verbose_name = "обращения региона по сфере и каналу за месяц"
        verbose_name_plural = "обращения региона по сферам и каналам по месяцам"
        constraints = [models.UniqueConstraint(fields=["region", "month", "sector_id", "channel", "kind"],
                                               name="regionmonth_key", nulls_distinct=False)]


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
