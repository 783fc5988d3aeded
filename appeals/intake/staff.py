"""Registration of one item by staff: a letter, a call or an e-mail typed into the form."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from appeals.intake.items import Invalid, plausible_moment
from appeals.intake.pipeline import structure_later
from appeals.lifecycle.creation import appeal_create
from appeals.models import Appeal
from cur.permissions import Forbidden, intake_scope
from cur.scoping import OutsideTerritory, scope_appeals
from municipalities.models import Municipality


@transaction.atomic
def appeal_take_in(*, region, by, channel: str, kind: str, text: str, received_at: datetime, **fields) -> Appeal:
    """A letter, a call or an e-mail registered by staff through the form: the same validation as
    every appeal (appeal_create) and every intake (the writer's territory and channels, a plausible
    date), a known incoming number refused rather than doubled, and the new appeal handed to
    structuring once committed. PermissionDenied for who may not take in or for another region;
    ValidationError otherwise."""
    within = intake_scope(by)
    if within.region_id not in (None, region.pk):  # the same guard as appeals_upsert: the writer's region only
        raise Forbidden("Обращение регистрируется только в регионе вашего центра.")
    if not within.writes(channel):
        raise ValidationError(f"Канал «{channel}» принимается только от самого источника, не через форму.")
    try:
        plausible_moment(received_at)
    except Invalid as error:
        raise ValidationError({"received_at": str(error)}) from error
    municipality = fields.get("municipality")
    try:
        municipality_id = within.impose(municipality.pk if municipality else None)
    except OutsideTerritory as error:
        raise ValidationError({"municipality": "Это МО вне территории вашего МЦУ."}) from error
    if municipality_id is not None and municipality is None:
        fields["municipality"] = Municipality.objects.get(pk=municipality_id)
    number = fields.get("external_id")
    known = number and Appeal.objects.filter(region=region, channel=channel, external_id=number).first()
    if known:
        # the constraint would refuse it too; this says which appeal it is — to whom may see that appeal
        if scope_appeals(Appeal.objects.filter(pk=known.pk), by).exists():
            raise ValidationError(
                f"Входящий номер {known.external_id} уже зарегистрирован: обращение № {known.number}.")
        raise ValidationError(_number_taken(number))
    try:
        with transaction.atomic():  # the same number registered at this moment by someone else
            appeal = appeal_create(region=region, kind=kind, channel=channel, text=text, received_at=received_at,
                                   by=by, **{name: value for name, value in fields.items() if value not in (None, "")})
    except IntegrityError as error:
        raise ValidationError(_number_taken(number)) from error
    transaction.on_commit(lambda: structure_later([appeal.pk]))
    return appeal


def _number_taken(number: str) -> str:
    return f"Входящий номер {number} уже занят: укажите другой."
