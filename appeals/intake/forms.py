"""Forms of the intake pages: a letter or a call registered by staff, a file to import, the
quarantine's fix and discard."""

from django import forms
from django.utils import timezone

from appeals.intake.items import Invalid, plausible_moment
from appeals.models import Channel, Kind
from cur.scoping import scope_municipalities
from municipalities.models import Municipality

STAFF_CHANNELS = [(c.value, c.label) for c in (Channel.LETTER, Channel.PHONE, Channel.EMAIL)]


class RegisterForm(forms.Form):
    """A paper letter, a call to the hot line or an e-mail, typed in by an operator."""

    channel = forms.ChoiceField(label="Как поступило", choices=STAFF_CHANNELS)
    kind = forms.ChoiceField(label="Вид", choices=[(Kind.APPEAL.value, Kind.APPEAL.label),
                                                   (Kind.MESSAGE.value, Kind.MESSAGE.label)])
    external_id = forms.CharField(label="Входящий номер", max_length=64, required=False,
                                  help_text="Номер по журналу регистрации: повторный ввод не создаст дубль.")
    received_at = forms.DateTimeField(label="Дата и время поступления",
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    citizen_name = forms.CharField(label="Заявитель (ФИО)", max_length=300, required=False)
    citizen_address = forms.CharField(label="Почтовый адрес заявителя", max_length=300, required=False)
    citizen_phone = forms.CharField(label="Телефон", max_length=32, required=False)
    citizen_email = forms.EmailField(label="Эл. почта", max_length=254, required=False)
    municipality = forms.ModelChoiceField(label="Муниципальное образование", queryset=Municipality.objects.none(),
                                          required=False)
    address = forms.CharField(label="Адрес проблемы", max_length=300, required=False)
    title = forms.CharField(label="Краткое содержание", max_length=300, required=False)
    text = forms.CharField(label="Текст обращения", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = scope_municipalities(Municipality.objects.all(), user)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_received_at(self):
        try:  # the rule of every intake path (the service checks it again)
            return plausible_moment(self.cleaned_data["received_at"])
        except Invalid as error:
            raise forms.ValidationError(str(error)) from error


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл CSV или XLSX",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}))


class FixForm(forms.Form):
    payload = forms.CharField(label="Исходные данные (JSON)", widget=forms.Textarea(attrs={"rows": 18,
                                                                                         "spellcheck": "false"}))


class DiscardForm(forms.Form):
    reason = forms.CharField(label="Почему отклоняется", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
