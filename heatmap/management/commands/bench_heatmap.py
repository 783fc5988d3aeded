"""Heat map, dashboard and slice timings for `make bench` (run by cur/bench/heatmap.py on the bench database).

- `heatmap_p95_ms_*`: the heat map page (map, territories and matrix; month and year, a ЦУР curator and a МЦУ
  operator), the whole view through Django's test client, 40 requests each after a warm-up — the worst p95;
  beside it `heatmap_groupby_ms_*`: the same counts (per municipality × sector, this period and the one
  before) by one hand-written GROUP BY over the appeals;
- `dashboard_p95_ms_*` (the curator's home page, month and year) beside `dashboard_groupby_ms_*` (its totals
  and the year's weekly trend per sector straight from the appeals);
- `slice_p95_ms_*`: a three-dimension slice over a year (municipality × month, one sector) beside
  `slice_groupby_ms_*`;
- `surge_scan_s_*`: the weekly scan of the whole region (surges, repeats, conflict situations);
- `surge_precision` / `surge_recall`: the rule on synthetic streams with planted surges (surge_quality).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from cur.bench.runner import RUNS, p95, size_label
from cur.models import Sector
from cur.periods import CalendarPeriod, day_start
from cur.wsgi import freeze_startup
from heatmap.conflicts.detection import Rules
from heatmap.conflicts.quality import score
from heatmap.conflicts.services import monday, situations_scan
from municipalities.models import Region

GROUPBY_RUNS = 5
# the heat map's figures straight from the appeals: per municipality × sector, this period and the one before
HEATMAP_GROUPBY = """
SELECT a.municipality_id, a.sector_id, count(*) FILTER (WHERE a.received_at >= %(first)s),
       count(*) FILTER (WHERE a.received_at < %(first)s)
FROM appeals_appeal a
WHERE a.region_id = %(region)s AND a.received_at >= %(before)s AND a.received_at < %(after)s
GROUP BY 1, 2
"""
# the dashboard's: the period's totals, and the year's weeks per sector
DASHBOARD_GROUPBY = """
SELECT a.sector_id, date_trunc('week', a.received_at AT TIME ZONE r.timezone)::date, count(*),
       count(*) FILTER (WHERE a.received_at >= %(first)s AND a.is_overdue),
       count(*) FILTER (WHERE a.received_at >= %(first)s AND a.answered_at IS NOT NULL),
       count(*) FILTER (WHERE a.received_at >= %(first)s AND a.satisfaction = 'satisfied')
FROM appeals_appeal a JOIN municipalities_region r ON r.id = a.region_id
WHERE a.region_id = %(region)s AND a.received_at >= %(year)s AND a.received_at < %(after)s
GROUP BY 1, 2
"""
# a slice: municipality × month for one sector over a year
SLICE_GROUPBY = """
SELECT a.municipality_id, date_trunc('month', a.received_at AT TIME ZONE r.timezone)::date, count(*)
FROM appeals_appeal a JOIN municipalities_region r ON r.id = a.region_id
WHERE a.region_id = %(region)s AND a.sector_id = %(sector)s AND a.received_at >= %(year)s
  AND a.received_at < %(after)s
GROUP BY 1, 2
"""


class Command(BaseCommand):
    help = "Heat map, dashboard, slice and surge-scan timings at the current database size (used by `make bench`)."

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = ["*"]
        freeze_startup()  # as the web server does (cur/wsgi.py)
        size = size_label(Appeal.objects.count())
        users = {name: get_user_model().objects.get(username=name) for name in ("cur_curator", "pestravka_operator")}
        region = Region.objects.get(code=settings.CUR_REGION)
        yesterday = timezone.localdate() - timedelta(days=1)
        periods = {kind: CalendarPeriod.containing(kind, yesterday) for kind in ("month", "year")}
        sector = Sector.objects.get(code="housing_utilities")

        pages = {
            "heatmap": ("/heatmap/", [{"period": kind} for kind in periods], users),
            "dashboard": ("/", [{"period": kind} for kind in periods], {"cur_curator": users["cur_curator"]}),
            "slice": ("/heatmap/slices/", [{"period": "year", "rows": "municipality", "cols": "month",
                                            "sector": str(sector.pk)}], users),
        }
        for name, (url, queries, who) in pages.items():
            worst = 0.0
            for username, person in who.items():
                client = Client()
                client.force_login(person)
                for query in queries:
                    assert client.get(url, query).status_code == 200
                    samples = []
                    for _ in range(RUNS):
                        begun = time.perf_counter()
                        response = client.get(url, query)
                        samples.append((time.perf_counter() - begun) * 1000)
                    assert response.status_code == 200
                    value = p95(samples)
                    worst = max(worst, value)
                    self.stdout.write(f"# {name} {username:<19} {query.get('period')} p95 {value:6.1f} ms")
            self.stdout.write(f"BENCH {name}_p95_ms_{size} {worst:.0f} ms")
            self.stdout.write(f"BENCH {name}_groupby_ms_{size} {self._floor(name, region, periods, sector):.0f} ms")

        week = monday(timezone.localdate()) - timedelta(weeks=1)
        begun = time.perf_counter()
        report = situations_scan(region=region, week=week)
        self.stdout.write(f"# surge scan, week of {week:%d.%m.%Y}: {report.cells} cells, {report.surges} surges, "
                          f"{report.repeats} runs of repeats, {report.conflicts} conflict situations")
        self.stdout.write(f"BENCH surge_scan_s_{size} {time.perf_counter() - begun:.1f} s")
        quality = score(Rules())
        self.stdout.write(f"BENCH surge_precision {quality.precision:.3f} share")
        self.stdout.write(f"BENCH surge_recall {quality.recall:.3f} share")

    def _floor(self, name: str, region, periods: dict, sector) -> float:
        """The worst p95 of the page's figures computed by one GROUP BY over the appeals, for each period."""
        worst = 0.0
        for period in periods.values():
            if name == "slice" and period.kind != "year":
                continue
            after = day_start(period.last + timedelta(days=1))
            params = {"region": region.pk, "first": day_start(period.first),
                      "before": day_start(period.previous().first), "after": after,
                      "year": day_start(period.last - timedelta(days=364)), "sector": sector.pk}
            query = {"heatmap": HEATMAP_GROUPBY, "dashboard": DASHBOARD_GROUPBY, "slice": SLICE_GROUPBY}[name]
            samples = []
            with connection.cursor() as cursor:
                for _ in range(GROUPBY_RUNS):
                    begun = time.perf_counter()
                    cursor.execute(query, params)
                    cursor.fetchall()
                    samples.append((time.perf_counter() - begun) * 1000)
            worst = max(worst, p95(samples))
        return worst
