"""The lifecycle actions on an appeal, one POST each (/api/v1/appeals/<id>/<action>/) — the card's actions
through the same services (appeals/lifecycle/transitions.py), which check the right and the scope on the row
they lock. Refusals answer as the card refuses: the same Russian message.

- outside the caller's scope → 404 (the appeal does not exist for them, as on the card);
- the role may not take the action → 403 `permission_denied` (asked before the body, as the card asks);
- the status or the kind does not allow it → 409 `transition_refused`;
- `expected_version` is not the appeal's version → 409 `stale_version` (re-read the appeal and retry).

A success answers the appeal as it is after the action (AppealSerializer, masked as the reader may read it)
with its new `version`, the actions now open to the caller and `message`, the result in words; an answer
(interim or final) answers 201 with the answer created beside it. The names in `actions` (the card's, as
GET /api/v1/appeals/<id>/ lists them) and their addresses: register → register/, assign → assign/, forward →
forward/, request_clarification → request-clarification/, extend → extend/, answer_interim → interim-answer/,
answer_final → answer/, close → close/ (the other actions of the card have no address yet)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.schema import example
from api.v1.appeals import IDEMPOTENCY
from api.v1.serializers import AnswerSerializer, AppealSerializer, reader_context
from appeals.lifecycle import transitions
from appeals.models import Appeal
from appeals.workspace import selectors
from cur.models import Agency
from cur.permissions import allowed_actions
from cur.scoping import scope_agencies

TAGS = ["Действия"]


class TransitionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "transition_refused"
    default_detail = "Действие не допускается в текущем состоянии обращения."


class StaleConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"
    default_detail = "Обращение уже изменил другой пользователь — перечитайте его и повторите."


@extend_schema_serializer(component_name="ActionResult")
class ActionResultSerializer(AppealSerializer):
    """The appeal after an action."""

    version = serializers.IntegerField(help_text="Новая версия: expected_version следующего действия")
    actions = serializers.ListField(child=serializers.CharField(),
                                    help_text="Действия, доступные клиенту теперь (имена transitions.ACTIONS)")
    message = serializers.CharField(help_text="Итог действия словами, как на карточке")


@extend_schema_serializer(component_name="AnswerResult")
class AnswerResultSerializer(ActionResultSerializer):
    """The appeal after an answer, with the answer created."""

    answer = AnswerSerializer()


class VersionedInput(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=0, required=False, allow_null=True,
        help_text="Версия обращения, которую видел клиент (поле version карточки): если обращение с тех пор "
                  "изменилось, действие не выполняется (409 stale_version). Без поля — без проверки.")


class AgencyField(serializers.SlugRelatedField):
    """A body by its code, among those the caller may route to (cur.scoping.scope_agencies, as the card's
    picker offers): a body outside the caller's territory is as unknown as a body that does not exist."""

    default_error_messages = {
        "does_not_exist": "Нет действующего органа с кодом «{value}» в вашей зоне (см. /api/v1/reference/agencies/).",
        "invalid": "Код органа — строка.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Agency.objects.none(), **kwargs)

    def get_queryset(self):
        return scope_agencies(Agency.objects.filter(is_active=True), self.context["user"])


def _refused(refused: transitions.TransitionRefused) -> APIException:
    message = " ".join(refused.messages)
    if isinstance(refused, transitions.StaleVersion):
        return StaleConflict(message)
    return TransitionConflict(message)


def _result(appeal: Appeal, *, action: str, user) -> dict:
    data = AppealSerializer(appeal, context=reader_context(user)).data
    mine = allowed_actions(user)
    data["version"] = appeal.version
    data["actions"] = [name for name in transitions.available_actions(appeal) if name in mine]
    data["message"] = f"{transitions.action_done(action, appeal)}."
    return data


class _ActionApi(APIView):
    """One action: the scoped appeal (404), the role's right (403), the body (400), the service (409)."""

    action: str
    InputSerializer: type[serializers.Serializer]

    def perform(self, appeal: Appeal, data: dict, *, by, version: int | None):
        raise NotImplementedError

    def act(self, request, pk: int) -> Response:
        appeal = selectors.appeal_get(user=request.user, pk=pk)
        if self.action not in allowed_actions(request.user):
            raise PermissionDenied("Это действие недоступно для вашей роли.")
        body = self.InputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("expected_version", None)
        try:
            done = self.perform(appeal, data, by=request.user, version=version)
        except transitions.TransitionRefused as refused:
            raise _refused(refused) from None
        return self.respond(done, request)

    def respond(self, done, request) -> Response:
        return Response(_result(done, action=self.action, user=request.user))


def _post_schema(*, operation_id: str, summary: str, description: str, request, examples: list, responses=None):
    return extend_schema(operation_id=operation_id, summary=summary, description=description, tags=TAGS,
                         request=request, responses=responses or {200: ActionResultSerializer},
                         parameters=[IDEMPOTENCY], examples=examples)


class AppealRegisterApi(_ActionApi):
    """POST /api/v1/appeals/<id>/register/ — registration: the deadlines start."""

    action = "register"

    @extend_schema_serializer(component_name="AppealRegisterInput")
    class InputSerializer(VersionedInput):
        pass

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_register(appeal=appeal, by=by, expected_version=version)

    @_post_schema(operation_id="appeals_register", summary="Зарегистрировать обращение",
                  description="Из статуса «Новое». Запускает сроки ответа (59-ФЗ, ПОС, инциденты).",
                  request=InputSerializer,
                  examples=[example("С проверкой версии", {"expected_version": 1}, request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealAssignApi(_ActionApi):
    """POST /api/v1/appeals/<id>/assign/ {agency} — route to the responsible body."""

    action = "assign"

    @extend_schema_serializer(component_name="AppealAssignInput")
    class InputSerializer(VersionedInput):
        agency = AgencyField(help_text="Код органа (/api/v1/reference/agencies/)")

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_assign(appeal=appeal, agency=data["agency"], by=by, expected_version=version)

    @_post_schema(operation_id="appeals_assign", summary="Направить исполнителю",
                  description="Из статусов «Зарегистрировано» и «В работе»; орган — из вашей зоны.",
                  request=InputSerializer,
                  examples=[example("МУП ЖКХ", {"agency": "mup_zhkh_pestravskiy", "expected_version": 2},
                                    request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealForwardApi(_ActionApi):
    """POST /api/v1/appeals/<id>/forward/ {agency, reason} — to another competent body."""

    action = "forward"

    @extend_schema_serializer(component_name="AppealForwardInput")
    class InputSerializer(VersionedInput):
        agency = AgencyField(help_text="Код органа (/api/v1/reference/agencies/)")
        reason = serializers.CharField(max_length=2000, help_text="Причина переадресации")

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_forward(appeal=appeal, agency=data["agency"], reason=data["reason"], by=by,
                                          expected_version=version)

    @_post_schema(operation_id="appeals_forward", summary="Переадресовать по компетенции",
                  description="Срок гражданина не меняется; доля времени каждого органа учитывается отдельно.",
                  request=InputSerializer,
                  examples=[example("В администрацию района", {
                      "agency": "adm_pestravskiy_mr", "reason": "Вопрос благоустройства — компетенция администрации",
                      "expected_version": 3}, request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealRequestClarificationApi(_ActionApi):
    """POST /api/v1/appeals/<id>/request-clarification/ {question} — the clock stops until the citizen answers."""

    action = "request_clarification"

    @extend_schema_serializer(component_name="AppealClarificationRequestInput")
    class InputSerializer(VersionedInput):
        question = serializers.CharField(max_length=2000, help_text="Что уточнить у гражданина")

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_request_clarification(appeal=appeal, question=data["question"], by=by,
                                                        expected_version=version)

    @_post_schema(operation_id="appeals_request_clarification", summary="Запросить уточнение у заявителя",
                  description="Срок останавливается до ответа гражданина.", request=InputSerializer,
                  examples=[example("Номер дома", {"question": "Уточните, пожалуйста, номер дома и подъезд"},
                                    request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealExtendApi(_ActionApi):
    """POST /api/v1/appeals/<id>/extend/ {days, reason} — 59-ФЗ ст. 12 ч. 2, once, up to 30 days."""

    action = "extend"

    @extend_schema_serializer(component_name="AppealExtendInput")
    class InputSerializer(VersionedInput):
        days = serializers.IntegerField(min_value=1, max_value=transitions.MAX_EXTENSION_DAYS,
                                        help_text="На сколько дней (1–30)")
        reason = serializers.CharField(max_length=2000, help_text="Основание продления")

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_extend(appeal=appeal, days=data["days"], reason=data["reason"], by=by,
                                         expected_version=version)

    @_post_schema(operation_id="appeals_extend", summary="Продлить срок рассмотрения",
                  description="Только обращения по 59-ФЗ, одно продление до 30 дней; гражданин уведомляется.",
                  request=InputSerializer,
                  examples=[example("Нужна проверка на месте", {
                      "days": 30, "reason": "Требуется комиссионное обследование дома"}, request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class _AnswerApi(_ActionApi):

    @extend_schema_serializer(component_name="AnswerInput")
    class InputSerializer(VersionedInput):
        text = serializers.CharField(max_length=200_000, help_text="Текст ответа")

    def perform(self, appeal, data, *, by, version):
        return transitions.answer_submit(appeal=appeal, text=data["text"], is_interim=self.action == "answer_interim",
                                         by=by, expected_version=version)

    def respond(self, done, request) -> Response:
        data = _result(done.appeal, action=self.action, user=request.user)
        # the answer as the reader may read it (152-ФЗ): the selector's masked copy, not the row just written
        shown = {answer.pk: answer for answer in selectors.appeal_answers(appeal=done.appeal, user=request.user)}
        data["answer"] = AnswerSerializer(shown[done.pk]).data
        return Response(data, status=status.HTTP_201_CREATED)


class AppealInterimAnswerApi(_AnswerApi):
    """POST /api/v1/appeals/<id>/interim-answer/ {text} — the executor's interim answer."""

    action = "answer_interim"

    @_post_schema(operation_id="appeals_interim_answer", summary="Дать промежуточный ответ",
                  description="Из статуса «В работе»; считается первичным ответом.",
                  request=_AnswerApi.InputSerializer, responses={201: AnswerResultSerializer},
                  examples=[example("Выезд бригады", {"text": "Заявка принята, бригада выедет 25.11.2026."},
                                    request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealAnswerApi(_AnswerApi):
    """POST /api/v1/appeals/<id>/answer/ {text} — the final answer; it goes to the ЦУР/МЦУ for review."""

    action = "answer_final"

    @_post_schema(operation_id="appeals_answer", summary="Дать ответ по существу",
                  description="Ответ уходит на проверку ЦУР/МЦУ (статус «Ответ на проверке»).",
                  request=_AnswerApi.InputSerializer, responses={201: AnswerResultSerializer},
                  examples=[example("Устранено", {
                      "text": "Водоснабжение восстановлено 24.11.2026, заменён участок трубы у дома 5.",
                      "expected_version": 4}, request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)


class AppealCloseApi(_ActionApi):
    """POST /api/v1/appeals/<id>/close/ — accept the answer and close the appeal."""

    action = "close"

    @extend_schema_serializer(component_name="AppealCloseInput")
    class InputSerializer(VersionedInput):
        pass

    def perform(self, appeal, data, *, by, version):
        return transitions.appeal_close(appeal=appeal, by=by, expected_version=version)

    @_post_schema(operation_id="appeals_close", summary="Принять ответ и закрыть обращение",
                  description="Из статуса «Ответ на проверке»; гражданину уходит ответ.", request=InputSerializer,
                  examples=[example("С проверкой версии", {"expected_version": 5}, request=True)])
    @idempotent
    def post(self, request, pk: int):
        return self.act(request, pk)
