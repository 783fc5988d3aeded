"""Writes of attachments: files put on an appeal or an answer from the card, and files fetched from
the sources (ПОС, ИМ, import) after their items were taken in.

Every file is checked by content first (validation.py); then, in one transaction with the appeal row
locked, the caller's right is checked on the row as it is now, the files are stored on the default storage
under random names (attachment_path) with their thumbnails, and one AppealEvent tells the timeline."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import unquote, urlsplit

import httpx
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from appeals.attachments.validation import (
    AttachmentRefused,
    CheckedFile,
    check_files,
    clean_name,
    size_label,
    thumbnail_file,
)
from appeals.models import Answer, Appeal, AppealEvent, Attachment
from cur.permissions import may, require

log = logging.getLogger(__name__)

Source = Attachment.Source
EVENT_NAMES_LIMIT = 2000
MAX_REDIRECTS = 3
# The feed each source's files come from (settings.CUR_SOURCES): its host is trusted, its token sent.
FEEDS = {Source.POS: "pos", Source.IM: "incident"}


def _require_attach(by, appeal: Appeal, answer: Answer | None) -> None:
    """Files of an answer are its author's (the answer's right); files of the appeal itself are put
    by the centre that works the card (the right to correct it) or by the body that answers it."""
    if answer is not None:
        require(by, "answer_interim" if answer.is_interim else "answer_final", appeal=appeal)
        return
    right = "correct" if may(by, "correct") else "answer_final"
    require(by, right, appeal=appeal,
            message="Прикладывать файлы могут операторы ЦУР и МЦУ и исполнитель обращения.")


@transaction.atomic
def attachments_add(*, appeal: Appeal, files: Sequence, by, answer: Answer | None = None,
                    source: str = Source.CARD, source_url: str = "", at: datetime | None = None) -> list[Attachment]:
    """Keep `files` (uploads, ContentFiles or CheckedFiles) on `appeal`, or on its `answer`.

    Raises AttachmentRefused (a file's type, size, the count) or cur.permissions.Forbidden, and then
    nothing is kept. A file of a source already held under the same `source_url` is not kept twice:
    the result is then empty."""
    at = at or timezone.now()
    checked = check_files(files)  # before the lock: reading 200 MB must not hold the appeal's row
    if not checked:
        raise AttachmentRefused("Выберите файлы.")
    fresh = Appeal.objects.locked().only(
        "pk", "region_id", "municipality_id", "sector_id", "agency_id").get(pk=appeal.pk)
    _require_attach(by, fresh, answer)
    if answer is not None and answer.appeal_id != fresh.pk:
        raise AttachmentRefused("Ответ относится к другому обращению.")
    if source_url and Attachment.objects.filter(appeal_id=fresh.pk, source_url=source_url).exists():
        return []
    stored: list[Attachment] = []
    try:
        for item in checked:
            stored.append(_store(item, appeal=fresh, answer=answer, by=by, source=source, source_url=source_url,
                                 at=at))
    except Exception:
        _forget(stored)  # the transaction rolls back; the files it wrote must not stay orphaned
        raise
    names = ", ".join(f"{a.original_name} ({size_label(a.size)})" for a in stored)
    where = "к ответу" if answer is not None else Source(source).label
    AppealEvent.objects.create(
        appeal_id=fresh.pk, region_id=fresh.region_id, at=at, actor=by,
        agency_id=answer.agency_id if answer is not None else None, kind=AppealEvent.Kind.ATTACHED,
        new_value=str(len(stored)),
        reason=f"{len(stored)} {_files_word(len(stored))} {where}: {names}"[:EVENT_NAMES_LIMIT],
    )
    return stored


def _store(item: CheckedFile, *, appeal: Appeal, answer: Answer | None, by, source: str, source_url: str,
           at: datetime) -> Attachment:
    attachment = Attachment(
        appeal_id=appeal.pk, answer=answer, region_id=appeal.region_id, original_name=item.name,
        content_type=item.type.content_type, size=item.size, sha256=item.sha256, source=source,
        source_url=source_url[:500], uploaded_by=by if by is not None and by.is_authenticated else None,
        created_at=at,
    )
    item.content.seek(0)
    attachment.file.save(f"file{item.type.suffix}", item.content, save=False)
    thumbnail = thumbnail_file(item)
    if thumbnail is not None:
        attachment.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
    attachment.save()
    return attachment


def _forget(stored: list[Attachment]) -> None:
    for attachment in stored:
        for field in (attachment.file, attachment.thumbnail):
            if field:
                try:
                    field.storage.delete(field.name)
                except OSError:
                    log.warning("attachment file %s not removed after a rollback", field.name)


def _files_word(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "файл"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "файла"
    return "файлов"


# Files named by the sources ------------------------------------------------------------------------


class FetchFailed(Exception):
    """A file of a source that could not be fetched; the message is the reason the timeline shows."""


def attachments_fetch_batch(*, batch: Sequence) -> dict:
    """attachments_fetch for each [appeal id, source, links] of an intake batch; the counts summed."""
    totals = {"kept": 0, "skipped": 0, "failed": 0}
    for appeal_id, source, links in batch:
        for name, count in attachments_fetch(appeal_id=appeal_id, links=links, source=source).items():
            totals[name] += count
    return totals


def attachments_fetch(*, appeal_id: int, links: Sequence[dict], source: str) -> dict:
    """Fetch the files an item of a source names (`links`: [{"url", "name"}]) and keep them on the appeal
    with the same checks as an upload. A file already held (the same source_url) is skipped; a file that
    cannot be fetched or is refused is recorded in the appeal's timeline (ATTACHMENT_FAILED) and the
    others go on — nothing here undoes the item that was taken in. Returns the counts."""
    result = {"kept": 0, "skipped": 0, "failed": 0}
    appeal = Appeal.objects.filter(pk=appeal_id).only("pk", "region_id").first()
    if appeal is None:
        return result
    urls = [str(link.get("url") or "") for link in links]
    held = set(Attachment.objects.filter(appeal_id=appeal_id, source_url__in=urls).values_list("source_url", flat=True))
    with httpx.Client(timeout=settings.CUR_ATTACHMENT_FETCH_TIMEOUT, follow_redirects=False) as client:
        for link, url in zip(links, urls, strict=True):
            if url in held:
                result["skipped"] += 1
                continue
            name = clean_name(link.get("name") or unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
            try:
                content = _download(client, url, name=name, source=source)
                kept = attachments_add(appeal=appeal, files=[content], by=None, source=source, source_url=url)
            except (FetchFailed, AttachmentRefused) as error:
                reason = " ".join(error.messages) if isinstance(error, AttachmentRefused) else str(error)
                _fetch_failed(appeal, url=url, reason=reason)
                result["failed"] += 1
                continue
            result["kept" if kept else "skipped"] += 1
    return result


def _fetch_failed(appeal: Appeal, *, url: str, reason: str) -> None:
    log.warning("attachment %s of appeal %s not kept: %s", url, appeal.pk, reason)
    AppealEvent.objects.create(appeal_id=appeal.pk, region_id=appeal.region_id, at=timezone.now(),
                               kind=AppealEvent.Kind.ATTACHMENT_FAILED, new_value=url[:500], reason=reason)


def _trusted(url: str, source: str) -> tuple[bool, str]:
    """(may the file be fetched from this address, the token to send there). The addresses come from
    the sources' payloads: only the source's own host and the hosts named in CUR_ATTACHMENT_HOSTS are
    asked — never whatever a payload points at (the platform's own network, say)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False, ""
    host = parts.hostname.lower()
    feed = settings.CUR_SOURCES.get(FEEDS.get(source, ""), {})
    feed_host = (urlsplit(feed.get("url") or "").hostname or "").lower()
    if feed_host and host == feed_host:
        return True, feed.get("token") or ""
    return host in settings.CUR_ATTACHMENT_HOSTS, ""


def _download(client: httpx.Client, url: str, *, name: str, source: str) -> ContentFile:
    """The file's bytes, read no further than the size limit; redirects followed to trusted hosts only."""
    max_bytes = settings.CUR_ATTACHMENT_MAX_BYTES
    for _ in range(MAX_REDIRECTS + 1):
        trusted, token = _trusted(url, source)
        if not trusted:
            raise FetchFailed(f"{name}: адрес {url[:200]} не относится к источнику — файл не запрошен")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.is_redirect and response.headers.get("Location"):
                    url = str(response.url.join(response.headers["Location"]))
                    continue
                if response.status_code != 200:
                    raise FetchFailed(f"{name}: источник ответил {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchFailed(f"{name}: {size_label(int(declared))} — больше допустимых "
                                      f"{size_label(max_bytes)}")
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise FetchFailed(f"{name}: больше допустимых {size_label(max_bytes)}")
                return ContentFile(bytes(data), name=name)
        except httpx.HTTPError as error:
            raise FetchFailed(f"{name}: источник недоступен ({type(error).__name__})") from None
    raise FetchFailed(f"{name}: слишком много перенаправлений")
