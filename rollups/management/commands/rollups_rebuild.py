import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from municipalities.models import Region
from rollups.services import rollups_rebuild


class Command(BaseCommand):
    help = ("Recompute the rollups (ratings, and next the heat map) from the appeals' history: all of them, "
            "one region's, or one region's days from --from to --to.")

    def add_arguments(self, parser):
        parser.add_argument("--region", help="код региона: samara | chuvashia (по умолчанию — все)")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat, help="ГГГГ-ММ-ДД")
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="ГГГГ-ММ-ДД")

    def handle(self, *args, region, date_from, date_to, **options):
        region_id = None
        if region:
            try:
                region_id = Region.objects.get(code=region).pk
            except Region.DoesNotExist:
                raise CommandError(f"Нет региона {region!r}.") from None
        if (date_from or date_to) and region_id is None:
            raise CommandError("Пересчёт за период — только для одного региона: укажите --region.")
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from позже, чем --to.")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            bar = "█" * int(30 * done / total) if total else ""
            self.stdout.write(f"\r  [{bar:<30}] {done:>9,}/{total:,} обращений", ending="")
            self.stdout.flush()

        self.stdout.write("Пересчитываю сводные данные…")
        report = rollups_rebuild(region_id=region_id, date_from=date_from, date_to=date_to, progress=progress)
        self.stdout.write("")
        days = f", дни {report.days[0]:%d.%m.%Y}–{report.days[1]:%d.%m.%Y}" if report.days else ""
        self.stdout.write(self.style.SUCCESS(
            f"Готово за {time.perf_counter() - started:.1f} с: обращений {report.appeals:,}{days}."))
