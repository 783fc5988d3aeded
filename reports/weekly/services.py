"""Writes of the weekly note: build (or rebuild a draft), edit its text sections, mark it final, and the Monday job
that builds every centre's note for the week just ended. A final note never changes again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cur.models import Centre
from cur.permissions import NOTE_EDIT, NOTE_FINAL, Forbidden, require, require_own_centre
from cur.scoping import scope_centres
from reports.models import WeeklyNote
from reports.weekly.figures import note_figures, week_of
from reports.weekly.words import summary_of


class NoteRefused(Exception):
    """The note cannot be changed this way (it is final, or was changed since it was read); nothing changed."""


def last_week(today: date) -> date:
    """The Monday of the last whole week before `today`."""
    return week_of(today).first - timedelta(weeks=1)


@transaction.atomic
def note_build(*, centre: Centre, week: date, by=None) -> WeeklyNote:
    """The centre's note of the week starting `week` (a Monday) with its figures built afresh from the rollups.
    A draft's summary follows the new figures unless its author has edited it; a final note is refused."""
    require(by, NOTE_EDIT)
    if by is not None and not scope_centres(Centre.objects.filter(pk=centre.pk), by).exists():
        raise Forbidden("Записка центра вне вашей территории.")
    week = week_of(week).first
    note = WeeklyNote.objects.select_for_update().filter(centre=centre, week=week).first()
    if note is not None and note.is_final:
        raise NoteRefused("Записка утверждена: её показатели не пересчитываются.")
    figures = note_figures(centre, week)
    now = timezone.now()
    if note is None:
        return WeeklyNote.objects.create(centre=centre, region=centre.region, week=week, figures=figures,
                                         summary=summary_of(figures), built_at=now)
    note.figures, note.built_at = figures, now
    if note.edited_at is None:
        note.summary = summary_of(figures)
    note.version = F("version") + 1
    note.save(update_fields=["figures", "built_at", "summary", "version"])
    note.refresh_from_db(fields=["version"])
    return note


def _locked(note: WeeklyNote, expected_version: int | None) -> WeeklyNote:
    fresh = WeeklyNote.objects.select_for_update().get(pk=note.pk)
    if fresh.is_final:
        raise NoteRefused("Записка уже утверждена и не меняется.")
    if expected_version is not None and fresh.version != expected_version:
        raise NoteRefused("Записку изменили, пока вы её читали: откройте её заново.")
    return fresh


@transaction.atomic
def note_edit(*, note: WeeklyNote, by, summary: str, proposals: str,
              expected_version: int | None = None) -> WeeklyNote:
    """The author's text of the sections «Главное за неделю» and «Предложения»."""
    require_own_centre(by, NOTE_EDIT, note.centre)
    fresh = _locked(note, expected_version)
    fresh.summary, fresh.proposals = summary.strip(), proposals.strip()
    fresh.edited_at, fresh.edited_by = timezone.now(), by
    fresh.version += 1
    fresh.save(update_fields=["summary", "proposals", "edited_at", "edited_by", "version"])
    return fresh


@transaction.atomic
def note_finalise(*, note: WeeklyNote, by, expected_version: int | None = None) -> WeeklyNote:
    """Утвердить: from now on the note — its figures and its text — stays as it is."""
    require_own_centre(by, NOTE_FINAL, note.centre, message="Утверждает записку руководитель центра.")
    fresh = _locked(note, expected_version)
    fresh.status, fresh.finalised_at, fresh.finalised_by = WeeklyNote.Status.FINAL, timezone.now(), by
    fresh.version += 1
    fresh.save(update_fields=["status", "finalised_at", "finalised_by", "version"])
    return fresh


@dataclass(frozen=True)
class WeekReport:
    week: date
    built: int
    kept_final: int


def notes_build_all(*, week: date) -> WeekReport:
    """Every centre's note of the week (the ЦУР's and each МЦУ's); final ones are kept as they are."""
    built = kept = 0
    for centre in Centre.objects.select_related("region", "municipality").order_by("region", "level", "pk"):
        try:
            note_build(centre=centre, week=week)
        except NoteRefused:
            kept += 1
        else:
            built += 1
    return WeekReport(week=week, built=built, kept_final=kept)
