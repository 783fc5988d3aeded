"""What a feed says back about our answers (docs/integrations.md «Ответы в источник»): the item's state at the
source and the citizen's rating of the answer we sent there.

Applied by `appeals_upsert` inside the batch's own transaction — the one that also moves the source's cursor — so a
rating is never lost (a batch that rolls back is read again with it) and never applied twice: each reply keeps the
moment of the last rating it was given (`SourceReply.rated_at`), and a rating not newer than that is left alone.
Only items the batch actually wrote (new, or a newer version) are looked at: a duplicate or an older version of an
item says nothing new. One query finds the replies of all such items of a batch; the rare rated item then costs a
few more (the rating itself, through the same service as the verdict link).

A rating is applied through `transitions.appeal_rate` (by=None, as the citizen's link: «не удовлетворён» reopens
the appeal with a fresh deadline) under the verdict link's rule — one verdict per closing, on the answer that
closed it. Any other rating (the appeal not closed, already rated since its closing, a rating of an earlier or
an interim answer) is kept on the reply with the reason and an event «Оценка из источника не учтена» on the
appeal; it never raises into the poll.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from appeals.intake.items import IntakeItem, SourceRating
from appeals.lifecycle import transitions
from appeals.models import Answer, Appeal, AppealEvent, Satisfaction, SourceReply, Status

EVENT_FIELD = "source_status"


def source_feedback_apply(*, written: Iterable[tuple[int, IntakeItem]], source_label: str = "",
                          now: datetime | None = None) -> dict[str, int]:
    """Apply the statuses and ratings of the items just written — (appeal id, item) each — to the replies we sent
    for them and to their appeals. Returns the counts: statuses (changed), rated (applied), not_applied."""
    counts = {"statuses": 0, "rated": 0, "not_applied": 0}
    items = {appeal_id: item for appeal_id, item in written if item.source_status or item.rating is not None}
    if not items:
        return counts
    now = now or timezone.now()
    replies: dict[int, list[SourceReply]] = defaultdict(list)
    for reply in (SourceReply.objects.filter(appeal_id__in=list(items)).select_related("answer")
                  .order_by("appeal_id", "created_at", "pk")):
        replies[reply.appeal_id].append(reply)
    changed, events = [], []
    for appeal_id, item in items.items():
        held = replies.get(appeal_id)
        if not held:  # an item we never answered: its state at the source is not ours to follow
            continue
        latest = held[-1]
        if item.source_status and item.source_status != latest.remote_status:
            events.append(AppealEvent(
                appeal_id=appeal_id, region_id=latest.region_id, at=now, kind=AppealEvent.Kind.SOURCE_UPDATED,
                field=EVENT_FIELD, old_value=latest.remote_status, new_value=item.source_status,
                reason=f"{source_label or 'Источник'}: состояние в источнике"))
            latest.remote_status = item.source_status
            changed.append(latest)
        if item.rating is not None:
            outcome = _rating_apply(appeal_id, held, item.rating, now=now)
            if outcome:
                counts[outcome] += 1
    if changed:
        SourceReply.objects.bulk_update(changed, ["remote_status"])
        AppealEvent.objects.bulk_create(events)
        counts["statuses"] = len(changed)
    return counts


def _rated_reply(held: list[SourceReply], rating: SourceRating) -> SourceReply | None:
    """The reply the rating is about: the one with the answer id it names, else the item's last final answer."""
    if rating.answer_id:
        return next((reply for reply in held if reply.key == rating.answer_id), None)
    return next((reply for reply in reversed(held) if not reply.answer.is_interim), None)


def _rating_apply(appeal_id: int, held: list[SourceReply], rating: SourceRating, *, now: datetime) -> str:
    """'rated', 'not_applied', or '' when the rating is not news (or names an answer that is not this item's)."""
    reply = _rated_reply(held, rating)
    if reply is None or (reply.rated_at is not None and rating.at <= reply.rated_at):
        return ""
    appeal = Appeal.objects.locked().get(pk=appeal_id)
    reason = _refusal(appeal, reply)
    if not reason:
        try:
            transitions.appeal_rate(appeal=appeal, satisfaction=rating.value, by=None, at=now)
        except transitions.TransitionRefused as refused:
            reason = " ".join(refused.messages)
    SourceReply.objects.filter(pk=reply.pk).update(rating=rating.value, rated_at=rating.at, rating_note=reason)
    reply.rating, reply.rated_at, reply.rating_note = rating.value, rating.at, reason
    if not reason:
        return "rated"
    AppealEvent.objects.create(
        appeal_id=appeal_id, region_id=appeal.region_id, at=now, kind=AppealEvent.Kind.RATING_NOT_APPLIED,
        field="satisfaction", new_value=rating.value,
        reason=f"Оценка «{Satisfaction(rating.value).label}» от {timezone.localtime(rating.at):%d.%m.%Y %H:%M}: "
               f"{reason}")
    return "not_applied"


def _refusal(appeal: Appeal, reply: SourceReply) -> str:
    """Why the rating of `reply` cannot be the verdict on the appeal's current closing; empty when it can."""
    if reply.answer.is_interim:
        return "оценивается окончательный ответ, а не промежуточный."
    if appeal.status != Status.CLOSED or appeal.closed_at is None:
        return f"обращение в статусе «{appeal.get_status_display()}» — оценка принимается по закрытому обращению."
    closing = (appeal.answers.filter(is_interim=False, review=Answer.Review.ACCEPTED)
               .order_by("-created_at", "-pk").values_list("pk", flat=True).first())
    if closing != reply.answer_id:
        return "оценка относится к прежнему ответу, обращение закрыто другим."
    if appeal.events.filter(kind__in=[AppealEvent.Kind.RATED, AppealEvent.Kind.REOPENED],
                            at__gte=appeal.closed_at).exists():
        return "гражданин уже оценил этот ответ."
    return ""
