"""ПОС «Решаем вместе»: сообщения (outside 59-ФЗ) and 59-ФЗ обращения from one cursor-paged feed.

Contract: docs/integrations.md, «ПОС». `pos_poll` is called by the beat task `appeals.tasks.source_poll`.
"""

from __future__ import annotations

from appeals.intake.items import (
    IntakeItem,
    Invalid,
    Territory,
    attachment_links,
    clean_text,
    external_id_of,
    join_notes,
    moment,
    short,
    source_rating_of,
    source_status_of,
    version_of,
)
from appeals.intake.registry import Source, source_register
from appeals.models import Channel, Importance, Kind
from appeals.sources.client import SourceClient
from appeals.sources.common import PollResult, configured_poll

SOURCE = "pos"
FEED_PATH = "/api/v1/feed"
KINDS = {"message": Kind.MESSAGE, "appeal": Kind.APPEAL}


def parse_pos_item(raw, territory: Territory) -> IntakeItem:
    """One record of the ПОС feed → IntakeItem; Invalid with the reason otherwise."""
    if not isinstance(raw, dict):
        raise Invalid(f"запись ПОС должна быть объектом JSON, получено {type(raw).__name__}")
    external_id = external_id_of(raw.get("id"))
    kind = KINDS.get(raw.get("type"))
    if kind is None:
        raise Invalid(f"type: неизвестный вид «{str(raw.get('type'))[:40]}» (ожидается message или appeal)")
    author = raw.get("author") or {}
    place = raw.get("territory") or {}
    if not isinstance(author, dict) or not isinstance(place, dict):
        raise Invalid("author и territory должны быть объектами JSON")
    municipality_id, settlement_id, note = territory.place(oktmo=place.get("oktmo"), settlement=place.get("settlement"))
    url = short(raw.get("url"), 500)
    files, files_note = attachment_links(raw.get("attachments"))
    return IntakeItem(
        channel=Channel.POS, kind=kind, external_id=external_id,
        received_at=moment(raw.get("created_at"), name="created_at"),
        text=clean_text(raw.get("text")),
        title=short(raw.get("title"), 300, name="title"),
        importance=Importance.NORMAL,
        source_url=url if url.startswith(("http://", "https://")) else "",
        citizen_name=short(author.get("name"), 300), citizen_email=short(author.get("email"), 254),
        citizen_phone=short(author.get("phone"), 32), citizen_address=short(author.get("address"), 300),
        municipality_id=municipality_id, settlement_id=settlement_id, address=short(place.get("address"), 300),
        source_version=version_of(raw.get("version")), note=join_notes(note, files_note), attachments=files,
        source_status=source_status_of(raw.get("status")), rating=source_rating_of(raw.get("rating")),
    )


def pos_poll(*, region, client: SourceClient | None = None, max_pages: int | None = None) -> PollResult:
    """Read the ПОС feed from our cursor to its end (at most `max_pages` pages this run)."""
    return configured_poll(region=region, source=SOURCE, path=FEED_PATH, parse=parse_pos_item,
                           source_label="ПОС", client=client, max_pages=max_pages)


source_register(Source(code=SOURCE, label="ПОС «Решаем вместе»", parse=parse_pos_item, poll=pos_poll))
