"""The card's files: the upload (several at once, with a progress bar in static/js/upload.js) and the
download and thumbnail of one file — each through the scope of appeals, so another territory's file is
404 like its appeal. Files are streamed from the storage, never linked from a public URL."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from appeals.attachments import selectors, services
from appeals.attachments.validation import ACCEPT, PDF, AttachmentRefused, download_name, limits, size_label
from appeals.workspace.selectors import appeal_get
from cur.permissions import Forbidden, may

INLINE_TYPES = {PDF.content_type}  # besides images: what a browser shows itself without running it


def may_attach(user) -> bool:
    """Whether the card offers the upload (the service decides, on the row; see services._require_attach)."""
    return may(user, "correct") or may(user, "answer_final")


def panel_context(*, appeal, user, error: str = "") -> dict:
    max_bytes, max_count = limits()
    return {"appeal": appeal, "attachments": selectors.card_files(appeal=appeal, user=user),
            "can_attach": may_attach(user), "attach_error": error, "attach_accept": ACCEPT,
            "attach_limits": f"до {max_count} файлов за раз, каждый до {size_label(max_bytes)}"}


@login_required
@require_POST
def attachments_upload(request, pk: int):
    """Files put on the appeal from the card. The script's request gets the panel back (400 with the
    reason when refused); a browser without the script gets the card with a message."""
    appeal = appeal_get(user=request.user, pk=pk)
    if not may_attach(request.user):
        raise PermissionDenied("Прикладывать файлы могут операторы ЦУР и МЦУ и исполнитель обращения.")
    scripted = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    error, status = "", 200
    try:
        stored = services.attachments_add(appeal=appeal, files=request.FILES.getlist("files"), by=request.user)
    except (AttachmentRefused, Forbidden) as refused:
        error, status = " ".join(getattr(refused, "messages", None) or [str(refused)]), 400
    if scripted:
        return render(request, "appeals/attachments/_panel.html",
                      panel_context(appeal=appeal, user=request.user, error=error), status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Файлы приложены: {len(stored)}.")
    return redirect(f"{appeal.get_absolute_url()}#attachments")


def _file_response(field, *, name: str, content_type: str, inline: bool) -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("Файл не найден в хранилище.") from None
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"  # a file never changes; it is nobody else's to cache
    return response


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    inline = attachment.is_image or attachment.content_type in INLINE_TYPES
    return _file_response(attachment.file, name=download_name(attachment.name, attachment.content_type),
                          content_type=attachment.content_type, inline=inline)


@login_required
def attachment_thumb(request, pk: int):
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    if not attachment.thumbnail:
        raise Http404("У файла нет миниатюры.")
    return _file_response(attachment.thumbnail, name=f"{attachment.name}.jpg", content_type="image/jpeg",
                          inline=True)
