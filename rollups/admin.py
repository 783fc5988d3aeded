from django.contrib import admin

from rollups.models import RollupState


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    """How current the rollups are (read only: they are kept by Celery beat and `manage.py rollups_rebuild`)."""

    list_display = ["name", "refreshed_at", "rebuilt_at", "clock", "xact"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
