"""The REST API's list and Open311's requests at the bench database's size (issue 18: p95 ≤ 150 ms at 1 M), beside
the bare minimum — the same page as one hand-written SELECT."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def integrations_bench(db: BenchDatabase) -> Iterator[Result]:
    # cur/management/commands/bench_api.py prints its own BENCH lines, in a process of its own
    db.manage("bench_api")
    yield from ()
