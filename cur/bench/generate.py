"""generate_demo at scale, against the bare minimum: a raw COPY of the very same rows."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg

from cur.bench.runner import BenchDatabase, Result, benchmark

TABLES = ["appeals_appeal", "appeals_appealevent", "appeals_answer"]


@benchmark
def generate_demo_bench(db: BenchDatabase) -> Iterator[Result]:
    seconds = db.manage("generate_demo", "--appeals", str(db.appeals))
    label = f"{db.appeals // 1_000_000}m" if db.appeals % 1_000_000 == 0 else str(db.appeals)
    yield Result(f"generate_{label}_s", seconds, "s")

    # Bare minimum: the same rows, already generated, written back with COPY into the same
    # tables with the same indexes — what loading costs without generating anything.
    with psycopg.connect(db.conninfo(), autocommit=True) as conn:
        dumps = {}
        for table in TABLES:
            buffer = bytearray()
            with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    buffer += block
            dumps[table] = bytes(buffer)
        conn.execute(f"TRUNCATE {', '.join(TABLES)}")
        started = time.perf_counter()
        with conn.transaction():
            for table in TABLES:
                with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                    view = memoryview(dumps[table])
                    for offset in range(0, len(view), 1 << 20):
                        copy.write(view[offset:offset + (1 << 20)])
        yield Result(f"copy_{label}_s", time.perf_counter() - started, "s")
        conn.execute("ANALYZE")
