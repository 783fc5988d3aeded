import json

from django.core.management.base import BaseCommand

from appeals.intake.registry import source_poll_run


class Command(BaseCommand):
    help = "Poll a feed now (what the beat does): pos | incident. Prints what was taken in."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["pos", "incident"])
        parser.add_argument("--max-pages", type=int, default=None)

    def handle(self, *args, source: str, max_pages: int | None, **options):
        self.stdout.write(json.dumps(source_poll_run(source=source, max_pages=max_pages), ensure_ascii=False))
