from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cur.periods import PERIODS, period_from_request
from heatmap.selectors import quantile_classes, sector_matrix


@login_required
def index(request):
    days, date_from, date_to = period_from_request(request)
    measure = "per_10k" if request.GET.get("measure") == "per_10k" else "count"
    sectors, rows = sector_matrix(user=request.user, date_from=date_from, date_to=date_to)
    values = [v for row in rows for v in (row.per_10k if measure == "per_10k" else row.counts)]
    classes = iter(quantile_classes(values))
    table = [
        (row, [(v, next(classes), sector.pk)
               for v, sector in zip(row.per_10k if measure == "per_10k" else row.counts, sectors, strict=True)])
        for row in rows
    ]
    return render(request, "heatmap/index.html", {
        "sectors": sectors, "table": table, "days": days, "periods": PERIODS, "measure": measure,
        # a cell leads to the queue of the same appeals: the same municipality, sector and local days
        "received_from": timezone.localdate(date_from).isoformat(),
    })
