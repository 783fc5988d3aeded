from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cur.periods import PERIODS, period_from_request
from ratings.selectors import MIN_VOLUME, agency_indicators


@login_required
def index(request):
    days, date_from, date_to = period_from_request(request, default="90")
    rows = agency_indicators(user=request.user, date_from=date_from, date_to=date_to)
    return render(request, "ratings/index.html", {
        "rows": rows, "days": days, "periods": PERIODS, "min_volume": MIN_VOLUME,
        "received_from": timezone.localdate(date_from).isoformat(),
    })
