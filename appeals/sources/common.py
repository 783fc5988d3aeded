"""What the feed adapters share: the poll loop of a cursor-paged feed (read a page → validate each record
→ one transaction with the cursor). The validation of a record is intake's (appeals/intake/items.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings

from appeals.intake.cursors import CursorMove, CursorMoved
from appeals.intake.items import IntakeItem, Invalid, Rejected, Territory, to_json
from appeals.intake.upsert import UpsertResult, appeals_upsert

log = logging.getLogger(__name__)

@dataclass
class PollResult:
    """What one poll of a feed did (returned by the beat task, shown in the worker's log)."""

    pages: int = 0
    items: int = 0
    written: UpsertResult = field(default_factory=UpsertResult)
    stopped: str = ""  # why the poll ended early: the source's fault, a concurrent poll

    def as_dict(self) -> dict:
        return {"pages": self.pages, "items": self.items, "created": self.written.created,
                "updated": self.written.updated, "unchanged": self.written.unchanged,
                "quarantined": self.written.quarantined, "stopped": self.stopped}


def configured_poll(*, region, source: str, path: str, parse, source_label: str, client=None,
                    max_pages: int | None = None) -> PollResult:
    """`feed_poll` with the source's settings (settings.CUR_SOURCES[source]); a client of its own is
    made from them when none is given, and closed afterwards."""
    from appeals.sources.client import ClientConfig, SourceClient

    conf = settings.CUR_SOURCES[source]
    own = client is None
    if own:
        client = SourceClient(ClientConfig(base_url=conf["url"], token=conf["token"], timeout=conf["timeout"],
                                           attempts=conf["attempts"], backoff=conf["backoff"],
                                           min_interval=conf["min_interval"]))
    try:
        return feed_poll(region=region, source=source, path=path, parse=parse, client=client,
                         limit=conf["page_size"], max_pages=max_pages or conf["max_pages"],
                         source_label=source_label)
    finally:
        if own:
            client.close()


def feed_poll(*, region, source: str, path: str, parse, client, limit: int, max_pages: int,
              source_label: str) -> PollResult:
    """Read a cursor-paged feed from our cursor on: each page is validated and committed together
    with the cursor's move, so the next page is read only after the previous one is in the database.

    `parse(raw, territory)` returns an IntakeItem or raises Invalid. A source that stays down after
    the client's retries ends the poll with the cursor where it was; the next beat run goes on.
    """
    from appeals.intake.cursors import source_cursor_fail, source_cursor_get
    from appeals.sources.client import SourceUnavailable

    territory = Territory.of(region)
    result = PollResult()
    position = source_cursor_get(region=region, source=source).cursor
    for _ in range(max_pages):
        try:
            page = client.page(path, cursor=position, limit=limit)
        except SourceUnavailable as error:
            log.warning("%s poll stopped: %s", source, error)
            source_cursor_fail(region=region, source=source, error=str(error))
            result.stopped = str(error)
            break
        items, rejected = parse_page(page.items, parse=parse, territory=territory, source=source)
        try:
            written = appeals_upsert(region=region, items=items, rejected=rejected,
                                     cursor=CursorMove(source=source, expected=position, to=page.next_cursor),
                                     source_label=source_label)
        except CursorMoved as error:
            result.stopped = str(error)  # another worker is reading this feed: leave it to it
            break
        result.pages += 1
        result.items += len(page.items)
        result.written.add(written)
        position = page.next_cursor
        if not page.has_more:
            break
    result.written.ids = {}  # the ids are for single-item callers; a poll's result stays small
    return result


def parse_page(records: list, *, parse, territory: Territory, source: str) -> tuple[list[IntakeItem], list[Rejected]]:
    """Validate every record of a page; a broken one becomes a Rejected with the reason."""
    items, rejected = [], []
    for raw in records:
        try:
            items.append(parse(raw, territory))
        except Invalid as error:
            rejected.append(_rejected(source, raw, str(error), territory))
    return items, rejected


def _rejected(source: str, raw, reason: str, territory: Territory) -> Rejected:
    external_id = ""
    municipality_id = None
    if isinstance(raw, dict):
        value = raw.get("id", raw.get("external_id"))
        external_id = str(value)[:200] if value not in (None, "") else ""
        place = raw.get("territory") if isinstance(raw.get("territory"), dict) else raw
        oktmo = place.get("oktmo", place.get("municipality_oktmo")) if isinstance(place, dict) else None
        municipality_id = territory.by_oktmo.get(str(oktmo)[:8]) if oktmo else None
    return Rejected(source=source, payload=to_json(raw), reason=reason, external_id=external_id,
                    municipality_id=municipality_id)
