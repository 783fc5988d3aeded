import platform
from datetime import date

from django.core.management.base import BaseCommand

from cur.bench import (  # noqa: F401 — registers the benchmarks (in this order: generate first)
    generate,
    heatmap,
    ingest,
    integrations,
    pages,
    ratings,
    reports,
    search,
    structuring,
    webhooks,
)
from cur.bench.runner import REGISTRY, create_bench_database


class Command(BaseCommand):
    help = "Run the benchmarks on a fresh `cur_bench` database; print `BENCH <name> <value> <unit>` lines."

    def add_arguments(self, parser):
        parser.add_argument("--appeals", type=int, default=1_000_000)
        names = [b.__name__.removesuffix("_bench") for b in REGISTRY]
        parser.add_argument("--only", default="", help=f"comma-separated benchmarks to run after the data is "
                                                        f"generated (default all): {', '.join(names[1:])}")
        parser.add_argument("--no-floor", action="store_true",
                            help="skip the generation's COPY floor (generate/copy figures): for runs of --only")

    def handle(self, *args, appeals: int, only: str, no_floor: bool, **options):
        self.stdout.write(f"# {date.today()} · {platform.node()} · {platform.processor() or platform.machine()} · "
                          f"Python {platform.python_version()} · {appeals:,} appeals")
        db = create_bench_database(appeals, floor=not no_floor)
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        for k, bench in enumerate(REGISTRY):
            if k and wanted and bench.__name__.removesuffix("_bench") not in wanted:
                continue  # the first one generates the data every other one reads
            for result in bench(db):
                self.stdout.write(result.line())
                self.stdout.flush()
