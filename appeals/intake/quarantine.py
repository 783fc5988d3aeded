"""The quarantine: an operator fixes a broken incoming item and resubmits it, or discards it.

Both are services on one item, claimed by a conditional update of its state, so two operators (or a
double click) never take the same item in twice.
"""

from __future__ import annotations

import json
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appeals.intake.items import Invalid, Territory
from appeals.intake.registry import source_get
from appeals.intake.upsert import appeals_upsert
from appeals.models import Appeal, QuarantinedItem
from cur.permissions import INTAKE, Forbidden, intake_scope, require
from cur.scoping import IntakeScope, OutsideTerritory, scope_intake

State = QuarantinedItem.State


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
    _require_own(locked, by)
    if locked.state != State.PENDING:
        raise ValidationError("Запись уже обработана.")
    within = _scope(locked, by)
    try:
        raw = json.loads(payload)
    except ValueError as error:
        raise Invalid(f"исходные данные — не JSON: {error}") from error
    territory = Territory.of(locked.region)
    # The item keeps its own territory: the fix may correct a record, not move it to another municipality.
    place = replace(within, municipality_id=locked.municipality_id or within.municipality_id)
    source = source_get(locked.source)  # the adapter that read it first reads it again
    if source.scoped_parse:
        if isinstance(raw, dict):
            raw = {k: v for k, v in raw.items() if not k.startswith("_")}
        intake = source.parse(raw, territory, within=place)
    else:
        intake = source.parse(raw, territory)
        if locked.external_id and intake.external_id != locked.external_id:
            # a source's numbers are its own: a fix that renamed the record could take another's place
            raise Invalid(f"id: номер записи источника менять нельзя — у этой записи «{locked.external_id}»")
        try:
            municipality_id = place.impose(intake.municipality_id)
        except OutsideTerritory as error:
            raise Invalid("territory.oktmo: МО вне территории этой записи") from error
        if municipality_id != intake.municipality_id:
            intake = replace(intake, municipality_id=municipality_id, settlement_id=None)
    written = appeals_upsert(region=locked.region, items=[intake], by=by, within=within,
                             source_label="Исправлено в карантине")
    key = (intake.channel, intake.external_id)
    if key in written.refused or key not in written.ids:
        raise Invalid(written.refused.get(key, "запись не принята: повторите"))
    appeal_id = written.ids[key]
    QuarantinedItem.objects.filter(pk=locked.pk).update(
        state=State.RESUBMITTED, payload=payload, resolved_at=timezone.now(), resolved_by=by, appeal_id=appeal_id,
        resolution="принято как новое" if written.created else "обновило известное обращение",
    )
    return Appeal.objects.get(pk=appeal_id)


def _require_own(item: QuarantinedItem, by) -> None:
    """Only a centre's operators handle the quarantine, and only their own territory's items."""
    require(by, INTAKE, message="Карантин разбирают операторы ЦУР и МЦУ.")
    if not scope_intake(QuarantinedItem.objects.filter(pk=item.pk), by).exists():
        raise Forbidden("Запись вне вашей зоны ответственности.")


def _scope(item: QuarantinedItem, by) -> IntakeScope:
    """The resubmitter's scope, writing the item's own channel: a ПОС or ИМ record stays in its
    channel (validated by its adapter), a file row in the person channels."""
    within = intake_scope(by)
    if item.source == QuarantinedItem.Source.FILE:
        return within
    return replace(within, channels=frozenset({item.source}))


@transaction.atomic
def quarantine_discard(*, item: QuarantinedItem, by, reason: str) -> None:
    """Discard an item that is not an appeal (spam, a test record, a duplicate); the reason is kept."""
    _require_own(item, by)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("Укажите, почему запись отклонена.")
    claimed = QuarantinedItem.objects.filter(pk=item.pk, state=State.PENDING).update(
        state=State.DISCARDED, resolved_at=timezone.now(), resolved_by=by, resolution=reason[:2000],
    )
    if claimed != 1:
        raise ValidationError("Запись уже обработана.")
