from django.contrib import admin

from appeals.models import ImportJob, QuarantinedItem, SourceCursor
from appeals.sources import admin as sources_admin  # noqa: F401 — the answers back to ПОС / ИМ
from appeals.webhooks import admin as webhooks_admin  # noqa: F401 — subscriptions and the delivery log


@admin.register(SourceCursor)
class SourceCursorAdmin(admin.ModelAdmin):
    """Where each feed is read up to; moving a cursor back re-reads the feed (the upsert is idempotent)."""

    list_display = ["source", "region", "cursor", "polled_at", "items_total", "last_error"]
    list_filter = ["source", "region"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "region", "municipality", "status", "total", "created", "updated",
                    "quarantined", "created_by", "created_at"]
    list_filter = ["status", "region"]
    readonly_fields = ["total", "received", "created", "updated", "unchanged", "quarantined", "encoding",
                       "started_at", "heartbeat_at", "finished_at", "created_by"]


@admin.register(QuarantinedItem)
class QuarantinedItemAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "external_id", "region", "municipality", "state", "reason"]
    list_filter = ["state", "source", "region"]
    search_fields = ["external_id", "reason"]
    readonly_fields = ["digest", "created_at", "resolved_at", "resolved_by", "appeal", "import_job"]
