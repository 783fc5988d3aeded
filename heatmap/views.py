from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from heatmap.selectors import quantile_classes, sector_matrix

PERIODS = {"30": "30 дней", "90": "квартал", "365": "год"}


@login_required
def index(request):
    days = request.GET.get("days") if request.GET.get("days") in PERIODS else "30"
    measure = "per_10k" if request.GET.get("measure") == "per_10k" else "count"
    date_to = timezone.now()
    sectors, rows = sector_matrix(user=request.user, date_from=date_to - timedelta(days=int(days)), date_to=date_to)
    values = [v for row in rows for v in (row.per_10k if measure == "per_10k" else row.counts)]
    classes = iter(quantile_classes(values))
    table = [
        (row, [(v, next(classes), sector.pk)
               for v, sector in zip(row.per_10k if measure == "per_10k" else row.counts, sectors, strict=True)])
        for row in rows
    ]
    return render(request, "heatmap/index.html", {
        "sectors": sectors, "table": table, "days": days, "periods": PERIODS, "measure": measure,
    })
