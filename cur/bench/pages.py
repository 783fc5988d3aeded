"""Queue and card p95 at the bench database's size (issue 4's targets: ≤ 150 ms at 1M)."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def pages_bench(db: BenchDatabase) -> Iterator[Result]:
    # The command prints its own `BENCH queue_p95_ms_*` / `BENCH card_p95_ms_*` lines and the plan of
    # every case; it runs in a process of its own on the bench database.
    db.manage("bench_pages")
    yield from ()
