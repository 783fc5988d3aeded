"""Reporting periods offered by the analytical pages (heat map, ratings)."""

from datetime import datetime, timedelta

from django.utils import timezone

PERIODS = {"30": "30 дней", "90": "квартал", "365": "год"}


def period_from_request(request, default: str = "30") -> tuple[str, datetime, datetime]:
    """(key, start, end) of the period chosen with `?days=`; an unknown value falls back to the default."""
    key = request.GET.get("days") if request.GET.get("days") in PERIODS else default
    end = timezone.now()
    return key, end - timedelta(days=int(key)), end
