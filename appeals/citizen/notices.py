"""Notices to the citizen: what 59-ФЗ obliges us to tell them, and the way it reaches them.

The lifecycle services write a Notice in their own transaction (`notice_create`); the beat job
`send-citizen-notices` sends the pending e-mails and hands the letters to print
(`notices_send_pending`). Notices of ПОС messages and incidents go back through the platform they
came from: the source adapters deliver those, so the sender here leaves them alone.

The texts are templates: `templates/appeals/citizen/notices/<kind>_subject.txt` and `<kind>.txt`. They carry
nothing about the citizen beyond what the citizen wrote to us (their name for the greeting).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from appeals.citizen import links
from appeals.models import Appeal, Kind, Notice
from cur.scoping import SOURCE_CHANNELS  # their answers go back through the source

log = logging.getLogger(__name__)
NoticeKind, Via, State = Notice.Kind, Notice.Via, Notice.State
# Registration is confirmed to the citizen only for 59-ФЗ appeals; ПОС and incidents confirm it themselves.
ONLY_59FZ = frozenset({NoticeKind.REGISTERED})
# Items from these platforms are answered where they were posted.
SENDABLE = (Via.EMAIL, Via.POST)
MAX_ATTEMPTS = 5


def notice_route(appeal: Appeal) -> tuple[str, str] | None:
    """(via, recipient) of a notice to the appeal's citizen: e-mail when they gave an address, back
    through the source platform for ПОС messages and incidents, otherwise a letter to their postal
    address; None when there is nowhere to write (an anonymous appeal)."""
    email, address = appeal.citizen_email.strip(), appeal.citizen_address.strip()
    if email:
        return Via.EMAIL, email
    if appeal.channel in SOURCE_CHANNELS:
        return Via.SOURCE, ""
    if address:
        return Via.POST, ", ".join(filter(None, [appeal.citizen_name.strip(), address]))
    return None


def notice_render(*, appeal: Appeal, kind: str, at: datetime, **context) -> tuple[str, str]:
    """(subject, text) of the notice of `kind`, dates in the region's time zone."""
    zone = ZoneInfo(appeal.region.timezone)

    def day(moment: datetime | None) -> str:
        return f"{timezone.localtime(moment, zone):%d.%m.%Y}" if moment else ""

    values = {
        "number": appeal.number, "received": day(appeal.received_at), "at": day(at), "due": day(appeal.due_at),
        "name": appeal.citizen_name.strip(), "region": appeal.region.name, "is_59fz": appeal.kind == Kind.APPEAL,
        **context,
    }
    if kind == Notice.Kind.ANSWERED:
        values["link"] = links.verdict_url(appeal)
    subject = " ".join(render_to_string(f"appeals/citizen/notices/{kind}_subject.txt", values).split())
    text = render_to_string(f"appeals/citizen/notices/{kind}.txt", values)
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip() + "\n"
    return subject, text


def notice_create(*, appeal: Appeal, kind: str, at: datetime, **context) -> Notice | None:
    """Write the notice of `kind` to the appeal's citizen, pending until the beat job sends it; None when
    the citizen left nothing to write to or is not owed this notice (registration: 59-ФЗ appeals only).
    Called by the lifecycle services inside their transaction.

    `context` is what the kind's text needs: forwarded — `agency`; extended — `reason`; clarification —
    `question`; left_without_answer — `explanation` (the ст. 11 notice text); answered — `answer`.
    """
    route = notice_route(appeal)
    if route is None or (kind in ONLY_59FZ and appeal.kind != Kind.APPEAL):
        return None
    via, recipient = route
    subject, text = notice_render(appeal=appeal, kind=kind, at=at, **context)
    return Notice.objects.create(
        appeal=appeal, region_id=appeal.region_id, kind=kind, via=via, recipient=recipient[:300],
        subject=subject[:300], text=text, created_at=at,
    )


def notices_send_pending(*, limit: int = 200) -> dict[str, int]:
    """Send pending e-mail notices and hand pending letters to print, oldest first, at most `limit`.

    Each notice is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and marked in the same transaction,
    so a concurrent or a retried run never takes it again. A failed e-mail stays pending for the next
    run and is given up (FAILED) after 5 attempts. Notices through the source platform are not ours to
    send. Returns the counts: sent, printed, retry, failed.
    """
    counts = {"sent": 0, "printed": 0, "retry": 0, "failed": 0}
    tried: list[int] = []
    for _ in range(limit):
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(skip_locked=True)
                .filter(state=State.PENDING, via__in=SENDABLE).exclude(pk__in=tried)
                .order_by("created_at", "pk").first()
            )
            if notice is None:
                break
            tried.append(notice.pk)
            counts[_deliver(notice)] += 1
    return counts


def _deliver(notice: Notice) -> str:
    notice.attempts += 1
    if notice.via == Via.POST:
        # A letter: it goes to print with the day's outgoing mail; the printing is a person's job.
        notice.state, notice.sent_at, outcome = State.PRINTED, timezone.now(), "printed"
    else:
        try:
            EmailMessage(subject=notice.subject, body=notice.text, to=[notice.recipient]).send()
        except Exception as error:  # whatever the mail server or the address does, try again later
            notice.error = f"{type(error).__name__}: {error}"[:2000]
            gave_up = notice.attempts >= MAX_ATTEMPTS
            notice.state, outcome = (State.FAILED, "failed") if gave_up else (State.PENDING, "retry")
            log.warning("Notice %s (appeal %s) not sent, attempt %s: %s", notice.pk, notice.appeal_id,
                        notice.attempts, type(error).__name__)
        else:
            notice.state, notice.sent_at, notice.error, outcome = State.SENT, timezone.now(), "", "sent"
    notice.save(update_fields=["state", "attempts", "error", "sent_at"])
    return outcome
