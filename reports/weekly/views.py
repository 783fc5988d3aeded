"""The weekly analytical notes: the list, one note (its page, the author's text, «утвердить»), its DOCX and PDF —
thin views over reports/weekly/{selectors,services}.py."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cur.permissions import NOTE_EDIT, NOTE_FINAL, Forbidden, rights_of
from cur.scoping import scope_of
from reports.weekly import outline
from reports.weekly.charts import CHARTS
from reports.weekly.render_docx import note_docx
from reports.weekly.render_pdf import note_pdf
from reports.weekly.selectors import centres_visible, notes_visible, own_centre
from reports.weekly.services import NoteRefused, last_week, note_build, note_edit, note_finalise

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _visible_or_404(request):
    if scope_of(request.user).nothing:
        raise Http404
    return notes_visible(request.user)


@login_required
def index(request):
    notes = _visible_or_404(request)
    centres = centres_visible(request.user)
    if not centres:
        raise Http404
    chosen = request.GET.get("centre")
    if chosen and chosen.isdigit():
        notes = notes.filter(centre_id=int(chosen))
    mine = own_centre(request.user)
    return render(request, "reports/notes.html", {
        "notes": notes.order_by("-week", "centre__level", "centre__name")[:100], "centres": centres,
        "chosen": chosen, "last_week": last_week(timezone.localdate()), "own": mine,
        "can_build": NOTE_EDIT in rights_of(request.user),
    })


@require_POST
@login_required
def build(request):
    centres = {str(c.pk): c for c in centres_visible(request.user)}
    centre = centres.get(request.POST.get("centre", ""))
    try:
        week = date.fromisoformat(request.POST.get("week", ""))
    except ValueError:
        week = None
    if centre is None or week is None:
        messages.error(request, "Выберите центр и неделю.")
        return redirect("reports:notes")
    try:
        note = note_build(centre=centre, week=week, by=request.user)
    except (NoteRefused, Forbidden) as refused:
        messages.error(request, str(refused))
        existing = notes_visible(request.user).filter(centre=centre, week=week).first()
        return redirect(existing.get_absolute_url() if existing else reverse("reports:notes"))
    messages.success(request, "Показатели записки собраны.")
    return redirect(note.get_absolute_url())


@login_required
def detail(request, pk: int):
    note = get_object_or_404(_visible_or_404(request), pk=pk)
    rights = rights_of(request.user)
    own = own_centre(request.user)
    may_write = not note.is_final and (request.user.is_superuser or (own is not None and own.pk == note.centre_id))
    return render(request, "reports/note.html", {
        "note": note, "f": note.figures, "sections": dict(outline.SECTIONS), "heading": outline.heading(note),
        "key_rows": outline.key_rows(note.figures), "channel_rows": outline.channel_rows(note.figures),
        "quality_rows": outline.quality_rows(note.figures),
        "can_edit": may_write and NOTE_EDIT in rights, "can_finalise": may_write and NOTE_FINAL in rights,
        "can_rebuild": not note.is_final and NOTE_EDIT in rights,
    })


@login_required
def chart(request, pk: int, name: str):
    note = get_object_or_404(_visible_or_404(request), pk=pk)
    if name not in CHARTS:
        raise Http404
    response = HttpResponse(CHARTS[name](note.figures), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _act(request, pk: int, action, done: str):
    note = get_object_or_404(_visible_or_404(request), pk=pk)
    version = request.POST.get("version")
    try:
        action(note, int(version) if version and version.isdigit() else None)
    except (NoteRefused, Forbidden) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(note.get_absolute_url())


@require_POST
@login_required
def edit(request, pk: int):
    return _act(request, pk, lambda note, version: note_edit(
        note=note, by=request.user, summary=request.POST.get("summary", ""),
        proposals=request.POST.get("proposals", ""), expected_version=version), "Текст записки сохранён.")


@require_POST
@login_required
def finalise(request, pk: int):
    return _act(request, pk, lambda note, version: note_finalise(note=note, by=request.user, expected_version=version),
                "Записка утверждена: её показатели и текст больше не меняются.")


@require_POST
@login_required
def rebuild(request, pk: int):
    return _act(request, pk, lambda note, _: note_build(centre=note.centre, week=note.week, by=request.user),
                "Показатели записки пересобраны.")


def _filename(note, extension: str) -> str:
    return f"zapiska_{note.centre.pk}_{note.week:%Y-%m-%d}.{extension}"


@login_required
def download(request, pk: int, kind: str):
    note = get_object_or_404(_visible_or_404(request), pk=pk)
    if kind == "docx":
        body, content_type = note_docx(note), DOCX
    elif kind == "pdf":
        body, content_type = note_pdf(note), "application/pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(note, kind)}"'
    return response
