"""How well the surge rule finds surges: synthetic weekly streams with planted surges, judged week by week
by the very rule of the scan (heatmap/conflicts/detection.py), scored by precision and recall.

A stream is a region's cells (territory × subtopic), two years of weeks: a Poisson background per cell
(from half an appeal to thirty a week), a seasonal wave for a third of the subtopics (the same in every
territory — snow, heating, waste in summer), a slow growth, and in the second year surges planted in a few
cell-weeks: three to six times the cell's usual level, at least five appeals more. Nothing here reads the
database: the figures depend on the seed alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from heatmap.conflicts.detection import YEAR, Rules, judge

WEEKS = 2 * YEAR


@dataclass
class Score:
    planted: int
    found: int
    true: int

    @property
    def precision(self) -> float:
        return self.true / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.planted if self.planted else 1.0


def streams(*, territories: int = 40, subtopics: int = 30, seed: int = 15, share: float = 0.01):
    """(counts per cell, the cell's subtopic, whether the subtopic is seasonal, the planted cell-weeks)."""
    rng = np.random.default_rng(seed)
    weeks = np.arange(WEEKS)
    seasonal = rng.random(subtopics) < 1 / 3
    phase = rng.uniform(0, 2 * math.pi, subtopics)
    size = rng.lognormal(0.0, 0.9, territories)  # a city and many villages
    popularity = rng.lognormal(0.0, 0.8, subtopics)
    cells, planted = {}, set()
    for t in range(territories):
        for s in range(subtopics):
            level = min(30.0, 1.2 * size[t] * popularity[s])
            wave = 1 + (0.9 * np.sin(2 * math.pi * weeks / YEAR + phase[s]) if seasonal[s] else 0)
            mean = level * np.maximum(wave, 0.1) * (1 + 0.15 * weeks / WEEKS)
            counts = rng.poisson(mean)
            for w in range(YEAR + 8, WEEKS):
                if rng.random() < share:
                    counts[w] = max(counts[w], int(mean[w] * rng.uniform(3, 6)) + 5)
                    planted.add((t, s, w))
            cells[(t, s)] = counts.tolist()
    return cells, seasonal, planted


def score(rules: Rules | None = None, **options) -> Score:
    """Judge every cell-week of the second year; a found surge is true when it was planted."""
    rules = rules or Rules()
    cells, seasonal, planted = streams(**options)
    totals: dict[int, np.ndarray] = {}
    for (_, s), counts in cells.items():
        totals[s] = totals.get(s, np.zeros(WEEKS, dtype=np.int64)) + np.array(counts)
    found = set()
    for (t, s), counts in cells.items():
        elsewhere = (totals[s] - np.array(counts)).tolist()
        for w in range(YEAR + 8, WEEKS):
            if counts[w] >= rules.surge_min_count and judge(counts, w, rules=rules, seasonal=bool(seasonal[s]),
                                                             elsewhere=elsewhere).surge:
                found.add((t, s, w))
    return Score(planted=len(planted), found=len(found), true=len(found & planted))
