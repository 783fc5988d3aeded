"""`BENCH import_peak_rss_mb` (issue 12): a large CSV in the neutral format — our own synthetic texts, the
emulator's ПОС records made of the demo corpus — imported by the real task body in a process of its own,
whose peak resident memory is read with getrusage. Prints the process's memory before the import too:
what Django and the structuring libraries take before a row is read."""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand

from appeals.management.commands.bench_ingest import Command as BenchIngest
from appeals.models import ImportJob
from appeals.sources.emulator import FeedEmulator, places_of_region
from municipalities.models import Region

HEADER = ["external_id", "kind", "channel", "received_at", "title", "text", "citizen_name", "citizen_email",
          "citizen_phone", "citizen_address", "municipality_oktmo", "settlement", "address"]
CHUNK = 10_000
# The import as the worker's task runs it, in a fresh interpreter: its peak RSS is the import's alone.
CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")
import django
django.setup()
from appeals.sources.files import import_job_process
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
started = time.perf_counter()
result = import_job_process(job_id=int(sys.argv[1]))
result.update(before=before, peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
              seconds=time.perf_counter() - started)
print(json.dumps(result))
"""


class Command(BaseCommand):
    help = "Benchmark of a large file import: BENCH import_peak_rss_mb and BENCH import_rows_per_s."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=500_000)
        parser.add_argument("--region", default="samara")

    def handle(self, *args, rows: int, region: str, **options):
        run = f"{int(time.time()):x}i"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "registry.csv"
            self._write(path, rows, region, run)
            with open(path, "rb") as handle:
                job = ImportJob(region=Region.objects.get(code=region), original_name=path.name)
                job.file.save(path.name, File(handle), save=False)
                job.save()
            size = path.stat().st_size
        try:
            child = subprocess.run([sys.executable, "-c", CHILD, str(job.pk)], capture_output=True, text=True,
                                   check=True, env={**os.environ, "CUR_INTAKE_STRUCTURE": "0"})
            result = json.loads(child.stdout.strip().splitlines()[-1])
            self.stdout.write(f"# {rows:,} rows, {size / 1024 / 1024:.0f} MB CSV: {result['status']} "
                              f"{result['error']}; {result['created']:,} created in {result['seconds']:.0f} s; "
                              f"the process held {result['before']} MB before the first row")
            self.stdout.write(f"BENCH import_peak_rss_mb {result['peak']} MB")
            self.stdout.write(f"BENCH import_rows_per_s {result['received'] / result['seconds']:.0f} rows/s")
        finally:
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).delete()
            BenchIngest()._delete(run)  # leave the database as it was

    def _write(self, path: Path, rows: int, region: str, run: str) -> None:
        emulator = FeedEmulator("pos", places=places_of_region(region), seed=7,
                                now=datetime.now(UTC) - timedelta(days=400))
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(HEADER)
            written = 0
            while written < rows:
                emulator.log.clear()
                emulator.items.clear()
                emulator.add(min(CHUNK, rows - written))
                for record in emulator.log:
                    author, place = record["author"], record["territory"]
                    writer.writerow([
                        f"BENCH-{run}-{written:08d}", record["type"], "letter",
                        datetime.fromisoformat(record["created_at"]).strftime("%d.%m.%Y %H:%M"), record["title"],
                        record["text"], author["name"], author["email"], author["phone"], author["address"],
                        place["oktmo"], place["settlement"], place["address"],
                    ])
                    written += 1
