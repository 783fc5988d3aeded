"""Reads of the weekly notes: which a user may open (cur.scoping.scope_centres decides)."""

from __future__ import annotations

from django.db.models import QuerySet

from cur.models import Centre
from cur.scoping import membership_of, scope_centres
from reports.models import WeeklyNote


def notes_visible(user) -> QuerySet[WeeklyNote]:
    return WeeklyNote.objects.filter(centre__in=scope_centres(Centre.objects.all(), user)).select_related(
        "centre", "region", "edited_by", "finalised_by")


def centres_visible(user) -> list[Centre]:
    return list(scope_centres(Centre.objects.select_related("municipality"), user).order_by("level", "name"))


def own_centre(user) -> Centre | None:
    membership = membership_of(user)
    return membership.centre if membership is not None else None
