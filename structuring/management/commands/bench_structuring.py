from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Structuring throughput on one core (prints BENCH lines); part of `manage.py bench`."

    def add_arguments(self, parser):
        parser.add_argument("--texts", type=int, default=4_000)

    def handle(self, *args, texts: int, **options):
        from cur.bench.structuring import measure
        from structuring.commands import ensure_ready

        ensure_ready(region="samara", stdout=self.stderr)
        for result in measure(texts):
            self.stdout.write(result.line())
