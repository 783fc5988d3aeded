"""Saving a slice for the centre (the parameters of the page, checked against what the page accepts)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cur.scoping import membership_of
from heatmap.models import SavedSlice

KEPT = ("rows", "cols", "measure", "period", "on", "from", "to", "sector", "subtopic", "municipality", "agency",
        "channel", "kind", "status", "overdue", "satisfaction")


class SliceRefused(Exception):
    pass


@transaction.atomic
def slice_save(*, by, name: str, params) -> SavedSlice:
    """Save (or replace) the centre's slice of this name; only a person of a centre saves for it."""
    membership = membership_of(by)
    if membership is None or membership.centre_id is None:
        raise SliceRefused("Разрезы сохраняют сотрудники ЦУР и МЦУ.")
    name = (name or "").strip()[:120]
    if not name:
        raise SliceRefused("Укажите название разреза.")
    kept = {key: params.get(key) for key in KEPT if params.get(key)}
    saved, _ = SavedSlice.objects.update_or_create(
        centre_id=membership.centre_id, name=name,
        defaults={"params": kept, "created_by": by, "created_at": timezone.now()})
    return saved
