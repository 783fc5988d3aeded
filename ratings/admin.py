from django.contrib import admin
from django.utils import timezone

from ratings.models import Methodology


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    """A methodology already in force is kept as it was — its periods were computed with it; a change is a
    new methodology from a later date (who added it and when is recorded on the row)."""

    list_display = ["effective_from", "region", "weight_timeliness", "weight_speed", "weight_quality",
                    "weight_satisfaction", "weight_completeness", "weight_fast_track", "min_volume", "green_from",
                    "yellow_from", "note", "created_by", "created_at"]
    list_filter = ["region"]
    readonly_fields = ["created_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["region", "effective_from", "note"]}),
        ("Веса составляющих", {"fields": ["weight_timeliness", "weight_speed", "weight_quality",
                                          "weight_satisfaction", "weight_completeness", "weight_fast_track"]}),
        ("Ранжирование", {"fields": ["min_volume", "green_from", "yellow_from", "population_bands"]}),
        ("Запись", {"fields": ["created_by", "created_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_applied(timezone.localdate()):
            return [f.name for f in Methodology._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_applied(timezone.localdate())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
