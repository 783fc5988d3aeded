"""The HTTP client of the feed adapters (ПОС, «Инцидент Менеджмент»): httpx with timeouts, retries
with exponential backoff and jitter (tenacity), the server's 429 / Retry-After honoured, and a
minimum interval between requests so that we never hammer a source."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 60.0  # seconds: a longer demand ends this poll; the next beat run tries again


class SourceUnavailable(Exception):
    """The source did not give a usable page after all retries (the cursor stays where it was)."""


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Page:
    items: list  # raw records, each validated by the adapter, never trusted here
    next_cursor: str
    has_more: bool


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    token: str = ""
    timeout: float = 10.0
    attempts: int = 6
    backoff: float = 0.5  # first wait, doubled each retry (with jitter)
    max_backoff: float = 30.0
    min_interval: float = 0.0  # between two requests of this client


class SourceClient:
    """GET pages of a cursor-paged feed: `{"items": [...], "next_cursor": "...", "has_more": bool}`."""

    def __init__(self, config: ClientConfig, transport: httpx.BaseTransport | None = None):
        self.config = config
        headers = {"Accept": "application/json", "User-Agent": "cur-platform/intake"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        self._http = httpx.Client(base_url=config.base_url, headers=headers, transport=transport,
                                  timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0)))
        self._last_request = 0.0
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SourceClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def page(self, path: str, *, cursor: str, limit: int) -> Page:
        """One page after `cursor`; retries timeouts, transport errors, 5xx, 429 and unreadable pages."""
        retrying = Retrying(
            stop=stop_after_attempt(self.config.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._get(path, {"cursor": cursor, "limit": limit})
        except _Retryable as error:
            raise SourceUnavailable(f"{self.config.base_url}{path}: {error}") from error
        raise AssertionError("unreachable")

    def _wait(self, retry_state) -> float:
        self.retries += 1
        error = retry_state.outcome.exception()
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after
        return wait_exponential_jitter(multiplier=self.config.backoff, max=self.config.max_backoff,
                                       jitter=self.config.backoff)(retry_state)

    def _pace(self) -> None:
        with self._lock:
            pause = self._last_request + self.config.min_interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._last_request = time.monotonic()

    def _get(self, path: str, params: dict) -> Page:
        self._pace()
        self.requests += 1
        try:
            response = self._http.get(path, params=params)
        except httpx.TimeoutException as error:
            raise _Retryable(f"timeout: {error!r}") from error
        except httpx.TransportError as error:
            raise _Retryable(f"transport: {error!r}") from error
        if response.status_code == 429:
            raise _Retryable("429 rate limited", retry_after=_retry_after(response))
        if response.status_code >= 500:
            raise _Retryable(f"{response.status_code} from the source", retry_after=_retry_after(response, None))
        if response.status_code != 200:
            # 4xx other than 429: our request or our token is wrong — retrying will not help.
            raise SourceUnavailable(f"{response.status_code}: {response.text[:300]}")
        try:
            body = response.json()
            items, next_cursor, has_more = body["items"], body["next_cursor"], body.get("has_more", False)
            if not isinstance(items, list) or not isinstance(next_cursor, str | int):
                raise ValueError("items must be a list, next_cursor a string")
        except (ValueError, KeyError, TypeError) as error:
            # A cut or garbled page (not a broken record inside a good page): ask for it again.
            raise _Retryable(f"unreadable page: {error!r}") from error
        return Page(items=items, next_cursor=str(next_cursor), has_more=bool(has_more))


def _retry_after(response: httpx.Response, default: float | None = 1.0) -> float | None:
    """Seconds from a Retry-After header (delta-seconds; an HTTP date is treated as 1 s), capped."""
    value = response.headers.get("Retry-After")
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 1.0
    if seconds > MAX_RETRY_AFTER:
        raise SourceUnavailable(f"the source asks to wait {seconds:.0f} s")
    return max(seconds, 0.0)
