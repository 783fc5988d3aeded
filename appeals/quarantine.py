"""The quarantine: an operator fixes a broken incoming item and resubmits it, or discards it.

Both are services on one item, claimed by a conditional update of its state, so two operators (or a
double click) never take the same item in twice.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appeals.intake import appeals_upsert
from appeals.models import Appeal, QuarantinedItem
from appeals.sources.common import Invalid, Territory

State = QuarantinedItem.State


def _parser(source: str):
    from appeals.sources.files import parse_file_row
    from appeals.sources.im import parse_im_incident
    from appeals.sources.pos import parse_pos_item

    return {
        QuarantinedItem.Source.POS: parse_pos_item,
        QuarantinedItem.Source.INCIDENT: parse_im_incident,
        QuarantinedItem.Source.FILE: parse_file_row,
    }[source]


def _municipality_of(user) -> int | None:
    from cur.scoping import scope_of

    return scope_of(user).municipality_id


def quarantine_resubmit(*, item: QuarantinedItem, payload: str, by) -> Appeal:
    """Validate the operator's corrected raw data as the source's adapter would and take it in.

    Still invalid: the corrected data and the new reason are kept on the item (it stays in the
    quarantine) and ValidationError says why. Valid: the item is written through the same upsert
    as every intake (an item already known is updated, not doubled) and marked resubmitted.
    """
    try:
        return _resubmit(item, payload, by)
    except Invalid as error:
        QuarantinedItem.objects.filter(pk=item.pk, state=State.PENDING).update(payload=payload, reason=str(error))
        raise ValidationError(f"Запись всё ещё не принимается: {error}") from error


@transaction.atomic
def _resubmit(item: QuarantinedItem, payload: str, by) -> Appeal:
    locked = QuarantinedItem.objects.select_for_update().select_related("region").get(pk=item.pk)
    if locked.state != State.PENDING:
        raise ValidationError("Запись уже обработана.")
    try:
        raw = json.loads(payload)
    except ValueError as error:
        raise Invalid(f"исходные данные — не JSON: {error}") from error
    territory = Territory.of(locked.region)
    if locked.source == QuarantinedItem.Source.FILE:
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if not k.startswith("_")}
        intake = _parser(locked.source)(raw, territory, municipality_id=_municipality_of(by))
    else:
        intake = _parser(locked.source)(raw, territory)
    written = appeals_upsert(region=locked.region, items=[intake], by=by, source_label="Исправлено в карантине")
    appeal_id = written.ids[(intake.channel, intake.external_id)]
    QuarantinedItem.objects.filter(pk=locked.pk).update(
        state=State.RESUBMITTED, payload=payload, resolved_at=timezone.now(), resolved_by=by, appeal_id=appeal_id,
        resolution="принято как новое" if written.created else "обновило известное обращение",
    )
    return Appeal.objects.get(pk=appeal_id)


@transaction.atomic
def quarantine_discard(*, item: QuarantinedItem, by, reason: str) -> None:
    """Discard an item that is not an appeal (spam, a test record, a duplicate); the reason is kept."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Укажите, почему запись отклонена.")
    claimed = QuarantinedItem.objects.filter(pk=item.pk, state=State.PENDING).update(
        state=State.DISCARDED, resolved_at=timezone.now(), resolved_by=by, resolution=reason[:2000],
    )
    if claimed != 1:
        raise ValidationError("Запись уже обработана.")
