from django.contrib import admin

from heatmap.models import DetectionRules, Situation, SituationMove


@admin.register(DetectionRules)
class DetectionRulesAdmin(admin.ModelAdmin):
    """A region's thresholds of the weekly scan (docs/analytics.md): the next scan judges by them."""

    list_display = ["region", "baseline_weeks", "surge_min_count", "surge_ratio", "surge_p_value", "repeat_days",
                    "repeat_min_count", "not_satisfied_share", "rework_min", "collective_min"]
    fieldsets = [
        (None, {"fields": ["region"]}),
        ("Всплеск", {"fields": ["baseline_weeks", "surge_min_count", "surge_ratio", "surge_p_value"]}),
        ("Повторные жалобы", {"fields": ["repeat_days", "repeat_min_count"]}),
        ("Признаки конфликтной ситуации", {"fields": ["not_satisfied_share", "rework_min", "collective_min"]}),
    ]


class SituationMoveInline(admin.TabularInline):
    model = SituationMove
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "old_status", "new_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Situation)
class SituationAdmin(admin.ModelAdmin):
    """What the scan found, read-only: the curator moves a situation on its own page (heatmap:situation)."""

    list_display = ["week", "kind", "subtopic", "municipality", "count", "baseline", "status"]
    list_filter = ["region", "kind", "status"]
    inlines = [SituationMoveInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Situation._meta.fields]

    def has_add_permission(self, request):
        return False
