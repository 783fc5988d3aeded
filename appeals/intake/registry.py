"""The sources intake knows of, by code — registered by their adapters (appeals/sources/, imported when
the app is ready), so intake never imports an adapter: the quarantine finds here how to read a record it
holds again, and the beat finds the feed it polls.

Adapters import intake, never the reverse; this module is the meeting point and imports neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from municipalities.models import Region


@dataclass(frozen=True)
class Source:
    """One source. `parse(raw, territory[, within=…])` turns a raw record into an IntakeItem or raises
    Invalid; `poll(region=…, max_pages=…)` reads a feed (None for a source nobody polls, a file)."""

    code: str  # as QuarantinedItem.source and SourceCursor.source say it
    label: str
    parse: Callable
    poll: Callable | None = None
    scoped_parse: bool = False  # parse takes the writer's IntakeScope (`within=`): rows people send


_SOURCES: dict[str, Source] = {}


def source_register(source: Source) -> Source:
    """Called once by each adapter module at import; registering a code twice is a programming error."""
    if source.code in _SOURCES and _SOURCES[source.code] != source:
        raise ValueError(f"source {source.code!r} is registered twice")
    _SOURCES[source.code] = source
    return source


def source_get(code: str) -> Source:
    try:
        return _SOURCES[code]
    except KeyError:
        raise ValueError(f"unknown source {code!r}; known: {sorted(_SOURCES)}") from None


def source_poll_run(*, source: str, max_pages: int | None = None) -> dict:
    """Poll one feed for the region this installation serves; a feed without a URL is skipped."""
    poll = source_get(source).poll
    if poll is None:
        raise ValueError(f"source {source!r} is not a feed")
    if not settings.CUR_SOURCES[source]["url"]:
        return {"skipped": "not configured"}
    region = Region.objects.get(code=settings.CUR_REGION)
    return poll(region=region, max_pages=max_pages).as_dict()
