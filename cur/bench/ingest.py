"""Intake (issue 5): ≥ 2 000 items/s sustained into PostgreSQL on 2 cores without structuring, beside a
raw COPY of the same rows in the same run."""

from __future__ import annotations

from collections.abc import Iterator

from cur.bench.runner import BenchDatabase, Result, benchmark


@benchmark
def ingest_bench(db: BenchDatabase) -> Iterator[Result]:
    # The command prints `BENCH ingest_items_per_s` and `BENCH copy_items_per_s` itself: 200 000 raw ПОС
    # records validated by the adapter and written by appeals_upsert in batches of 1 000 from two
    # processes (as the worker runs), then the same rows dumped, deleted and COPied back in two streams.
    db.manage("bench_ingest", "--items", "200000", "--workers", "2")
    yield from ()
