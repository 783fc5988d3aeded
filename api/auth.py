"""Who calls the API: integration clients by token (cur/api_clients.py), people by their session; and how
often they may."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from cur.api_clients import api_token_authenticate
from cur.scoping import region_of
from cur.security import client_address


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) of an integration client (cur/api_clients.py): the
    request runs as the client's user, `request.auth` is the token. A header with a wrong token answers 401."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed("Заголовок Authorization: Bearer <токен>, без пробелов в токене.")
        try:
            raw = words[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Токен в заголовке нечитаем.") from None
        token = api_token_authenticate(raw, address=client_address(request) or None)
        if token is None:
            raise exceptions.AuthenticationFailed("Токен неизвестен, отозван или истёк.")
        # the middleware chose the zone before DRF knew the caller: a client's days are its region's, as a person's
        region = region_of(token.client.user)
        if region is not None:
            timezone.activate(ZoneInfo(region.timezone))
        return token.client.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class RequestRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is read on each request (`rate_for`): DRF's own classes read the settings once at
    import, so an overridden setting — or a client's own rate — would never count. Over the limit DRF answers 429
    with Retry-After."""

    def __init__(self):  # the rate depends on the request: parsed in allow_request
        pass

    def rate_for(self, request) -> str:
        raise NotImplementedError

    def allow_request(self, request, view):
        self.rate = self.rate_for(request)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class ClientRateThrottle(RequestRateThrottle):
    """Requests per token (a client's own `rate`, else CUR_API_RATE) or per signed-in user. Anonymous requests are
    refused with 401 before this."""

    scope = "api"

    def rate_for(self, request) -> str:
        token = getattr(request, "auth", None)
        return getattr(getattr(token, "client", None), "rate", "") or settings.CUR_API_RATE

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if getattr(token, "pk", None) and hasattr(token, "key_hash"):
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return f"throttle_{self.scope}_{ident}"
