from django.contrib import admin

from municipalities.models import Municipality, Population, Region, Settlement


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "timezone", "oktmo_prefix"]


class PopulationInline(admin.TabularInline):
    model = Population
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "oktmo", "kind", "region"]
    list_filter = ["region", "kind"]
    search_fields = ["name", "official_name", "oktmo"]
    exclude = ["boundary"]  # megabytes of coordinates are no use in a form
    readonly_fields = ["centroid_lat", "centroid_lon"]
    inlines = [PopulationInline]


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "is_admin_centre", "population"]
    list_filter = ["region", "kind", "is_admin_centre"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
