"""One exception handler, so every error of the API has one shape: `{"error": {"code", "message", "details"}}`."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "too_many_fields"
    default_detail = "В запросе слишком много полей или файлов."


def _too_large() -> RequestTooLarge:
    megabytes = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f}".replace(".", ",")
    return RequestTooLarge(f"Тело запроса больше {megabytes} МБ. Передавайте обращения по одному, "
                           "без вложений в теле запроса.")


def exception_handler(exc, context):
    """Errors as `{"error": {"code", "message", "details"}}`; Django's own exceptions included — a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE (raised when DRF reads `request.data`) answers 413 here rather than
    Django's HTML 400."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # a service's refusal keeps its reason
    elif isinstance(exc, RequestDataTooBig):
        exc = _too_large()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = TooManyFields()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else "Ошибка в данных запроса."
    response.data = {
        "error": {
            "code": getattr(exc, "default_code", "error"),
            "message": str(message),
            "details": None if isinstance(detail, dict) and set(detail) == {"detail"} else detail,
        }
    }
    return response


@csrf_exempt  # a machine's POST to a wrong address is told 404, not asked for a form's CSRF token
def api_not_found(request, *args, **kwargs):
    """An address under /api/ or /open311/ that names no operation: 404 in the error shape, not the HTML page a
    person gets — a machine reads the body."""
    from django.http import JsonResponse

    return JsonResponse({"error": {"code": "not_found", "message": "Нет такого адреса API: см. /api/docs/.",
                                   "details": None}}, status=404)
