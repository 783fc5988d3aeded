"""Output shapes shared by several operations. Texts that may hold personal data (titles, texts, addresses,
answers, what an event quotes) come out as the reader may read them (152-ФЗ): the views pass what the
selectors give — masked already for a role without access — or `context["personal"]` for the appeal itself."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appeals.privacy import visible_text
from cur.scoping import can_see_personal_data


def reader_context(user) -> dict:
    """What AppealSerializer needs to know about the reader."""
    return {"personal": can_see_personal_data(user)}


class AppealSerializer(serializers.Serializer):
    """An appeal as lists and cards show it. Title, text and address are masked unless the view says the reader
    may see personal data (`context["personal"]`), so an answer that does not say never shows them."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="Номер обращения в платформе")
    kind = serializers.CharField(help_text="appeal — обращение по 59-ФЗ, message — сообщение ПОС, incident — инцидент")
    channel = serializers.CharField(help_text="pos, incident, letter, email, phone, web, api, open311")
    external_id = serializers.CharField(allow_null=True, help_text="Номер в источнике")
    status = serializers.CharField()
    importance = serializers.CharField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    sector = serializers.CharField(source="sector.code", default=None, allow_null=True)
    subtopic = serializers.CharField(source="subtopic.code", default=None, allow_null=True)
    municipality_oktmo = serializers.CharField(source="municipality.oktmo", default=None, allow_null=True)
    settlement = serializers.CharField(source="settlement.name", default=None, allow_null=True)
    address = serializers.SerializerMethodField()
    agency = serializers.CharField(source="agency.code", default=None, allow_null=True)
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    satisfaction = serializers.CharField(help_text="satisfied, not_satisfied или пусто — оценки нет")

    def _personal(self) -> bool:
        return self.context.get("personal", False)

    def get_title(self, appeal) -> str:
        return visible_text(appeal.title, personal=self._personal())

    def get_text(self, appeal) -> str:
        return visible_text(appeal.text, personal=self._personal())

    def get_address(self, appeal) -> str:  # the place of the problem; with a flat it is a home address
        return visible_text(appeal.address, personal=self._personal())


class CitizenSerializer(serializers.Serializer):
    """The citizen's name and contacts — masked for roles without access (152-ФЗ)."""

    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()


class EventSerializer(serializers.Serializer):
    """One step of the appeal's history (AppealEvent), as appeal_timeline gives it (masked already)."""

    id = serializers.IntegerField(source="pk")
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField(help_text="Кто: сотрудник или клиент интеграции; null — платформа")
    agency = serializers.CharField(source="agency.code", default=None, allow_null=True)
    field = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    reason = serializers.CharField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        actor = event.actor
        if actor is None:
            return None
        return actor.get_full_name() or actor.username


class AnswerSerializer(serializers.Serializer):
    """An answer of a body, as appeal_answers gives it (its text masked already for roles without access)."""

    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    is_interim = serializers.BooleanField()
    agency = serializers.CharField(source="agency.code", default=None, allow_null=True)
    text = serializers.CharField()
    has_evidence = serializers.BooleanField()
    flags = serializers.ListField(child=serializers.CharField(), help_text="Признаки формального ответа")
    review = serializers.CharField(help_text="pending — на проверке, accepted — принят, returned — на доработке")


class AppealDetailSerializer(AppealSerializer):
    """The card: the appeal, the citizen block, the history and the answers."""

    citizen = CitizenSerializer()
    timeline = EventSerializer(many=True)
    answers = AnswerSerializer(many=True)
    actions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Действия, которые клиент может выполнить сейчас (answer_final — POST …/answer/, answer_interim — "
                  "…/interim-answer/, request_clarification — …/request-clarification/, остальные — …/<имя>/)")
    version = serializers.IntegerField(help_text="Версия для expected_version в действиях")
