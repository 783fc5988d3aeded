"""Precision and recall of the surge rule on synthetic streams with planted surges (docs/analytics.md)."""

from django.core.management.base import BaseCommand

from heatmap.conflicts.detection import Rules
from heatmap.conflicts.quality import score


class Command(BaseCommand):
    help = "Measure the surge rule on synthetic weekly streams with planted surges: precision and recall."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--territories", type=int, default=40)
        parser.add_argument("--subtopics", type=int, default=30)

    def handle(self, *args, seed: int, territories: int, subtopics: int, **options):
        result = score(Rules(), seed=seed, territories=territories, subtopics=subtopics)
        self.stdout.write(f"# {territories} территорий × {subtopics} тематик × 104 недели, seed {seed}: "
                          f"заложено {result.planted}, найдено {result.found}, верно {result.true}")
        self.stdout.write(f"BENCH surge_precision {result.precision:.3f} share")
        self.stdout.write(f"BENCH surge_recall {result.recall:.3f} share")
