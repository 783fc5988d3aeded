from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from cur.api_clients import (
    CLIENT_ROLES,
    api_client_check,
    api_client_create,
    api_token_issue,
    api_token_revoke,
    api_token_rotate,
)
from cur.calendar_grid import WEEKDAY_NAMES, YEARS, calendar_regions, calendar_year
from cur.calendar_import import MAX_FILE_BYTES, CalendarFileError, CalendarImportReport, calendar_import, may_import
from cur.models import (
    Agency,
    ApiClient,
    ApiToken,
    CalendarDay,
    Centre,
    FastTrack,
    Membership,
    Sector,
    SectorBlock,
    SlaPolicy,
    Subtopic,
)
from cur.permissions import Forbidden
from cur.scoping import scope_of


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


@admin.register(FastTrack)
class FastTrackAdmin(admin.ModelAdmin):
    """A fast-track mechanism applies to appeals structured after it is saved; those already in work keep
    their deadlines unless an operator corrects their topic."""

    list_display = ["name", "region", "municipality", "agency", "deadline_days", "evidence_required", "is_active"]
    list_filter = ["region", "is_active", "evidence_required"]
    list_editable = ["is_active"]
    search_fields = ["name", "action", "subtopics__name", "agency__short_name"]
    autocomplete_fields = ["subtopics", "agency", "municipality"]
    fieldsets = [
        (None, {"fields": ["region", "name", "subtopics", "municipality", "is_active"]}),
        ("Как решается", {"fields": ["agency", "action", "deadline_days", "evidence_required", "answer_template"]}),
    ]


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


