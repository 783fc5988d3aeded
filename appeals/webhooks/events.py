"""What a subscriber is told: which steps of an appeal's history are sent, under which type, and the body.

The body names the appeal by its id, number and classifiers only — never its text, title, address or the
citizen (152-ФЗ): a receiver reads the details through the API, where its role decides what is masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.conf import settings
from django.urls import reverse

from appeals.models import AppealEvent, WebhookSubscription

Kind = AppealEvent.Kind
Event = WebhookSubscription.Event

# The history's kinds that are sent, and the webhook type of each. A forwarding is an assignment to another
# body; an interim answer is an answer (the body says `interim`); leaving a 59-ФЗ appeal without an answer
# (ст. 11) ends it as a closing does.
TYPE_OF_KIND: dict[str, str] = {
    Kind.CREATED: Event.CREATED,
    Kind.ASSIGNED: Event.ASSIGNED,
    Kind.FORWARDED: Event.ASSIGNED,
    Kind.ANSWERED: Event.ANSWERED,
    Kind.INTERIM_ANSWERED: Event.ANSWERED,
    Kind.CLOSED: Event.CLOSED,
    Kind.LEFT_WITHOUT_ANSWER: Event.CLOSED,
    Kind.REOPENED: Event.REOPENED,
    Kind.OVERDUE: Event.OVERDUE,
}
SENT_KINDS: tuple[str, ...] = tuple(str(kind) for kind in TYPE_OF_KIND)


@dataclass(frozen=True)
class EventRow:
    """One event with what the body says of its appeal, read in bulk by the dispatcher. It carries the four
    columns `cur.scoping.Scope.covers` reads, so the subscriber's scope is judged by the one rule of scoping."""

    event_id: int
    kind: str
    at: datetime
    appeal_id: int
    region_id: int
    municipality_id: int | None
    sector_id: int | None
    agency_id: int | None
    status: str
    appeal_kind: str
    channel: str
    due_at: datetime | None
    is_overdue: bool
    sector: str | None
    subtopic: str | None
    municipality_oktmo: str | None
    agency: str | None
    xact: int | None  # the transaction that wrote the event


def _moment(value: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second: «2026-03-12T06:00:00Z»."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def appeal_url_template() -> str:
    """The appeal's absolute address in the API (what a receiver GETs with its token for the details), as a
    template for `str.format(appeal_id)`: resolved once per run rather than once per delivery."""
    sentinel = 987654321
    path = reverse("api-appeal-detail", args=[sentinel]).replace("{", "{{").replace("}", "}}")
    return settings.CUR_PUBLIC_URL.rstrip("/").replace("{", "{{").replace("}", "}}") + \
        path.replace(str(sentinel), "{}", 1)


def delivery_body(row: EventRow, *, delivery_id: UUID, created_at: datetime, url_template: str) -> str:
    """The JSON a subscriber receives for one event: compact, keys sorted, UTF-8 — kept as sent, so that every
    retry carries (and signs) the very same bytes. `data.appeal` is the appeal as it is when the event is
    dispatched, seconds after it."""
    body = {
        "id": str(delivery_id),
        "type": TYPE_OF_KIND[row.kind],
        "created_at": _moment(created_at),
        "data": {
            "appeal": {
                "id": row.appeal_id,
                "number": f"{row.appeal_id:07d}",  # Appeal.number
                "status": row.status,
                "kind": row.appeal_kind,
                "channel": row.channel,
                "sector": row.sector,
                "subtopic": row.subtopic,
                "municipality_oktmo": row.municipality_oktmo,
                "agency": row.agency,
                "due_at": _moment(row.due_at),
                "is_overdue": row.is_overdue,
                "url": url_template.format(row.appeal_id),
            },
            "event": {"kind": row.kind, "at": _moment(row.at), "interim": row.kind == Kind.INTERIM_ANSWERED},
        },
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
