from django.contrib import admin, messages

from structuring.models import ModelVersion, RoutingRule, TrainingExample
from structuring.services import model_activate


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["label", "created_at", "is_active", "n_examples", "sector_accuracy", "sector_macro_f1"]
    list_filter = ["is_active"]
    readonly_fields = ["label", "created_at", "is_active", "n_examples", "metrics"]
    exclude = ["fitted"]
    actions = ["activate"]

    @admin.display(description="точность тематики")
    def sector_accuracy(self, obj):
        return obj.metrics.get("sector_accuracy")

    @admin.display(description="macro-F1 тематики")
    def sector_macro_f1(self, obj):
        return obj.metrics.get("sector_macro_f1")

    def has_add_permission(self, request):
        return False  # versions come from training (manage.py learn, the retrain task)

    @admin.action(description="Сделать действующей (откат к этой версии)")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Выберите одну версию.", messages.ERROR)
            return
        version = model_activate(version=queryset.get())
        self.message_user(request, f"Действует версия {version.label}.")


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
