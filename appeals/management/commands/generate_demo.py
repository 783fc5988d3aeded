from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appeals.demo.loader import generate_demo
from municipalities.models import Region


class Command(BaseCommand):
    help = "Generate realistic synthetic appeals (with events, answers, verdicts) for a year, loaded with COPY."

    def add_arguments(self, parser):
        parser.add_argument("--appeals", type=int, default=100_000)
        parser.add_argument("--region", default=settings.CUR_REGION, help="samara | chuvashia")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, appeals: int, region: str, seed: int, workers: int, **options):
        if appeals <= 0:
            raise CommandError("--appeals must be positive")
        try:
            region_obj = Region.objects.get(code=region)
        except Region.DoesNotExist:
            raise CommandError(f"Unknown region {region!r}: run `manage.py bootstrap` first") from None

        def progress(done: int, total: int, elapsed: float) -> None:
            bar = "█" * int(30 * done / total)
            self.stdout.write(f"\r  [{bar:<30}] {done:>9,}/{total:,}  {done / elapsed:,.0f} обращений/с", ending="")
            self.stdout.flush()

        self.stdout.write(f"Генерирую {appeals:,} демо-обращений ({region_obj.name})…")
        totals = generate_demo(appeals=appeals, region=region_obj, now=timezone.now(), seed=seed,
                               workers=workers, progress=progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Готово за {totals['seconds']} с: обращений {totals['appeals']:,}, событий {totals['events']:,}, "
            f"ответов {totals['answers']:,} (с фотоотчётом {totals['attachments']:,}), проблем {totals['problems']:,}."
        ))
