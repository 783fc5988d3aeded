"""Bulk actions of the operator queue: one lifecycle action over many selected appeals.

Each appeal is fetched through the scoping layer and acted on in a transaction of its own, so a
refusal (a wrong status, a complaint against the chosen body) neither undoes nor stops the others; the
user gets every refusal with its reason. Each row carries the version it had when the operator saw the
queue: a row changed since (a card action of someone else) is left as it is and reported apart, so a bulk
action never silently overwrites what another person just did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from appeals.lifecycle import transitions
from appeals.workspace import selectors
from cur.models import Agency
from cur.permissions import bulk_actions
from cur.scoping import scope_agencies

MAX_BULK_IDS = 200


@dataclass
class BulkResult:
    """What one bulk action did: numbers of the appeals done, (number, reason) of the refused ones,
    and how many ids were not found — outside the user's scope or gone; those are not named."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # changed by someone since the operator saw them
    not_found: int = 0

    @property
    def summary(self) -> str:
        text = f"Выполнено: {len(self.done)}; отказано: {len(self.refused)}"
        if self.changed:
            text += f"; изменены с тех пор: {len(self.changed)}"
        return text + (f"; не найдено: {self.not_found}" if self.not_found else "")

    @property
    def complete(self) -> bool:
        return not self.refused and not self.changed and not self.not_found


def appeals_bulk_act(*, user, seen: dict[int, int], action: str, data: dict) -> BulkResult:
    """Run `action` (one of permissions.BULK_ACTIONS the user's role allows) on each appeal of `seen`
    (id → the version the user saw) that the user may see, each through transitions.appeal_act in its own
    transaction and only if it still has that version (else it goes to `changed`). `data` is the
    action's data without a version. Raises PermissionDenied for an action the role does not have,
    ValidationError for more than MAX_BULK_IDS ids or a body outside the user's territory."""
    if action not in bulk_actions(user):
        raise PermissionDenied("Это массовое действие недоступно для вашей роли.")
    ids = list(seen)
    if len(ids) > MAX_BULK_IDS:
        raise ValidationError(f"За один раз — не больше {MAX_BULK_IDS} обращений; отмечено {len(ids)}.")
    if action == "assign":
        agency = data.get("agency")
        if agency is None or not scope_agencies(Agency.objects.filter(pk=agency.pk, is_active=True), user).exists():
            raise ValidationError("Выберите исполнителя из вашей зоны ответственности.")
    found = selectors.appeals_by_ids(user=user, ids=ids)
    result = BulkResult()
    for pk in ids:
        appeal = found.get(pk)
        if appeal is None:
            result.not_found += 1
            continue
        try:
            with transaction.atomic():
                transitions.appeal_act(action=action, appeal=appeal, by=user, data={**data, "version": seen[pk]})
        except transitions.StaleVersion:
            result.changed.append(appeal.number)
        except transitions.TransitionRefused as refused:
            result.refused.append((appeal.number, " ".join(refused.messages)))
        else:
            result.done.append(appeal.number)
    return result
