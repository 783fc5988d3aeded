"""After intake: new and changed items go to the structuring pipeline (sector, subtopic, place, routing,
Problems, the search document) — a Celery chain started once the intake transaction has committed —
and the files they name are fetched (appeals.tasks.fetch_attachments)."""

from __future__ import annotations

import logging

from django.conf import settings

from appeals.tasks import appeals_structure_batch, fetch_attachments

log = logging.getLogger(__name__)


def structure_later(appeal_ids: list[int]) -> None:
    """Hand new and changed items to the structuring pipeline (a Celery task), once committed."""
    if not settings.CUR_INTAKE_STRUCTURE or not appeal_ids:
        return

    try:
        appeals_structure_batch.delay(appeal_ids)
    except Exception:  # the broker down must not undo an intake that is already committed
        log.exception("structuring of %d intake items not queued", len(appeal_ids))


# The attachment's source by the item's channel; an item of a file import is the import's.
ATTACHMENT_SOURCES = {"pos": "pos", "incident": "im"}


def attachments_fetch_later(items: list[tuple[int, str, bool, tuple[dict, ...]]]) -> None:
    """Hand the files named by written items — (appeal id, channel, from a file import, links) — to
    the fetching task, once committed. Files are fetched outside the intake transaction: a slow or
    broken file server never holds a batch of appeals."""
    batch = [[appeal_id, "import" if imported else ATTACHMENT_SOURCES.get(channel, "import"), list(links)]
             for appeal_id, channel, imported, links in items if links]
    if not settings.CUR_INTAKE_ATTACHMENTS or not batch:
        return
    try:
        fetch_attachments.delay(batch)
    except Exception:  # the broker down must not undo an intake that is already committed
        log.exception("files of %d intake items not queued", len(batch))
