from django.core.management.base import BaseCommand

from structuring.evaluation import SETS, load_testset, markdown, report, run
from structuring.selectors import default_priors


class Command(BaseCommand):
    help = ("Quality of the active model on our test sets (structuring/data/testset.csv, the one we tune on, and "
            "blindset.csv, written blind), as the tables of docs/structuring.md.")

    def add_arguments(self, parser):
        parser.add_argument("--set", choices=[*SETS, "both"], default="both")

    def handle(self, *args, set: str, **options):
        from structuring.commands import ensure_ready

        label = ensure_ready(region="samara", stdout=self.stderr)
        self.stdout.write(f"Model {label}\n")
        for name, path in SETS.items():
            if set not in (name, "both") or not path.exists():
                continue
            cases = load_testset(path)
            self.stdout.write(f"\n### {path.name}\n\n")
            self.stdout.write(markdown(report(cases, run(cases), shares=default_priors())) + "\n")
