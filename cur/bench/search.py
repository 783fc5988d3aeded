"""Search (issues 6 and 12): search p95 ≤ 300 ms for a word in about 1 % of the appeals, alone and with two
filters, and for the most frequent words of the corpus (ranked over their newest matches, «найдено более
N»); the similar-appeals panel p95 ≤ 150 ms, at the bench database's size."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def search_bench(db: BenchDatabase) -> Iterator[Result]:
    # The command prints its own `BENCH search_p95_ms_*`, the floor beside it (`search_floor_ms_*`,
    # the bare GIN lookup), an unindexed ILIKE scan, `BENCH search_frequent_p95_ms_*` (the most frequent
    # words) and `BENCH similar_p95_ms_*`.
    db.manage("bench_search")
    yield from ()
