"""`BENCH ingest_items_per_s` beside `BENCH copy_items_per_s` (issue 5): raw ПОС records through the
real adapter (validation) and the real upsert, in batches, in as many processes as the worker runs;
then the very same rows written back with a raw COPY — the floor of what storing them costs.
Search (issue 6): the batched indexer's throughput on those rows, and intake again with the search
documents computed by a trigger instead — the two ways of keeping the index current, measured."""

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.core.management.base import BaseCommand
from django.db import connection, connections

from appeals.intake.items import Territory
from appeals.intake.upsert import appeals_upsert
from appeals.search.index import search_index_pending
from appeals.sources.common import parse_page
from appeals.sources.emulator import FeedEmulator, places_of_region
from appeals.sources.pos import parse_pos_item
from municipalities.models import Region

_records: list = []


def _work(args: tuple[int, int, int]) -> int:
    start, stop, batch = args
    region = Region.objects.get(code=_region_code)
    territory = Territory.of(region)
    written = 0
    for offset in range(start, stop, batch):
        items, rejected = parse_page(_records[offset:min(offset + batch, stop)], parse=parse_pos_item,
                                     territory=territory, source="pos")
        result = appeals_upsert(region=region, items=items, rejected=rejected, source_label="bench")
        written += result.created + result.updated
    connection.close()
    return written


_region_code = "samara"
INDEXED = 20_000
# The rejected alternative (see _ingest_with_document_trigger): documents and lexicon written by intake.
DOCUMENT_TRIGGER = """
CREATE FUNCTION bench_search_document_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO appeals_appealsearch (appeal_id, document, personal, indexed_at)
    SELECT i.id, appeals_search_document(i.title, concat_ws(' ', i.address, s.name, m.name), i.text, ''),
           appeals_search_personal(i.citizen_name, concat_ws(' ', i.citizen_email, i.citizen_phone,
                                                             i.citizen_address), ''), now()
    FROM inserted i
    LEFT JOIN municipalities_settlement s ON s.id = i.settlement_id
    LEFT JOIN municipalities_municipality m ON m.id = i.municipality_id;
    INSERT INTO appeals_searchword (word, documents)
    SELECT word, count(*) FROM appeals_appealsearch d JOIN inserted i ON i.id = d.appeal_id,
           unnest(tsvector_to_array(d.document || d.personal)) AS word
    WHERE length(word) <= 64 AND word ~ '^[[:alpha:]][[:alpha:]-]{2,63}$'
    GROUP BY word ORDER BY word
    ON CONFLICT (word) DO UPDATE SET documents = appeals_searchword.documents + excluded.documents;
    RETURN NULL;
END $$;
CREATE TRIGGER appeal_search_document_now AFTER INSERT ON appeals_appeal
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION bench_search_document_now();
"""


