"""The feeds the beat polls, by source code: what `appeals.tasks.source_poll` runs."""

from __future__ import annotations

from django.conf import settings

from municipalities.models import Region


def pollers() -> dict:
    from appeals.sources.im import im_poll
    from appeals.sources.pos import pos_poll

    return {"pos": pos_poll, "incident": im_poll}


def source_poll_run(*, source: str, max_pages: int | None = None) -> dict:
    """Poll one feed for the region this installation serves; a feed without a URL is skipped."""
    poll = pollers().get(source)
    if poll is None:
        raise ValueError(f"unknown source {source!r}")
    if not settings.CUR_SOURCES[source]["url"]:
        return {"skipped": "not configured"}
    region = Region.objects.get(code=settings.CUR_REGION)
    return poll(region=region, max_pages=max_pages).as_dict()
