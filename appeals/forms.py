"""Forms of the card's actions. Each carries the version of the appeal the user saw."""

from django import forms

from appeals.lifecycle import MAX_EXTENSION_DAYS, ST11_GROUNDS
from cur.models import Agency
from cur.scoping import scope_agencies


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class AgencyForm(ActionForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Исполнитель")

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


class AnswerForm(ActionForm):
    text = forms.CharField(label="Текст ответа", widget=forms.Textarea(attrs={"rows": 4}))
    has_evidence = forms.BooleanField(label="Приложены фото / акт", required=False)


class ReasonForm(ActionForm):
    reason = forms.CharField(label="Причина", widget=forms.Textarea(attrs={"rows": 2}))


FORMS = {
    "register": ActionForm, "assign": AgencyForm, "forward": ForwardForm, "request_clarification": QuestionForm,
    "receive_clarification": ClarificationForm, "extend": ExtendForm, "leave_without_answer": LeaveForm,
    "answer_interim": AnswerForm, "answer_final": AnswerForm, "return_for_rework": ReasonForm,
    "close": ActionForm, "reopen": ReasonForm,
}
