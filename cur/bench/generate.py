"""generate_demo at scale, against the bare minimum: a raw COPY of the very same rows."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg

from cur.bench.runner import BenchDatabase, Result, benchmark

# Appeals first: events, answers and search documents reference them.
PHASES = [["appeals_appeal", "appeals_searchword"], ["appeals_appealevent", "appeals_answer", "appeals_appealsearch"],
          ["appeals_attachment"]]
STREAMS = 2  # as many as generate_demo uses (one per core)


def _halves(data: bytes, parts: int) -> list[bytes]:
    """Split COPY text at row boundaries into `parts` pieces of about the same size."""
    pieces, start = [], 0
    for k in range(1, parts):
        cut = data.find(b"\n", len(data) * k // parts) + 1 or len(data)
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return pieces


def _copy_in(conninfo: str, table: str, data: bytes) -> None:
    with psycopg.connect(conninfo) as conn, conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
        view = memoryview(data)
        for offset in range(0, len(view), 1 << 20):
            copy.write(view[offset:offset + (1 << 20)])


@benchmark
def generate_demo_bench(db: BenchDatabase) -> Iterator[Result]:
    seconds = db.manage("generate_demo", "--appeals", str(db.appeals))
    label = f"{db.appeals // 1_000_000}m" if db.appeals % 1_000_000 == 0 else str(db.appeals)
    yield Result(f"generate_{label}_s", seconds, "s")

    # Bare minimum: the same rows, already generated, written back with COPY — as many parallel
    # streams as the generator uses — into the same tables with the same indexes: what loading
    # costs without generating anything.
    conninfo = db.conninfo()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        dumps = {}
        for table in sum(PHASES, []):
            buffer = bytearray()
            with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    buffer += block
            dumps[table] = bytes(buffer)
        conn.execute(f"TRUNCATE {', '.join(sum(PHASES, []))} CASCADE")  # notices, assignments: empty here
    started = time.perf_counter()
    with ThreadPoolExecutor(STREAMS) as pool:
        for phase in PHASES:
            jobs = [(table, piece) for table in phase for piece in _halves(dumps[table], STREAMS)]
            list(pool.map(lambda job: _copy_in(conninfo, *job), jobs))
    yield Result(f"copy_{label}_s", time.perf_counter() - started, "s")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # the triggers queued the copied appeals for indexing: their documents were copied too
        conn.execute("TRUNCATE appeals_searchqueue")
        conn.execute("VACUUM (ANALYZE) appeals_appeal, appeals_appealevent, appeals_answer, appeals_appealsearch,"
                     " appeals_searchword")
