"""The weekly note and an indicator report at the bench database's size (issue 17), beside one hand-written
GROUP BY over the appeals reading the note's key counts."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def reports_bench(db: BenchDatabase) -> Iterator[Result]:
    # reports/management/commands/bench_reports.py prints its own BENCH lines, in a process of its own
    db.manage("bench_reports")
    yield from ()
