"""Reads of the intake pages: the quarantine and the import jobs, always through cur/scoping.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from appeals.models import ImportJob, QuarantinedItem
from cur.permissions import can_take_in
from cur.scoping import scope_intake

PAGE = 50


def _require(user) -> None:
    if not can_take_in(user):
        raise PermissionDenied("Приём обращений доступен операторам ЦУР и МЦУ.")


def quarantine_list(*, user, state: str = "pending", source: str = "", job: int | None = None) -> QuerySet:
    """Items of the user's territory, newest first (the first PAGE of them)."""
    _require(user)
    qs = scope_intake(QuarantinedItem.objects.all(), user).select_related("municipality", "resolved_by")
    if state in QuarantinedItem.State.values:
        qs = qs.filter(state=state)
    if source in QuarantinedItem.Source.values:
        qs = qs.filter(source=source)
    if job:
        qs = qs.filter(import_job_id=job)
    return qs.defer("payload").order_by("-created_at", "-pk")[:PAGE]


def quarantine_counts(*, user) -> dict[str, int]:
    _require(user)
    rows = scope_intake(QuarantinedItem.objects.all(), user).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def quarantine_get(*, user, pk: int) -> QuarantinedItem:
    _require(user)
    return get_object_or_404(
        scope_intake(QuarantinedItem.objects.all(), user).select_related("municipality", "resolved_by", "import_job"),
        pk=pk,
    )


def import_jobs(*, user) -> QuerySet:
    _require(user)
    return scope_intake(ImportJob.objects.all(), user).select_related("created_by")[:20]


def import_job_get(*, user, pk: int) -> ImportJob:
    _require(user)
    return get_object_or_404(scope_intake(ImportJob.objects.all(), user).select_related("created_by"), pk=pk)
