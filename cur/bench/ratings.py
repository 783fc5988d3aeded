"""The ratings page and the rollups at the bench database's size (issue 14): the page against one hand-written
GROUP BY over appeals and assignments, the full rebuild, and the lag from an event to its rollup."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def ratings_bench(db: BenchDatabase) -> Iterator[Result]:
    # ratings/management/commands/bench_ratings.py prints its own BENCH lines, in a process of its own
    db.manage("bench_ratings")
    yield from ()