class CalendarImportForm(forms.Form):
    region = forms.ModelChoiceField(queryset=None, label="Регион", empty_label=None)
    file = forms.FileField(
        label="Файл календаря",
        help_text="XML в формате xmlcalendar.ru / data.gov.ru (<day d=\"ММ.ДД\" t=\"1|2|3\"/>) или CSV «дата, вид "
                  "дня[, описание]»: рабочий, выходной, праздничный, сокращённый или коды 1, 2, 3. До 1 МБ.",
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


REFUSALS_SHOWN = 20  # a whole file of bad lines would bury the page: the first ones tell what is wrong


def _report_messages(request, report: CalendarImportReport) -> None:
    messages.success(request, report.summary())
    if report.manual_replaced:
        messages.warning(request, "Заменены дни, исправленные ранее вручную: " + "; ".join(
            f"{change.day:%d.%m.%Y} ({change.before} → {change.after})" for change in report.manual_replaced))
    others = [change for change in report.changed if not change.was_manual]
    if others:
        messages.info(request, "Изменены дни: " + "; ".join(
            f"{change.day:%d.%m.%Y} ({change.before} → {change.after})" for change in others))
    for refusal in report.refused[:REFUSALS_SHOWN]:
        messages.error(request, f"Строка {refusal.line} отклонена — {refusal.reason}: {refusal.text}")
    if len(report.refused) > REFUSALS_SHOWN:
        messages.error(request, f"…и ещё отклонено строк: {len(report.refused) - REFUSALS_SHOWN}.")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "working_hours", "name", "region", "source"]
    list_filter = ["region", "kind", "source", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["name"]

    def get_urls(self):
        # before the model's own URLs: «<path:object_id>/» would take these for a day's id
        return [
            path("year/", self.admin_site.admin_view(self.year_view), name="cur_calendarday_year"),
            path("import/", self.admin_site.admin_view(self.import_view), name="cur_calendarday_import"),
        ] + super().get_urls()

    def get_queryset(self, request):
        # a regional calendar is kept by that region's centre (a superuser keeps every region's)
        return super().get_queryset(request).filter(region__in=calendar_regions(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = calendar_regions(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A day an administrator touched is theirs: the next load from the rules keeps it.
        obj.source = CalendarDay.Source.MANUAL
        super().save_model(request, obj, form, change)

    def _back_to_the_year(self, request, obj, response):
        # a day opened from the year grid returns there once saved (not for «save and continue / add another»)
        if request.GET.get("_calendar") and not {"_continue", "_addanother"} & set(request.POST):
            return redirect(f"{reverse('admin:cur_calendarday_year')}?region={obj.region.code}&year={obj.date.year}")
        return response

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_the_year(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._back_to_the_year(request, obj, super().response_change(request, obj))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": may_import(request.user)}
        return super().changelist_view(request, extra_context)

    def year_view(self, request):
        """«Производственный календарь: <регион>, <год>» — the twelve months, each day linked to its form."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        regions = list(calendar_regions(request.user))
        if not regions:
            raise Http404("Нет регионов, чей календарь вам доступен.")
        own = scope_of(request.user).region_id
        default = next((r for r in regions if r.pk == own), None) or next(
            (r for r in regions if r.code == settings.CUR_REGION), regions[0])
        code = request.GET.get("region") or default.code
        region = next((r for r in regions if r.code == code), None)
        if region is None:
            raise Http404("Регион не найден.")
        year = timezone.localdate().year
        asked = request.GET.get("year", "").strip()
        if asked:
            if asked.isdigit() and int(asked) in YEARS:
                year = int(asked)
            else:
                messages.warning(request, f"Год «{asked[:20]}» не понят: нужен год от {YEARS.start} до "
                                          f"{YEARS.stop - 1}. Показан {year} год.")
        grid = calendar_year(region=region, year=year)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Производственный календарь: {region.name}, {year}",
            "grid": grid, "region": region, "regions": regions, "weekdays": WEEKDAY_NAMES,
            "previous_year": year - 1 if year - 1 in YEARS else None,
            "next_year": year + 1 if year + 1 in YEARS else None,
            "can_add": self.has_add_permission(request),
            "can_import": may_import(request.user),
        }
        return TemplateResponse(request, "admin/cur/calendarday/year.html", context)

    def import_view(self, request):
        """Upload of an official calendar file; the report comes back as messages on the year grid."""
        if not may_import(request.user):
            raise PermissionDenied
        regions = calendar_regions(request.user)
        initial = {"region": regions.filter(code=request.GET.get("region", "")).first()}
        form = CalendarImportForm(request.POST or None, request.FILES or None, regions=regions, initial=initial)
        if request.method == "POST" and form.is_valid():
            region, upload = form.cleaned_data["region"], form.cleaned_data["file"]
            try:
                # one byte over the limit is enough for the service to refuse a file that is too large
                report = calendar_import(region=region, data=upload.read(MAX_FILE_BYTES + 1),
                                         filename=upload.name, by=request.user)
            except CalendarFileError as error:
                form.add_error("file", str(error))
            except Forbidden as error:
                form.add_error(None, str(error))
            else:
                _report_messages(request, report)
                year = report.years[0] if report.years else timezone.localdate().year
                return redirect(f"{reverse('admin:cur_calendarday_year')}?region={region.code}&year={year}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Загрузка производственного календаря из файла",
            "form": form,
        }
        return TemplateResponse(request, "admin/cur/calendarday/import.html", context)


class ApiClientAddForm(forms.ModelForm):
    """A new client: its role and organisation become its Membership (cur/api_clients.py)."""

    role = forms.ChoiceField(label="Роль", choices=[(r.value, r.label) for r in CLIENT_ROLES],
                             help_text="Интегратор — читает и передаёт обращения; оператор — ещё и направляет, "
                                       "продлевает; исполнитель — отвечает на обращения своего органа.")
    centre = forms.ModelChoiceField(Centre.objects.all(), required=False,
                                    label="Центр (ЦУР — весь регион, МЦУ — его МО)")
    agency = forms.ModelChoiceField(Agency.objects.all(), required=False, label="Орган (для исполнителя)")
    token_expires_at = forms.DateTimeField(required=False, label="Первый токен действует до",
                                           help_text="Пусто — бессрочно.")

    class Meta:
        model = ApiClient
        fields = ["name", "contact", "rate"]

    def clean(self):
        data = super().clean()
        try:
            api_client_check(role=data.get("role"), centre=data.get("centre"), agency=data.get("agency"))
        except ValidationError as error:
            self.add_error(None, error.messages)
        if data.get("token_expires_at") and data["token_expires_at"] <= timezone.now():
            self.add_error("token_expires_at", "Срок действия токена должен быть в будущем.")
        return data


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # a token is issued by the action, which shows its secret once


def _show_token(request, client: ApiClient, raw: str) -> None:
    messages.warning(request, f"Токен клиента «{client}» (показан один раз — сохраните его сейчас): {raw}")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Integration clients: issue (rotate) and revoke tokens here; the secret is shown once, only its hash is kept."""

    list_display = ["name", "role", "organisation", "is_active", "last_used", "contact"]
    list_filter = ["is_active", "user__membership__role"]
    search_fields = ["name", "contact"]
    inlines = [ApiTokenInline]
    actions = ["rotate_token", "revoke_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "user__membership__centre", "user__membership__agency").prefetch_related("tokens")

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []  # a new client has no tokens yet

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "role", "centre", "agency", "contact", "rate", "token_expires_at"]
        return ["name", "user", "contact", "rate", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    @admin.display(description="роль")
    def role(self, client):
        return client.user.membership.get_role_display()

    @admin.display(description="центр или орган")
    def organisation(self, client):
        membership = client.user.membership
        return membership.centre or membership.agency

    @admin.display(description="последнее использование")
    def last_used(self, client):
        moments = [token.last_used_at for token in client.tokens.all() if token.last_used_at]
        return max(moments) if moments else None

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        client = api_client_create(name=data["name"], role=data["role"], centre=data["centre"],
                                   agency=data["agency"], contact=data["contact"], rate=data["rate"])
        issued = api_token_issue(client=client, expires_at=data["token_expires_at"])
        obj.pk, obj.user = client.pk, client.user
        _show_token(request, client, issued.raw)

    @admin.action(description="Выпустить новый токен (старые действуют ещё CUR_API_TOKEN_GRACE_HOURS ч)")
    def rotate_token(self, request, queryset):
        for client in queryset:
            _show_token(request, client, api_token_rotate(client=client).raw)

    @admin.action(description="Отозвать все токены (сразу)")
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in ApiToken.objects.filter(client__in=queryset, revoked_at=None):
            api_token_revoke(token=token)
            count += 1
        messages.success(request, f"Отозвано токенов: {count}.")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "client", "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip"]
    list_filter = ["client", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "client__name"]
    readonly_fields = ["client", "prefix", "created_at", "revoked_at", "last_used_at", "last_used_ip"]
    fields = ["client", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # issued from the client's page, which shows the secret once

    @admin.action(description="Отозвать")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at=None):
            api_token_revoke(token=token)
