"""Document timings for `make bench` (run by cur/bench/reports.py on the bench database).

- `weekly_note_s_*`: the whole region's weekly note of the last whole week built from the rollups
  (reports.weekly.services.note_build: every section's figures, the typical problems, the heat map, the ratings'
  red zone), the worst of three runs; `weekly_note_mcu_s_*` the same for a МЦУ;
- `weekly_note_render_s_*`: its DOCX and PDF with the three charts drawn;
- beside them `weekly_note_groupby_s_*`: the note's key counts (the week and the week before, per channel, sector
  and municipality) by one hand-written GROUP BY over the appeals — the bare minimum of reading them at all;
- `indicator_report_s_*`: a МЦУ's quarterly report opened with its computed values.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from cur.bench.runner import size_label
from cur.models import Centre
from reports.indicators.periods import periods_in_question
from reports.indicators.services import report_open
from reports.models import IndicatorReport, WeeklyNote
from reports.weekly.figures import week_of
from reports.weekly.render_docx import note_docx
from reports.weekly.render_pdf import note_pdf
from reports.weekly.services import last_week, note_build

RUNS = 3
GROUPBY = """
SELECT a.channel, a.sector_id, a.municipality_id, count(*) FILTER (WHERE a.received_at >= %(first)s),
       count(*) FILTER (WHERE a.received_at < %(first)s),
       count(*) FILTER (WHERE a.received_at >= %(first)s AND a.answered_at IS NOT NULL),
       count(*) FILTER (WHERE a.received_at >= %(first)s AND a.is_overdue)
FROM appeals_appeal a
WHERE a.region_id = %(region)s AND a.received_at >= %(before)s AND a.received_at < %(after)s
GROUP BY 1, 2, 3
"""


class Command(BaseCommand):
    help = "Time the weekly note and an indicator report on this database; print BENCH lines."

    def handle(self, *args, **options):
        from appeals.models import Appeal

        size = size_label(Appeal.objects.count())
        week = last_week(timezone.localdate())
        region_centre = Centre.objects.get(level=Centre.Level.REGION, region__code="samara")
        mcu = Centre.objects.filter(level=Centre.Level.MUNICIPAL, region__code="samara").order_by("pk").first()

        def worst(build) -> float:
            times = []
            for _ in range(RUNS):
                WeeklyNote.objects.filter(week=week).delete()
                started = time.perf_counter()
                build()
                times.append(time.perf_counter() - started)
            return max(times)

        self._line(f"weekly_note_s_{size}", worst(lambda: note_build(centre=region_centre, week=week)), "s")
        self._line(f"weekly_note_mcu_s_{size}", worst(lambda: note_build(centre=mcu, week=week)), "s")
        note = note_build(centre=region_centre, week=week)
        started = time.perf_counter()
        docx, pdf = note_docx(note), note_pdf(note)
        self._line(f"weekly_note_render_s_{size}", time.perf_counter() - started, "s")
        self.stdout.write(f"# the note: DOCX {len(docx) // 1024} KB, PDF {len(pdf) // 1024} KB, "
                          f"{note.figures['key']['received']} appeals in the week")

        period = week_of(week)
        tz = timezone.get_current_timezone()
        first = timezone.make_aware(timezone.datetime.combine(period.first, timezone.datetime.min.time()), tz)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(GROUPBY, {"region": region_centre.region_id, "first": first,
                                     "before": first - timedelta(weeks=1), "after": first + timedelta(weeks=1)})
            cursor.fetchall()
            self._line(f"weekly_note_groupby_s_{size}", time.perf_counter() - started, "s")

        kind, quarter = periods_in_question(timezone.localdate())[0]
        IndicatorReport.objects.filter(centre=mcu, kind=kind, period_first=quarter).delete()
        started = time.perf_counter()
        report_open(centre=mcu, kind=kind, first=quarter)
        self._line(f"indicator_report_s_{size}", time.perf_counter() - started, "s")

    def _line(self, name: str, value: float, unit: str) -> None:
        self.stdout.write(f"BENCH {name} {value:.2f} {unit}")
        self.stdout.flush()
