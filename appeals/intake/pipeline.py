"""After intake: new and changed items go to the structuring pipeline (sector, subtopic, place, routing,
Problems, the search document) — a Celery chain started once the intake transaction has committed."""

from __future__ import annotations

import logging

from django.conf import settings

from appeals.tasks import appeals_structure_batch

log = logging.getLogger(__name__)


def structure_later(appeal_ids: list[int]) -> None:
    """Hand new and changed items to the structuring pipeline (a Celery task), once committed."""
    if not settings.CUR_INTAKE_STRUCTURE or not appeal_ids:
        return

    try:
        appeals_structure_batch.delay(appeal_ids)
    except Exception:  # the broker down must not undo an intake that is already committed
        log.exception("structuring of %d intake items not queued", len(appeal_ids))
