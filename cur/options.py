"""Option lists of the reference data (sectors, subtopics, municipalities, settlements, agencies)
for the <select>s of the queue and the card, kept in each process between requests.

They change a few times a year, yet every page of the queue shows hundreds of them. A list is kept
with the reference version it was read at; saving or deleting any reference row bumps the version
in the shared cache (Redis), so every web process reads the list afresh on its next request.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

VERSION_KEY = "reference-version"
MAX_LISTS = 500  # one list per distinct queryset (scope); a bound, not a tuning knob
_lists: dict[tuple, tuple[int, list[tuple]]] = {}


def reference_version() -> int:
    return cache.get_or_set(VERSION_KEY, 0, timeout=None)


def reference_changed(**kwargs) -> None:
    """Receiver of post_save / post_delete of the reference models (connected in cur/apps.py)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or the cache was flushed): any new value invalidates
        cache.set(VERSION_KEY, 1, timeout=None)
    _lists.clear()


def option_rows(queryset: QuerySet, fields: tuple[str, ...]) -> list[tuple]:
    """`queryset.values_list("pk", *fields)` as a list, served from this process while the
    reference data has not changed."""
    rows = queryset.values_list("pk", *fields)
    if rows.query.is_empty():  # a scope that sees nothing
        return []
    sql, params = rows.query.sql_with_params()
    key = (sql, tuple(params))
    version = reference_version()
    kept = _lists.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    if len(_lists) >= MAX_LISTS:
        _lists.clear()
    fresh = list(rows)
    _lists[key] = (version, fresh)
    return fresh


def forget_options() -> None:
    """Drop this process's lists (tests roll their reference rows back between cases)."""
    _lists.clear()
