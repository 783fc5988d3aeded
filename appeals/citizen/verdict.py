"""The citizen's verdict given through the link: «удовлетворён» or «не удовлетворён», the latter
reopening the appeal for repeat consideration (appeals/lifecycle/transitions.py appeal_rate)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from appeals.citizen.links import VerdictChoiceInvalid, verdict_check
from appeals.lifecycle import transitions
from appeals.models import Appeal, Satisfaction


@transaction.atomic
def verdict_give(*, token: str, satisfaction: str, at: datetime | None = None) -> Appeal:
    """Take the citizen's verdict from the link. The appeal stays locked from the check to the rating,
    so two clicks at once give one verdict; «not satisfied» reopens the appeal (transitions.appeal_rate)."""
    appeal = verdict_check(token, lock=True)
    if satisfaction not in Satisfaction.values:
        raise VerdictChoiceInvalid(appeal)
    return transitions.appeal_rate(appeal=appeal, satisfaction=satisfaction, by=None, at=at)
