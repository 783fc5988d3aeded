from django.contrib import admin

from reports.models import Indicator, IndicatorReport, ReportEvent, Roadmap, RoadmapMeasure, WeeklyNote


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The catalogue is also loaded from a file on the «Перечень показателей» page (reports/indicators)."""

    list_display = ["code", "name", "unit", "method", "function", "target", "direction", "effective_from",
                    "effective_to", "is_preliminary"]
    list_filter = ["region", "method", "is_preliminary"]
    search_fields = ["code", "name"]


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "kind", "old_status", "new_status", "note"]


@admin.register(IndicatorReport)
class IndicatorReportAdmin(admin.ModelAdmin):
    """Read-only here: the workflow goes through the report's page, where the services check who may do what."""

    list_display = ["centre", "kind", "period_first", "due_date", "status", "submitted_at"]
    list_filter = ["region", "kind", "status"]
    inlines = [ReportEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(WeeklyNote)
class WeeklyNoteAdmin(admin.ModelAdmin):
    list_display = ["centre", "week", "status", "built_at", "finalised_at"]
    list_filter = ["region", "status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class MeasureInline(admin.TabularInline):
    model = RoadmapMeasure
    extra = 0


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["title", "centre", "municipality", "sector", "status", "opened_on"]
    list_filter = ["region", "status", "origin"]
    search_fields = ["title", "root_cause"]
    readonly_fields = ["evidence", "opened_on", "created_by", "approved_at", "approved_by"]
    inlines = [MeasureInline]
