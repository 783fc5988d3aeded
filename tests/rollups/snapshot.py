"""Everything the rollups hold, comparable: the facts of every turn and the non-empty sums."""

from rollups.areas import CUBES, FACT_COLUMNS
from rollups.models import AgencyDay, AgencyMonth, AppealFact, AreaPeriod, TurnFact

FACT_FIELDS = ("turn_id", "appeal_id", "agency_id", "municipality_id", "subtopic_id", "kind", "start_day",
               "is_repeat", "is_rework", "decision_day", "is_late", "open_due", "end_day", "outcome", "answer_bucket",
               "quality_ok", "complete_ok", "first_day", "first_bucket", "rated_day", "satisfied")


def rollup_snapshot():
    facts = sorted(TurnFact.objects.values_list(*FACT_FIELDS))
    days = [row for row in sorted(AgencyDay.objects.values_list("agency_id", "day", *AgencyDay.COUNTS,
                                                               *AgencyDay.HISTOGRAMS))
            if any(row[2:-2]) or any(row[-2]) or any(row[-1])]
    months = [row for row in sorted(AgencyMonth.objects.values_list("agency_id", "month", *AgencyMonth.COUNTS,
                                                                   *AgencyMonth.HISTOGRAMS))
              if any(row[2:-2]) or any(row[-2]) or any(row[-1])]
    return facts, days, months, area_snapshot()


def area_snapshot():
    """The appeals' facts and every non-empty sum of the area tables."""
    facts = sorted(AppealFact.objects.values_list(*FACT_COLUMNS))
    cubes = {}
    for cube in CUBES:
        rows = cube.model.objects.values_list(cube.slot, *cube.dims, *AreaPeriod.COUNTS, *AreaPeriod.HISTOGRAMS)
        cubes[cube.table] = sorted((row for row in rows if any(row[len(cube.dims) + 1:-2]) or any(row[-2])
                                    or any(row[-1])), key=repr)
    return facts, cubes
