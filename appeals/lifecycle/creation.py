"""The arrival of one appeal: validated, its clock (registration or first response) set, its CREATED event written.

Intake of whole batches is appeals/intake/upsert.py; the status machine is appeals/lifecycle/transitions.py.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from appeals.lifecycle import deadlines
from appeals.models import Appeal, AppealEvent, Status


@transaction.atomic
def appeal_create(*, region, kind: str, channel: str, text: str, received_at: datetime, by=None,
                  **fields) -> Appeal:
    """Register the arrival of one item (any channel) with its CREATED event.

    `fields` are Appeal's own fields (title, citizen_*, sector, subtopic, municipality, settlement,
    address, agency, due_at, external_id …); they are validated before anything is written.
    """
    appeal = Appeal(region=region, kind=kind, channel=channel, text=text, received_at=received_at, **fields)
    appeal.full_clean()
    if appeal.status == Status.NEW and appeal.due_at is None:
        deadlines.arrival_deadline_set(appeal)  # its clock runs from the moment it arrives
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal, region=region, at=received_at, actor=by, agency=appeal.agency,
        kind=AppealEvent.Kind.CREATED, new_value=appeal.status,
    )
    return appeal
