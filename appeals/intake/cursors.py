"""The cursor of a cursor-paged source: where the last committed page ended. It moves only in the
transaction that writes the page (appeals_upsert, compare-and-set from the value the page was read after)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from appeals.models import SourceCursor


@dataclass
class CursorMove:
    """Advance the source's cursor from `expected` (what the batch was read after) to `to`."""

    source: str
    expected: str
    to: str


class CursorMoved(Exception):
    """Another worker committed this page first: the batch is rolled back, nothing is lost."""


def source_cursor_get(*, region, source: str) -> SourceCursor:
    """The cursor row of a source (created at the start of the feed)."""
    cursor, _ = SourceCursor.objects.get_or_create(region=region, source=source)
    return cursor


def source_cursor_fail(*, region, source: str, error: str) -> None:
    """Remember why the last poll stopped (shown in the admin); the cursor itself does not move."""
    SourceCursor.objects.filter(region=region, source=source).update(last_error=error[:2000],
                                                                     polled_at=timezone.now())
