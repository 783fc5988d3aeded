from django.contrib import admin, messages

from structuring.models import ModelVersion, RoutingRule, SectorPrior, TrainingExample
from structuring.services import model_activate, model_versions_prune


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["label", "created_at", "is_active", "activated_at", "pinned", "n_examples", "sector_accuracy",
                    "sector_macro_f1"]
    list_filter = ["is_active", "pinned"]
    list_editable = ["pinned"]
    readonly_fields = ["label", "created_at", "is_active", "activated_at", "n_examples", "metrics"]
    exclude = ["fitted"]
    actions = ["activate", "prune"]

    @admin.display(description="точность тематики")
    def sector_accuracy(self, obj):
        return obj.metrics.get("sector_accuracy")

    @admin.display(description="macro-F1 тематики")
    def sector_macro_f1(self, obj):
        return obj.metrics.get("sector_macro_f1")

    def has_add_permission(self, request):
        return False  # versions come from training (manage.py learn, the retrain task)

    def has_delete_permission(self, request, obj=None):
        return False  # versions leave by the prune, which keeps the active, the previous and the pinned ones

    @admin.action(description="Сделать действующей (откат к этой версии)")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Выберите одну версию.", messages.ERROR)
            return
        version = model_activate(version=queryset.get())
        self.message_user(request, f"Действует версия {version.label}.")

    @admin.action(description="Удалить ненужные (кроме действующей, предыдущей и закреплённых)")
    def prune(self, request, queryset):
        deleted = model_versions_prune(among=queryset)
        if deleted:
            self.message_user(request, f"Удалены версии: {', '.join(deleted)}.")
        else:
            self.message_user(request, "Удалять нечего: выбраны только действующая, предыдущая или закреплённые.",
                              messages.WARNING)


@admin.register(TrainingExample)
class TrainingExampleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sector", "subtopic", "source", "created_at"]
    list_filter = ["source", "sector"]
    search_fields = ["text"]
    raw_id_fields = ["appeal"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "municipality", "sector", "subtopic", "agency", "priority", "is_active"]
    list_filter = ["region", "is_active", "sector"]
    list_editable = ["priority", "is_active"]
    autocomplete_fields = ["municipality", "sector", "subtopic", "agency"]
    search_fields = ["agency__short_name", "municipality__name", "subtopic__name", "note"]


@admin.register(SectorPrior)
class SectorPriorAdmin(admin.ModelAdmin):
    list_display = ["region", "sector", "share", "source"]
    list_filter = ["region"]
    list_editable = ["share"]
    list_select_related = ["region", "sector"]
