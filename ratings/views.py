from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from ratings.selectors import MIN_VOLUME, agency_indicators

PERIODS = {"30": "30 дней", "90": "квартал", "365": "год"}


@login_required
def index(request):
    days = request.GET.get("days") if request.GET.get("days") in PERIODS else "90"
    date_to = timezone.now()
    rows = agency_indicators(user=request.user, date_from=date_to - timedelta(days=int(days)), date_to=date_to)
    return render(request, "ratings/index.html", {
        "rows": rows, "days": days, "periods": PERIODS, "min_volume": MIN_VOLUME,
    })
