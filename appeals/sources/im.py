"""«Инцидент Менеджмент»: incidents found in social networks (VK, OK, Telegram, Max) — a URL, an
author, an importance and several posts (the first publication and the comments under it).

Contract: docs/integrations.md, «Инцидент Менеджмент». `im_poll` is called by the beat task.
"""

from __future__ import annotations

from django.utils import formats, timezone

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

SOURCE = "incident"
FEED_PATH = "/api/v1/incidents"
NETWORKS = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "max": "Max"}
MAX_POSTS = 200


def parse_im_incident(raw, territory: Territory) -> IntakeItem:
    """One incident of the ИМ feed → IntakeItem: the posts become one text, oldest first."""
    if not isinstance(raw, dict):
        raise Invalid(f"инцидент должен быть объектом JSON, получено {type(raw).__name__}")
    external_id = external_id_of(raw.get("id"))
    network = raw.get("network")
    if network not in NETWORKS:
        raise Invalid(f"network: неизвестная соцсеть «{str(network)[:40]}» (ожидается {', '.join(NETWORKS)})")
    url = short(raw.get("url"), 500)
    if not url.startswith(("http://", "https://")):
        raise Invalid("url: нет ссылки на публикацию")
    importance = raw.get("importance", "normal")
    if importance not in Importance.values:
        raise Invalid(f"importance: неизвестная важность «{str(importance)[:20]}»")
    posts = raw.get("posts")
    if not isinstance(posts, list) or not posts:
        raise Invalid("posts: у инцидента нет ни одной публикации")
    if len(posts) > MAX_POSTS:
        raise Invalid(f"posts: {len(posts)} публикаций — больше {MAX_POSTS}")
    author = raw.get("author") or {}
    place = raw.get("territory") or {}
    if not isinstance(author, dict) or not isinstance(place, dict):
        raise Invalid("author и territory должны быть объектами JSON")
    text = _posts_text(posts)
    # the incident's own files and those of its posts (photos under a publication), in that order
    own = raw.get("attachments")
    named = list(own) if isinstance(own, list) else []
    for post in posts:  # each a dict: _posts_text checked them
        if isinstance(post.get("attachments"), list):
            named += post["attachments"]
    files, files_note = attachment_links(own if own not in (None, []) and not isinstance(own, list) else named)
    municipality_id, settlement_id, note = territory.place(oktmo=place.get("oktmo"), settlement=place.get("settlement"))
    return IntakeItem(
        channel=Channel.INCIDENT, kind=Kind.INCIDENT, external_id=external_id,
        received_at=moment(raw.get("detected_at"), name="detected_at"),
        text=text, title=short(raw.get("title"), 300) or f"{NETWORKS[network]}: {' '.join(text.split())[:120]}",
        importance=importance, source_url=url,
        citizen_name=short(author.get("name"), 300),
        municipality_id=municipality_id, settlement_id=settlement_id, address=short(place.get("address"), 300),
        source_version=version_of(raw.get("version")), note=join_notes(note, files_note), attachments=files,
        source_status=source_status_of(raw.get("status")), rating=source_rating_of(raw.get("rating")),
    )


def _posts_text(posts: list) -> str:
    parts = []
    for number, post in enumerate(posts, start=1):
        if not isinstance(post, dict):
            raise Invalid(f"posts[{number}]: публикация должна быть объектом JSON")
        body = clean_text(post.get("text"), name=f"posts[{number}].text")
        if number == 1:
            parts.append(body)
            continue
        when = moment(post.get("published_at"), name=f"posts[{number}].published_at")
        stamp = formats.date_format(timezone.localtime(when), "d.m.Y H:i")
        parts.append(f"— {short(post.get('author'), 100) or 'комментарий'}, {stamp}: {body}")
    return clean_text("\n\n".join(parts))


def im_poll(*, region, client: SourceClient | None = None, max_pages: int | None = None) -> PollResult:
    """Read the ИМ feed from our cursor to its end (at most `max_pages` pages this run)."""
    return configured_poll(region=region, source=SOURCE, path=FEED_PATH, parse=parse_im_incident,
                           source_label="Инцидент Менеджмент", client=client, max_pages=max_pages)


source_register(Source(code=SOURCE, label="Инцидент Менеджмент", parse=parse_im_incident, poll=im_poll))
