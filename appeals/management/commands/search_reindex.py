"""Rebuild the search documents now, with progress: the queued ones, or (--all) every appeal —
after a change of what a document is made of (docs/search.md)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from appeals.search.index import search_index_pending


class Command(BaseCommand):
    help = "Index the appeals queued for search now; with --all, every appeal."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="queue every appeal first")

    def handle(self, *args, all: bool, **options):
        with connection.cursor() as cursor:
            if all:
                cursor.execute("INSERT INTO appeals_searchqueue (appeal_id) SELECT id FROM appeals_appeal"
                               " ON CONFLICT DO NOTHING")
            cursor.execute("SELECT count(*) FROM appeals_searchqueue")
            total = cursor.fetchone()[0]
        self.stdout.write(f"В очереди на индексацию: {total:,}".replace(",", " "))
        started, done = time.perf_counter(), 0
        while True:
            step = search_index_pending(limit=10_000)
            if not step:
                break
            done += step
            rate = done / (time.perf_counter() - started)
            self.stdout.write(f"  {done:,} из {total:,} · {rate:,.0f} в секунду".replace(",", " "))
        self.stdout.write(self.style.SUCCESS(f"Готово: проиндексировано {done:,}.".replace(",", " ")))
