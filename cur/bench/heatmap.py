"""The heat map, the dashboard, a slice and the weekly surge scan at the bench database's size (issue 15),
each beside one hand-written GROUP BY over the appeals computing the same figures."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def heatmap_bench(db: BenchDatabase) -> Iterator[Result]:
    # heatmap/management/commands/bench_heatmap.py prints its own BENCH lines, in a process of its own
    db.manage("bench_heatmap")
    yield from ()
