from django.core.management.base import BaseCommand

from structuring.evaluation import load_testset, markdown, report, run


class Command(BaseCommand):
    help = "Quality of the active model on structuring/data/testset.csv, as the tables of docs/structuring.md."

    def handle(self, *args, **options):
        from structuring.commands import ensure_ready

        label = ensure_ready(region="samara", stdout=self.stderr)
        cases = load_testset()
        self.stdout.write(f"Model {label}\n")
        self.stdout.write(markdown(report(cases, run(cases))) + "\n")
