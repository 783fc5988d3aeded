"""generate_demo at scale, against the bare minimum: a raw COPY of the very same rows."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from cur.bench.runner import BASE_DIR, BenchDatabase, Result, benchmark
from rollups.areas import CUBES

# Appeals first: events, answers, turns and search documents reference them; the rollups last.
PHASES = [["appeals_appeal", "appeals_searchword"],
          ["appeals_appealevent", "appeals_answer", "appeals_appealsearch", "appeals_assignment"],
          ["appeals_attachment", "rollups_turnfact", "rollups_agencyday", "rollups_agencymonth",
           "rollups_appealfact", *(cube.table for cube in CUBES)]]
STREAMS = 2  # as many as generate_demo uses (one per core)


def _pieces(path: Path, parts: int) -> list[tuple[int, int]]:
    """(start, end) byte ranges of a COPY text file, cut at row boundaries into `parts` of about the same size."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as file:
        for k in range(1, parts):
            file.seek(max(size * k // parts, cuts[-1]))
            file.readline()  # to the end of the row the cut falls in
            cuts.append(min(file.tell(), size))
    cuts.append(size)
    return list(zip(cuts, cuts[1:], strict=False))


def _copy_out(conninfo: str, table: str, path: Path) -> None:
    with psycopg.connect(conninfo) as conn, path.open("wb") as file, \
            conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
        for block in copy:
            file.write(block)


def _copy_in(conninfo: str, table: str, path: Path, start: int, end: int) -> None:
    with psycopg.connect(conninfo) as conn, path.open("rb") as file, \
            conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
        file.seek(start)
        left = end - start
        while left > 0:
            block = file.read(min(1 << 20, left))
            copy.write(block)
            left -= len(block)


@benchmark
def generate_demo_bench(db: BenchDatabase) -> Iterator[Result]:
    seconds = db.manage("generate_demo", "--appeals", str(db.appeals))
    label = f"{db.appeals // 1_000_000}m" if db.appeals % 1_000_000 == 0 else str(db.appeals)
    yield Result(f"generate_{label}_s", seconds, "s")

    if db.floor:
        yield _copy_floor(db, label)
    with psycopg.connect(db.conninfo(), autocommit=True) as conn:
        # the triggers queued the copied appeals for indexing: their documents were copied too
        conn.execute("TRUNCATE appeals_searchqueue")
        conn.execute("VACUUM (ANALYZE) appeals_appeal, appeals_appealevent, appeals_answer, appeals_appealsearch,"
                     " appeals_searchword, appeals_assignment, rollups_turnfact, rollups_agencyday,"
                     f" rollups_agencymonth, rollups_appealfact, {', '.join(cube.table for cube in CUBES)}")


def _copy_floor(db: BenchDatabase, label: str) -> Result:
    # Bare minimum: the same rows, already generated, written back with COPY — as many parallel
    # streams as the generator uses — into the same tables with the same indexes: what loading
    # costs without generating anything.
    conninfo = db.conninfo()
    # the rows are dumped to files, not memory: at 5 M appeals the tables are some 20 GB of COPY text
    with tempfile.TemporaryDirectory(prefix="bench-copy-", dir=BASE_DIR / "var") as folder:
        dumps = {table: Path(folder) / f"{table}.copy" for table in sum(PHASES, [])}
        for table, path in dumps.items():
            _copy_out(conninfo, table, path)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {', '.join(sum(PHASES, []))} CASCADE")  # notices: empty here
        started = time.perf_counter()
        with ThreadPoolExecutor(STREAMS) as pool:
            for phase in PHASES:
                jobs = [(table, dumps[table], *piece) for table in phase for piece in _pieces(dumps[table], STREAMS)]
                list(pool.map(lambda job: _copy_in(conninfo, *job), jobs))
        copied = time.perf_counter() - started
    return Result(f"copy_{label}_s", copied, "s")
