from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cur.models import CalendarDay
from cur.selectors import working_calendar
from cur.services import calendar_load
from municipalities.models import Region


class Command(BaseCommand):
    help = "Print a year of the region's production calendar: working days, hours and non-standard days."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", default=settings.CUR_REGION, help="samara | chuvashia")

    def handle(self, *args, year: int, region: str, **options):
        try:
            region_obj = Region.objects.get(code=region)
        except Region.DoesNotExist:
            raise CommandError(f"Unknown region {region!r}: run `manage.py bootstrap` first") from None
        if not CalendarDay.objects.filter(region=region_obj, date__year=year).exists():
            calendar_load(region=region_obj, years=[year])
        calendar = working_calendar(region=region_obj)
        days = calendar.working_days_in_year(year)
        hours = calendar.working_hours_in_year(year)
        self.stdout.write(f"Производственный календарь {year}, {region_obj.name} ({region_obj.timezone})")
        self.stdout.write(f"Рабочих дней: {days}")
        self.stdout.write(f"Норма рабочего времени при 40-часовой неделе: {hours} ч")
        self.stdout.write("Нестандартные дни:")
        for day in CalendarDay.objects.filter(region=region_obj, date__year=year):
            marker = " (исправлено вручную)" if day.source == CalendarDay.Source.MANUAL else ""
            self.stdout.write(f"  {day.date:%d.%m.%Y} {day.date:%a}  {day.get_kind_display():<36} "
                              f"{day.working_hours} ч  {day.name}{marker}")

