from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from cur.models import Agency, CalendarDay, Centre, Membership, Sector, SectorBlock, SlaPolicy, Subtopic


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["short_name", "level", "region", "municipality", "parent"]
    list_filter = ["level", "region"]
    search_fields = ["name", "short_name"]


class SubtopicInline(admin.TabularInline):
    model = Subtopic
    extra = 0
    fields = ["code", "name", "seasonal", "evidence_required", "is_active"]


class SlaPolicyInline(admin.TabularInline):
    model = SlaPolicy
    extra = 0
    fields = ["kind", "target", "channel", "importance", "unit", "amount", "warn_at_percent", "is_active", "note"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_socially_significant", "centre", "position"]
    list_filter = ["is_socially_significant", "centre"]
    list_editable = ["position"]
    search_fields = ["name", "code"]
    inlines = [SubtopicInline]


@admin.register(Subtopic)
class SubtopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sector", "seasonal", "evidence_required", "is_active"]
    list_filter = ["sector", "evidence_required", "is_active", "seasonal"]
    list_editable = ["evidence_required", "is_active"]
    search_fields = ["name", "code"]
    inlines = [SlaPolicyInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "target", "unit", "amount", "warn_at_percent", "is_active"]
    list_filter = ["kind", "target", "unit", "is_active", "region"]
    list_editable = ["amount", "warn_at_percent", "is_active"]
    search_fields = ["subtopic__name", "sector__name", "note"]
    autocomplete_fields = ["subtopic", "sector"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "kind", "region", "municipality", "parent", "is_active"]
    list_filter = ["kind", "region", "is_active", "sectors"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent", "municipality"]
    filter_horizontal = ["sectors"]


@admin.register(SectorBlock)
class SectorBlockAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "centre", "head_position", "covers", "position"]
    list_filter = ["centre"]
    list_editable = ["position"]
    search_fields = ["name", "head_position", "centre__short_name"]
    autocomplete_fields = ["centre"]
    filter_horizontal = ["sectors"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("centre").prefetch_related("sectors")

    @admin.display(description="тематики")
    def covers(self, block):
        return ", ".join(s.name for s in block.sectors.all())


class MembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    autocomplete_fields = ["centre", "agency"]
    filter_horizontal = ["blocks"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "blocks":  # a block's name includes its centre's: one query, not one per block
            kwargs["queryset"] = SectorBlock.objects.select_related("centre")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CurUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "role", "is_staff", "is_active"]
    list_select_related = ["membership"]

    @admin.display(description="роль")
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else "—"


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "working_hours", "name", "region", "source"]
    list_filter = ["region", "kind", "source", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        # A day an administrator touched is theirs: the next load from the rules keeps it.
        obj.source = CalendarDay.Source.MANUAL
        super().save_model(request, obj, form, change)
