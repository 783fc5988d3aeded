from argparse import BooleanOptionalAction
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from appeals.models import Appeal
from cur.accounts import administrator_ensure
from cur.demo import organisation_load_demo
from cur.services import calendar_load, rubricator_load, sla_policies_load
from heatmap.conflicts.services import monday, situations_scan
from municipalities.models import Region
from municipalities.services import territory_load
from reports.indicators.services import indicators_load_seed, reports_remind
from reports.weekly.services import last_week, notes_build_all
from rollups.models import AppealFact, RollupState
from rollups.services import rollups_rebuild
from structuring.services import routing_rules_load_default, structuring_bootstrap


class Command(BaseCommand):
    help = ("Load reference data (territory, rubricator), create the administrator once (its generated password "
            "is printed then only) and, in demo mode, the demo organisation and appeals once.")

    def add_arguments(self, parser):
        parser.add_argument("--demo-appeals", type=int, default=100_000,
                            help="How many demo appeals to generate when the database has none.")
        parser.add_argument("--demo", action=BooleanOptionalAction, default=None,
                            help="load the demo organisation and appeals (default: the CUR_DEMO setting)")

    def handle(self, *args, demo_appeals: int, demo: bool | None = None, **options):
        self.stdout.write(f"Территория: {territory_load()}")
        self.stdout.write(f"Рубрикатор: {rubricator_load()}")
        self.stdout.write(f"Правила сроков: {sla_policies_load()}")
        for region in Region.objects.all():
            self.stdout.write(f"Производственный календарь ({region}): {calendar_load(region=region)}")
            self.stdout.write(f"Перечень показателей МЦУ ({region}): {indicators_load_seed(region=region)} загружено")
        self.stdout.write(f"Структурирование: {structuring_bootstrap()}")
        administrator_ensure(stdout=self.stdout)
        if Appeal.objects.exists() and (not RollupState.objects.filter(rebuilt_at__isnull=False).exists()
                                        or not AppealFact.objects.exists()):
            # appeals from before the rollups (or before their area sums) existed — an upgrade: their history
            # counted once, from then on the beat job keeps the rollups current
            self.stdout.write(f"Сводные данные: {rollups_rebuild().appeals} обращений пересчитано.")
        if not (settings.CUR_DEMO if demo is None else demo):
            return
        self.stdout.write(f"Демо-организация: {organisation_load_demo()}")
        self.stdout.write(f"Правила маршрутизации: {routing_rules_load_default()}")
        if Appeal.objects.exists():
            self.stdout.write("Демо-обращения уже загружены — пропускаю.")
        elif demo_appeals:
            call_command("generate_demo", appeals=demo_appeals, stdout=self.stdout)
            # the weeks the demo planted its surges in, judged now (from then on the hourly beat job)
            this_week = monday(timezone.localdate())
            found = [situations_scan(region=region, week=this_week - timedelta(weeks=weeks))
                     for region in Region.objects.all() for weeks in range(4, -1, -1)]
            self.stdout.write(f"Конфликтные ситуации и всплески: {sum(len(r.created) for r in found)} найдено.")
            # the documents of the last week and the reports due, as the Monday and the daily job make them
            notes = notes_build_all(week=last_week(timezone.localdate()))
            self.stdout.write(f"Еженедельные записки: {notes.built} собрано.")
            self.stdout.write(f"Отчёты МЦУ о показателях: {reports_remind(today=timezone.localdate()).opened} открыто.")
