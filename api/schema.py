"""The OpenAPI description's shared parts: the one error shape every operation may answer with, and the hooks
drf-spectacular runs (settings.SPECTACULAR_SETTINGS)."""

from drf_spectacular.drainage import get_override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample

ERRORS = {
    "400": ("Ошибка в данных запроса (details — по полям)",
            {"error": {"code": "invalid", "message": "Ошибка в данных запроса.",
                       "details": {"text": ["Обязательное поле."]}}}),
    "401": ("Нет токена, токен неизвестен, отозван или истёк",
            {"error": {"code": "authentication_failed", "message": "Токен неизвестен, отозван или истёк.",
                       "details": None}}),
    "403": ("Роль или территория клиента не позволяют это действие",
            {"error": {"code": "permission_denied", "message": "Обращение вне вашей зоны ответственности.",
                       "details": None}}),
    "404": ("Нет такого объекта в зоне видимости клиента",
            {"error": {"code": "not_found", "message": "Страница не найдена.", "details": None}}),
    "429": ("Превышен лимит запросов токена: повторите через Retry-After секунд",
            {"error": {"code": "throttled", "message": "Запрос был проигнорирован. Ожидается доступность через "
                                                       "12 секунд.", "details": None}}),
}
WRITE_ERRORS = {
    "409": ("Конфликт: объект изменили или ключ занят (повторите, перечитав объект)",
            {"error": {"code": "conflict", "message": "Внешний номер уже занят: укажите другой.",
                       "details": None}}),
    "422": ("Тот же Idempotency-Key уже использован с другим запросом",
            {"error": {"code": "idempotency_key_reused", "message": "Этот Idempotency-Key уже использован с другим "
                                                                    "запросом: для нового запроса — новый ключ.",
                       "details": None}}),
    "413": ("Тело запроса слишком большое",
            {"error": {"code": "request_too_large", "message": "Тело запроса больше 2,5 МБ.", "details": None}}),
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def only_public_api(endpoints):
    """The description covers /api/v1/ — the schema and docs pages themselves are not operations."""
    return [(path, regex, method, view) for path, regex, method, view in endpoints if path.startswith("/api/v1/")]


def error_responses(result, generator, request, public):
    """Every operation may answer with the error shape: 400, 401, 403, 404, 429; a POST also 409, 413 and 422 (a view
    that documents a code itself keeps its own)."""

    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "details": {"nullable": True}}}},
    })
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            codes = dict(ERRORS)
            if method == "post":
                codes |= WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code, (description, example) in codes.items():
                responses.setdefault(code, {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF, "examples": {
                        "error": {"value": example}}}},
                })
            if "429" in responses:
                responses["429"].setdefault("headers", {"Retry-After": {
                    "schema": {"type": "integer"}, "description": "Через сколько секунд повторить"}})
    return result


def example(name: str, value, *, request: bool = False) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=request, response_only=not request)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The clients' tokens (api/auth.py) in the description: `Authorization: Bearer cur_…`."""

    target_class = "api.auth.ApiTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Токен клиента интеграции (выдаёт администратор ЦУР): `Authorization: Bearer cur_…`"}


class AutoSchema(SpectacularAutoSchema):
    """The views' docstrings are English notes for whoever maintains them; the description an integrator reads is
    the Russian `summary` and `description` given in `@extend_schema` (which overrides this), nothing else."""

    def get_description(self):
        return ""

    def _map_basic_serializer(self, serializer, direction):
        """A component without the serializer's (English) docstring; a description given with
        `@extend_schema_serializer` or `help_text` stays."""
        schema = super()._map_basic_serializer(serializer, direction)
        if get_override(serializer, "description") is None:
            schema.pop("description", None)
        return schema
