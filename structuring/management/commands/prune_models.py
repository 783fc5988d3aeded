from django.core.management.base import BaseCommand

from structuring.services import model_versions_prune


class Command(BaseCommand):
    help = ("Delete the structuring model versions no longer needed (≈ 9 MB each): all but the active one, the "
            "previous one (the rollback target) and those pinned in the admin. Training does it by itself.")

    def handle(self, *args, **options):
        deleted = model_versions_prune()
        self.stdout.write(f"Удалены версии: {', '.join(deleted)}\n" if deleted else "Удалять нечего.\n")
