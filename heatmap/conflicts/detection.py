"""The surge rule (docs/analytics.md, ANALYTICS.md §3) as a pure function over one cell's weekly counts, so the
weekly scan of the rollups and the quality measurement on synthetic streams judge alike.

A cell (territory × subtopic) surges in week W when its count is at least `surge_min_count`, at least
`surge_ratio` times its baseline, and the Poisson tail P(X ≥ count | baseline) is below `surge_p_value`. The
baseline is the mean of the previous `baseline_weeks` weeks, scaled by how much the same subtopic rose in the
rest of the region that week (never scaled down): a rise everywhere — the heating season, the first snow —
is the season, not a local surge. For a seasonal subtopic with a year of history, the baseline is at least
the mean of the same three weeks a year earlier — a winter's snow that came last winter too is expected.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

YEAR = 52
FLOOR = 0.5  # a cell quiet for weeks still expects half an appeal: one letter is not a surge


@dataclass(frozen=True)
class Rules:
    baseline_weeks: int = 8
    surge_min_count: int = 5
    surge_ratio: float = 2.0
    surge_p_value: float = 0.001

    @classmethod
    def of(cls, rules) -> Rules:
        return cls(max(4, rules.baseline_weeks), rules.surge_min_count, float(rules.surge_ratio), rules.surge_p_value)


@dataclass(frozen=True)
class Verdict:
    surge: bool
    count: int
    baseline: float
    p_value: float
    seasonal_baseline: float | None = None  # the same weeks a year earlier, when used
    regional_factor: float = 1.0  # the rest of the region's rise on the subtopic


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean), summed in logs (no overflow for large counts)."""
    if count <= 0:
        return 1.0
    log_mean = math.log(mean)
    below = sum(math.exp(k * log_mean - mean - math.lgamma(k + 1)) for k in range(count))
    return max(0.0, 1.0 - below)


def judge(counts: list[int], week: int, *, rules: Rules, seasonal: bool = False,
          elsewhere: list[int] | None = None) -> Verdict:
    """Whether counts[week] is a surge against the weeks before it (`counts` is one cell's weekly series;
    `elsewhere` the same subtopic's series in the rest of the region)."""
    count = counts[week]
    previous = counts[max(0, week - rules.baseline_weeks):week]
    baseline = max(FLOOR, sum(previous) / len(previous)) if previous else FLOOR
    factor = 1.0
    if elsewhere is not None:
        before = elsewhere[max(0, week - rules.baseline_weeks):week]
        usual = sum(before) / len(before) if before else 0
        if usual >= rules.surge_min_count:  # a rise elsewhere means something only over enough appeals
            factor = max(1.0, elsewhere[week] / usual)
    baseline *= factor
    year_ago = None
    if seasonal and week - YEAR - 1 >= 0:
        same_weeks = counts[week - YEAR - 1:week - YEAR + 2]
        year_ago = sum(same_weeks) / len(same_weeks)
        baseline = max(baseline, year_ago)
    p_value = poisson_tail(count, baseline)
    surge = count >= rules.surge_min_count and count >= rules.surge_ratio * baseline and p_value < rules.surge_p_value
    return Verdict(surge, count, round(baseline, 2), p_value, year_ago, round(factor, 2))
