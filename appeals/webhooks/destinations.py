"""Where deliveries may go. A subscriber names any address it likes, and the platform's workers sit inside the
region's network: an address that points back inside (loopback, private ranges, link-local — the cloud's
metadata service) would make the platform a proxy into that network (SSRF). So, unless
CUR_WEBHOOK_ALLOW_PRIVATE (DEBUG, the demo, the tests, the bench), only http(s) addresses whose every resolved
address is public are accepted — when subscribing, and again before each POST (a name may resolve elsewhere
later)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

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
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
        addresses = {info[4][0] for info in infos}
        problem = "" if addresses and all(_public(a) for a in addresses) else (
            "Адрес ведёт во внутреннюю сеть (частный или локальный адрес): такие адреса не принимаются.")
    except (OSError, UnicodeError, ValueError):
        problem = f"Сервер «{host}» не найден."
    if resolved is not None:
        resolved[host] = problem
    return problem