class Command(BaseCommand):
    help = "Benchmark of intake: BENCH ingest_items_per_s and BENCH copy_items_per_s (same rows, same run)."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=200_000)
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--region", default="samara")

    def handle(self, *args, items: int, batch: int, workers: int, region: str, **options):
        global _region_code
        _region_code = region
        emulator = FeedEmulator("pos", places=places_of_region(region), seed=2026, epoch="bench")
        emulator.add(items)
        run = f"{int(time.time()):x}"  # new ids every run: each run measures creation, not re-reading
        _records[:] = [dict(r, id=f"BENCH-{run}-{n:08d}") for n, r in enumerate(emulator.log)]
        del emulator
        before = self._count()
        shares = [(k * items // workers, (k + 1) * items // workers, batch) for k in range(workers)]
        connections.close_all()  # forked workers must not share the parent's connection
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            written = sum(pool.map(_work, shares))
        seconds = time.perf_counter() - started
        self.stdout.write(f"# {written:,} items in {seconds:.1f} s, batches of {batch}, {workers} processes")
        self.stdout.write(f"BENCH ingest_items_per_s {written / seconds:.0f} items/s")
        assert self._count() - before == items == written, "the benchmark lost or doubled items"
        self.stdout.write(f"BENCH copy_items_per_s {items / self._copy_floor(workers, run):.0f} items/s")
        self._index_batched()
        # leave the bench database as it was, for the benchmarks that follow (pages at 1M appeals)
        self._delete(run)
        self._ingest_with_document_trigger(items, batch, workers)

    def _index_batched(self) -> None:
        """The chosen way of keeping search current: intake only queues (a trigger per batch), the indexer
        writes the documents afterwards — here its throughput on what was just ingested, one process."""
        started = time.perf_counter()
        done = search_index_pending(limit=INDEXED)
        self.stdout.write(f"BENCH search_index_items_per_s {done / (time.perf_counter() - started):.0f} items/s")

    def _ingest_with_document_trigger(self, items: int, batch: int, workers: int) -> None:
        """The alternative, measured for the choice (docs/search.md): each intake batch computes its
        documents in a trigger, in SQL alone — personal data in the text could not be kept out of them."""
        with connection.cursor() as cursor:
            cursor.execute(DOCUMENT_TRIGGER)
            cursor.execute("ALTER TABLE appeals_appeal DISABLE TRIGGER appeal_search_inserted")
        run = f"{int(time.time()):x}t"
        _records[:] = [dict(r, id=f"BENCH-{run}-{n:08d}") for n, r in enumerate(_records)]
        shares = [(k * items // workers, (k + 1) * items // workers, batch) for k in range(workers)]
        connections.close_all()
        try:
            started = time.perf_counter()
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                written = sum(pool.map(_work, shares))
            seconds = time.perf_counter() - started
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE appeals_appeal ENABLE TRIGGER appeal_search_inserted")
                cursor.execute("DROP TRIGGER appeal_search_document_now ON appeals_appeal;"
                               " DROP FUNCTION bench_search_document_now()")
        self.stdout.write(f"BENCH ingest_items_per_s_document_trigger {written / seconds:.0f} items/s")
        self._delete(run)

    def _delete(self, run: str) -> None:
        with connection.cursor() as cursor:
            for table in ("appeals_appealsearch", "appeals_searchqueue"):
                cursor.execute(f"DELETE FROM {table} WHERE appeal_id IN (SELECT id FROM appeals_appeal "
                               "WHERE external_id LIKE %s)", [f"BENCH-{run}-%"])
            cursor.execute("DELETE FROM appeals_appealevent WHERE appeal_id IN (SELECT id FROM appeals_appeal "
                           "WHERE external_id LIKE %s)", [f"BENCH-{run}-%"])
            cursor.execute("DELETE FROM appeals_appeal WHERE external_id LIKE %s", [f"BENCH-{run}-%"])
            cursor.execute("VACUUM (ANALYZE) appeals_appeal, appeals_appealevent, appeals_appealsearch,"
                           " appeals_searchqueue")

    def _count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal WHERE external_id LIKE 'BENCH-%%'")
            return cursor.fetchone()[0]

    def _copy_floor(self, streams: int, run: str) -> float:
        """The ingested appeals and their CREATED events dumped, deleted and COPied back with as many
        parallel streams as workers, into the same tables with the same indexes."""
        params = connection.get_connection_params()
        conninfo = {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"} and v}
        where = f"external_id LIKE 'BENCH-{run}-%'"
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            dumps = {}
            for table, query in (
                ("appeals_appeal", f"SELECT * FROM appeals_appeal WHERE {where} ORDER BY id"),
                ("appeals_appealevent", f"SELECT e.* FROM appeals_appealevent e JOIN appeals_appeal a "
                                        f"ON a.id = e.appeal_id WHERE a.{where} ORDER BY e.id"),
            ):
                buffer = bytearray()
                with conn.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
                    for block in copy:
                        buffer += block
                dumps[table] = bytes(buffer)
            conn.execute(f"DELETE FROM appeals_appealevent WHERE appeal_id IN "
                         f"(SELECT id FROM appeals_appeal WHERE {where})")
            conn.execute(f"DELETE FROM appeals_appeal WHERE {where}")
            conn.execute("VACUUM appeals_appeal, appeals_appealevent")

        def copy_in(job):
            table, data = job
            with psycopg.connect(**conninfo) as conn, conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                view = memoryview(data)
                for offset in range(0, len(view), 1 << 20):
                    copy.write(view[offset:offset + (1 << 20)])

        started = time.perf_counter()
        with ThreadPoolExecutor(streams) as pool:
            for table in ("appeals_appeal", "appeals_appealevent"):
                list(pool.map(copy_in, [(table, piece) for piece in _split(dumps[table], streams)]))
        return time.perf_counter() - started


def _split(data: bytes, parts: int) -> list[bytes]:
    pieces, start = [], 0
    for k in range(1, parts):
        cut = data.find(b"\n", len(data) * k // parts) + 1 or len(data)
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return pieces
