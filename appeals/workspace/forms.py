"""Forms of the card's actions. Each carries the version of the appeal the user saw."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from appeals.attachments.validation import ACCEPT, AttachmentRefused, check_files
from appeals.lifecycle.transitions import ACTIONS, MAX_EXTENSION_DAYS, ST11_GROUNDS
from appeals.models import Importance
from appeals.privacy import visible_text
from appeals.workspace.bulk import MAX_BULK_IDS
from appeals.workspace.widgets import AnswerTextarea
from cur.models import Agency, Subtopic
from cur.permissions import bulk_actions
from cur.scoping import can_see_personal_data, scope_agencies, scope_municipalities, scope_of
from municipalities.models import Municipality, Settlement


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


# A <select> of every body works without JS; static/js/picker.js makes it a searchable field fed by this URL.
PICKER = {"data-picker": reverse_lazy("appeals:agency_suggest")}


class AgencyForm(ActionForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Исполнитель",
                                    widget=forms.Select(attrs=PICKER))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = scope_agencies(Agency.objects.filter(is_active=True), self.user)


class ForwardForm(AgencyForm):
    reason = forms.CharField(label="Причина переадресации", widget=forms.Textarea(attrs={"rows": 2}))


class QuestionForm(ActionForm):
    question = forms.CharField(label="Что уточнить у гражданина", widget=forms.Textarea(attrs={"rows": 2}))


class ClarificationForm(ActionForm):
    text = forms.CharField(label="Ответ гражданина", widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label="На сколько дней", min_value=1, max_value=MAX_EXTENSION_DAYS)
    reason = forms.CharField(label="Основание", widget=forms.Textarea(attrs={"rows": 2}))


class LeaveForm(ActionForm):
    ground = forms.ChoiceField(label="Основание (ст. 11 59-ФЗ)",
                               choices=[(code, label) for code, (label, _) in ST11_GROUNDS.items()])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>; the list, each checked by content later."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AnswerForm(ActionForm):
    text = forms.CharField(label="Текст ответа", widget=AnswerTextarea())  # hints while typing
    # photos, an act, a scan: a photo or a PDF among them is the answer's evidence (quality.py), no checkbox
    files = MultipleFileField(label="Фото, акт, документы", required=False)

    def clean_files(self):
        try:
            return check_files(self.cleaned_data.get("files") or [])
        except AttachmentRefused as refused:
            raise ValidationError(refused.messages) from None


class ReasonForm(ActionForm):
    reason = forms.CharField(label="Причина", widget=forms.Textarea(attrs={"rows": 2}))


FORMS = {
    "register": ActionForm, "assign": AgencyForm, "forward": ForwardForm, "request_clarification": QuestionForm,
    "receive_clarification": ClarificationForm, "extend": ExtendForm, "leave_without_answer": LeaveForm,
    "answer_interim": AnswerForm, "answer_final": AnswerForm, "return_for_rework": ReasonForm,
    "close": ActionForm, "reopen": ReasonForm,
}


class CorrectForm(ActionForm):
    """Structured fields of the card; only what changes is recorded."""

    subtopic = forms.ModelChoiceField(queryset=Subtopic.objects.filter(is_active=True).select_related("sector"),
                                      label="Подтема", required=False)
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), label="МО", required=False)
    settlement = forms.ModelChoiceField(queryset=Settlement.objects.none(), label="Населённый пункт",
                                        required=False)
    address = forms.CharField(label="Адрес", required=False, max_length=300)
    importance = forms.ChoiceField(label="Важность", choices=Importance.choices)

    def __init__(self, *args, appeal=None, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = scope_municipalities(Municipality.objects.defer("boundary"), self.user)
        self.fields["municipality"].queryset = municipalities
        self.fields["settlement"].queryset = Settlement.objects.filter(municipality__in=municipalities)
        block = scope_of(self.user).sector_ids
        if block is not None:  # a sector-block head moves appeals only inside the block (the service checks too)
            self.fields["subtopic"].queryset = self.fields["subtopic"].queryset.filter(sector_id__in=block)
        personal = can_see_personal_data(self.user)
        if appeal is not None and visible_text(appeal.address, personal=personal) != appeal.address:
            del self.fields["address"]  # a home address the user may not see (152-ФЗ) is not theirs to edit
        if appeal is not None and not self.is_bound:
            self.initial.update({
                "subtopic": appeal.subtopic_id, "municipality": appeal.municipality_id,
                "settlement": appeal.settlement_id, "address": appeal.address, "importance": appeal.importance,
            })


class SeenRowsField(forms.Field):
    """The rows ticked in the queue, each as «id:version» — the version the row had when the page was
    shown (`ids=12:3&ids=15:1…`) → {id: version}, without repeats. A bare id (a page from before the
    versions, a hand-made request) is refused: the bulk action must know what the operator saw."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Отметьте обращения в списке.",
        "invalid": "Неверный номер обращения.",
        "stale": "Список устарел — обновите страницу и отметьте обращения снова.",
    }

    def to_python(self, value) -> dict[int, int]:
        if not value:
            return {}
        seen: dict[int, int] = {}
        for item in value:
            pk, sep, version = str(item).partition(":")
            if not sep:
                raise ValidationError(self.error_messages["stale"], code="stale")
            try:
                pk, version = int(pk), int(version)
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if not 0 < pk < 2**63 or not 0 <= version < 2**31:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            seen.setdefault(pk, version)
        return seen

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > MAX_BULK_IDS:
            raise ValidationError(f"За один раз — не больше {MAX_BULK_IDS} обращений; отмечено {len(value)}.",
                                  code="too_many")


class BulkForm(forms.Form):
    """The queue's bulk bar: the ticked rows, one action of the role and, to route them, the body."""

    ids = SeenRowsField(label="Обращения")
    action = forms.ChoiceField(label="Действие")
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Исполнитель", required=False,
                                    empty_label="исполнитель…", widget=forms.Select(attrs=PICKER))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")  # the queue's filters have an `agency` field too
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(name, ACTIONS[name].label) for name in bulk_actions(user)]
        self.fields["agency"].queryset = scope_agencies(Agency.objects.filter(is_active=True), user)

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("agency"):
            self.add_error("agency", "Выберите исполнителя, которому направить обращения.")
        return data
