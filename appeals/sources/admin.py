"""The admin of the answers on their way back to ПОС / ИМ (appeals/sources/replies.py): a read-only log of the
outbox — each reply's state, attempts, last error, the source's id and what its feed said back — with the action
«Отправить снова». Registered from appeals/admin.py."""

from django.contrib import admin, messages

from appeals.models import SourceReply
from appeals.sources.replies import source_replies_resend


@admin.register(SourceReply)
class SourceReplyAdmin(admin.ModelAdmin):
    """Ответы в источники. A failed reply shows why (`last_error`; the appeal's timeline has the event too); once
    the cause is fixed (the source's URL or token, the item) «Отправить снова» queues it with its attempts reset —
    harmless for a reply the source already has: it deduplicates by our key."""

    list_display = ["created_at", "channel", "external_id", "kind", "status", "attempts", "next_attempt_at",
                    "sent_at", "remote_id", "remote_status", "rating", "last_error"]
    list_filter = ["status", "channel", "rating"]
    search_fields = ["=key", "=external_id", "=remote_id"]
    list_select_related = ["answer"]
    ordering = ["-pk"]
    show_full_result_count = False  # the outbox grows with every answer: no second count of the whole table
    fields = ["appeal", "answer", "channel", "external_id", "key", "status", "attempts", "next_attempt_at",
              "claimed_until", "sent_at", "remote_id", "last_error", "remote_status", "rating", "rated_at",
              "rating_note", "created_at"]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description="ответ")
    def kind(self, reply: SourceReply) -> str:
        return "промежуточный" if reply.answer.is_interim else "окончательный"

    def has_add_permission(self, request):
        return False  # written with the answer, by the lifecycle services

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what the citizen was sent

    def has_change_permission(self, request, obj=None):
        # the list's action needs it; a reply itself is never edited
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Отправить снова", permissions=["change"])
    def resend(self, request, queryset):
        queued = source_replies_resend(reply_ids=queryset.values_list("pk", flat=True))
        messages.success(request, f"Отправляется снова: {queued}.")
