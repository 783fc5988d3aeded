"""Security plumbing: login throttling (django-axes, settings CUR_LOGIN_*) — whose address a request comes
from, the two limits per account and per address — and the Content-Security-Policy's one scoped exception."""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str:
    """The client's address. Behind CUR_TRUSTED_PROXIES proxies it is the entry the nearest of them
    appended to X-Forwarded-For — anything further left the client may have written itself and is
    ignored; without a proxy, or when the header is short or garbled, it is REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.CUR_TRUSTED_PROXIES
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


class LoginAttemptsHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for an address.

    AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"] gives the recent failures of the account and of
    the address; axes compares one number with one limit (AXES_FAILURE_LIMIT, the account's), so the
    address's count is scaled to it: locked when the account has CUR_LOGIN_FAILURES_PER_ACCOUNT failures
    or the address CUR_LOGIN_FAILURES_PER_ADDRESS (floor(a·L/M) ≥ L exactly when a ≥ M)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        return max(by_account, by_address * limit // settings.CUR_LOGIN_FAILURES_PER_ADDRESS)


# plotly.js (4.1.2) writes `style` attributes while drawing some traces — the heatmap trace probes CSS
# image-rendering with one, colorbars set an empty one — which the policy refuses. A view that draws such a
# chart relaxes style attributes alone, on its own responses: <style> elements stay refused (style-src-elem
# falls back to style-src 'self'), and so does every inline script.
chart_page = csp_update({"style-src-attr": [UNSAFE_INLINE]})
