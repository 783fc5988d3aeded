"""The admin of webhooks: subscriptions (the secret shown once, when made or renewed; switching on again after a
switch-off) and the delivery log (read-only, with «Повторить доставку»). Registered from appeals/admin.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from appeals.models import WebhookDelivery, WebhookSubscription
from appeals.webhooks.services import (
    webhook_deliveries_retry,
    webhook_events_check,
    webhook_secret_rotate,
    webhook_subscribe,
    webhook_subscription_enable,
    webhook_url_check,
)


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="адрес", max_length=500, assume_scheme="https",
                         help_text="http:// или https://; получатель проверяет подпись (docs/webhooks.md).")
    events = forms.MultipleChoiceField(label="события", choices=WebhookSubscription.Event.choices,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["client", "url", "events"]

    def clean_url(self):
        try:
            return webhook_url_check(self.cleaned_data.get("url", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from None

    def clean_events(self):
        try:
            return webhook_events_check(self.cleaned_data.get("events", []))
        except ValidationError as error:
            raise ValidationError(error.message_dict["events"]) from None


def _show_secret(request, subscription: WebhookSubscription, secret: str) -> None:
    messages.warning(request, f"Секрет подписи для «{subscription.url}» (показан один раз — передайте его "
                              f"получателю сейчас): {secret}")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Who receives which events where. A subscription that kept failing is switched off with its reason; it is
    switched on again here once the receiver works (the deliveries that waited are then sent)."""

    form = WebhookSubscriptionForm
    list_display = ["client", "url", "event_list", "is_active", "failures", "disabled_at", "disabled_reason"]
    list_filter = ["is_active", "client"]
    search_fields = ["url", "client__name"]
    list_select_related = ["client"]
    actions = ["enable", "rotate_secret"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["client", "url", "events"]
        return ["client", "url", "events", "is_active", "failures", "disabled_at", "disabled_reason", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # switched off and on by the actions (the count of failures and the waiting deliveries go with it)
        return ["client", "is_active", "failures", "disabled_at", "disabled_reason", "created_at"] if obj else []

    @admin.display(description="события")
    def event_list(self, subscription):
        labels = dict(WebhookSubscription.Event.choices)
        return ", ".join(str(labels.get(e, e)) for e in subscription.events)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        made = webhook_subscribe(client=data["client"], url=data["url"], events=data["events"])
        obj.pk, obj.secret, obj.created_at = made.pk, made.secret, made.created_at
        _show_secret(request, made, made.secret)

    @admin.action(description="Включить снова")
    def enable(self, request, queryset):
        waiting = sum(webhook_subscription_enable(subscription=s) for s in queryset)
        messages.success(request, f"Подписки включены; ждавших доставок отправляется: {waiting}.")

    @admin.action(description="Выпустить новый секрет подписи (старый перестаёт действовать сразу)")
    def rotate_secret(self, request, queryset):
        for subscription in queryset:
            _show_secret(request, subscription, webhook_secret_rotate(subscription=subscription))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent to whom, and how each attempt ended. Read-only."""

    list_display = ["created_at", "event_type", "subscription", "status", "attempts", "last_status",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event_type", "subscription"]
    search_fields = ["=delivery_id"]
    list_select_related = ["subscription__client"]
    ordering = ["-pk"]
    show_full_result_count = False  # the log is long: no second count of the whole table
    fields = ["subscription", "appeal_event", "delivery_id", "event_type", "status", "attempts", "next_attempt_at",
              "last_status", "last_error", "created_at", "delivered_at", "body"]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False  # made by the dispatcher from the event log

    def has_change_permission(self, request, obj=None):
        # the list's action needs it; a delivery itself is never edited
        return obj is None and super().has_change_permission(request)

    @admin.action(description="Повторить доставку", permissions=["change"])
    def retry(self, request, queryset):
        queued = webhook_deliveries_retry(delivery_ids=queryset.values_list("pk", flat=True))
        messages.success(request, f"Отправляется снова: {queued}.")
