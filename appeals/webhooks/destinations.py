"""Where deliveries may go. A subscriber names any address it likes, and the platform's workers sit inside the
region's network: an address that points back inside (loopback, private ranges, link-local — the cloud's
metadata service) would make the platform a proxy into that network (SSRF). So, unless
CUR_WEBHOOK_ALLOW_PRIVATE (DEBUG, the demo, the tests, the bench), only http(s) addresses whose every resolved
address is public are accepted — when subscribing, again before each POST (a name may resolve elsewhere later),
and a third time as the connection is opened (`PublicOnlyBackend`): the name is resolved once more and the socket
goes to an address just checked, so a name that answers public to the check and private to the connection (DNS
rebinding) reaches nothing."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

SCHEMES = ("http", "https")


def url_problem(url: str) -> str:
    """What is wrong with a subscriber's address as written (empty: nothing)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises on a port out of range
    except ValueError:
        return "Адрес не разобран: проверьте его."
    if parts.scheme.lower() not in SCHEMES:
        return "Адрес должен начинаться с http:// или https://."
    if not parts.hostname:
        return "В адресе нет имени сервера."
    return ""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone («fe80::1%eth0») is not an address
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def address_problem(url: str, *, resolved: dict[str, str] | None = None) -> str:
    """Why a POST must not go to this address (empty: it may). With CUR_WEBHOOK_ALLOW_PRIVATE only the form is
    checked; otherwise the name is resolved and every address must be public. `resolved` caches the answer per
    host for one run of deliveries."""
    problem = url_problem(url)
    if problem or settings.CUR_WEBHOOK_ALLOW_PRIVATE:
        return problem
    parts = urlsplit(url)
    host = parts.hostname
    if resolved is not None and host in resolved:
        return resolved[host]
    _, problem = _resolved(host, parts.port or (443 if parts.scheme == "https" else 80))
    if resolved is not None:
        resolved[host] = problem
    return problem


PRIVATE = "Адрес ведёт во внутреннюю сеть (частный или локальный адрес): такие адреса не принимаются."


def _resolved(host: str, port: int) -> tuple[list[str], str]:
    """The addresses `host` resolves to, in the resolver's order, and why they must not be used (empty: they may —
    every one is public)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return [], f"Сервер «{host}» не найден."
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    try:
        public = bool(addresses) and all(_public(a) for a in addresses)
    except ValueError:
        public = False
    return addresses, "" if public else PRIVATE


class PublicOnlyBackend(httpcore.SyncBackend):
    """httpcore's own sockets, except that a connection resolves its host itself and opens only to an address it
    has just found public — the check and the connection use the same answer of the resolver. TLS still verifies
    the certificate against the name (httpcore passes the origin's host to start_tls)."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if settings.CUR_WEBHOOK_ALLOW_PRIVATE:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        addresses, problem = _resolved(host, port)
        if problem:
            raise httpcore.ConnectError(problem)
        failure = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # the next address, as socket.create_connection would
                failure = exc
        raise failure


def public_only_transport(*, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose connections go through PublicOnlyBackend. httpx takes no network backend of its
    own, so its transport's pool is rebuilt as httpx builds it (no proxy), with the backend."""
    transport = httpx.HTTPTransport(limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        network_backend=PublicOnlyBackend())
    return transport
