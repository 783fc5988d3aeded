from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CurConfig(AppConfig):
    name = "cur"
    verbose_name = "Организация ЦУР"

    def ready(self):
        from cur.options import reference_changed

        # Cache invalidation only (cur/options.py): no business logic hangs on these signals.
        for label in ("cur.Sector", "cur.Subtopic", "cur.Agency", "cur.Centre", "municipalities.Municipality",
                      "municipalities.Settlement", "municipalities.Region"):
            model = self.apps.get_model(label)
            post_save.connect(reference_changed, sender=model, dispatch_uid=f"options-{label}-save")
            post_delete.connect(reference_changed, sender=model, dispatch_uid=f"options-{label}-delete")
