"""Ratings timings for `make bench` (run by cur/bench/ratings.py against the bench database).

- `rollups_rebuild_s_*`: a full rebuild of the rollups from the history of every appeal;
- `ratings_p95_ms_*`: the bodies' rating page (month and year, a ЦУР curator and a МЦУ operator), the whole
  view through Django's test client, 40 requests each after a warm-up — the worst p95 printed;
- `ratings_groupby_ms_*`: the bare minimum beside it — the same counts for the same periods by one
  hand-written GROUP BY over appeals and assignments (no rollups), 5 runs each, the worst p95;
- `rollups_lag_s`: from an answer committed by the lifecycle service to its count on the rollups, with a
  real Celery worker and beat running (the beat job refreshes every 15 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from appeals.lifecycle.transitions import answer_submit
from appeals.models import Appeal, Assignment, Status
from cur.bench.runner import RUNS, p95, size_label
from cur.periods import CalendarPeriod, day_start
from cur.wsgi import freeze_startup
from rollups.models import AgencyDay, RollupState
from rollups.services import rollups_rebuild

GROUPBY_RUNS = 5
LAG_TIMEOUT = 180  # seconds

# What the rating page shows per body, straight from the turns and the appeals: received, late, on time,
# answered, the median share of the allowed time, satisfied among rated (its own GROUP BY, no rollups).
GROUPBY = """
SELECT s.agency_id,
       count(*) FILTER (WHERE s.started_at >= %(first)s) AS received,
       count(*) FILTER (WHERE s.ended_at > s.due_at OR (s.ended_at IS NULL AND a.due_at < now())) AS late,
       count(*) FILTER (WHERE s.ended_at <= s.due_at) AS on_time,
       count(*) FILTER (WHERE s.outcome = 'answered') AS answered,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.working_seconds::float / nullif(s.allowed_seconds, 0))
           FILTER (WHERE s.outcome = 'answered') AS speed,
       count(*) FILTER (WHERE a.satisfaction = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE a.satisfaction <> '') AS rated
FROM appeals_assignment s JOIN appeals_appeal a ON a.id = s.appeal_id
WHERE s.region_id = %(region)s AND s.started_at < %(after)s AND (s.ended_at IS NULL OR s.ended_at >= %(first)s)
GROUP BY s.agency_id
"""


class Command(BaseCommand):
    help = "Ratings and rollups timings at the current database size (used by `make bench`)."

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = ["*"]
        freeze_startup()  # as the web server does (cur/wsgi.py)
        size = size_label(Appeal.objects.count())
        started = time.perf_counter()
        rollups_rebuild()
        self.stdout.write(f"BENCH rollups_rebuild_s_{size} {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) rollups_turnfact, rollups_agencyday, rollups_agencymonth")

        users = {name: get_user_model().objects.get(username=name) for name in ("cur_curator", "pestravka_operator")}
        yesterday = timezone.localdate() - timedelta(days=1)
        periods = {kind: CalendarPeriod.containing(kind, yesterday) for kind in ("month", "year")}
        worst = 0.0
        for username, user in users.items():
            client = Client()
            client.force_login(user)
            for kind in periods:
                query = {"period": kind}
                assert client.get("/ratings/", query).status_code == 200
                samples = []
                for _ in range(RUNS):
                    begun = time.perf_counter()
                    response = client.get("/ratings/", query)
                    samples.append((time.perf_counter() - begun) * 1000)
                assert response.status_code == 200
                value = p95(samples)
                worst = max(worst, value)
                self.stdout.write(f"# ratings {username:<19} {kind:<6} p95 {value:6.1f} ms")
        self.stdout.write(f"BENCH ratings_p95_ms_{size} {worst:.0f} ms")

        region_id = users["cur_curator"].membership.centre.region_id
        floor = 0.0
        for kind, period in periods.items():
            params = {"region": region_id, "first": day_start(period.first),
                      "after": day_start(period.last + timedelta(days=1))}
            samples = []
            with connection.cursor() as cursor:
                for _ in range(GROUPBY_RUNS):
                    begun = time.perf_counter()
                    cursor.execute(GROUPBY, params)
                    cursor.fetchall()
                    samples.append((time.perf_counter() - begun) * 1000)
            value = p95(samples)
            floor = max(floor, value)
            self.stdout.write(f"# ratings GROUP BY over appeals and assignments, {kind:<6} p95 {value:6.1f} ms")
        self.stdout.write(f"BENCH ratings_groupby_ms_{size} {floor:.0f} ms")

        lag = self._lag()
        self.stdout.write(f"BENCH rollups_lag_s {lag:.1f} s" if lag is not None else "# rollups_lag_s: timed out")

    def _lag(self) -> float | None:
        """An answer through the service with a worker and beat running; seconds until the rollups count it."""
        turn = (Assignment.objects.filter(ended_at__isnull=True, appeal__status=Status.IN_PROGRESS)
                .select_related("appeal").order_by("-pk").first())
        if turn is None:
            return None
        env = dict(os.environ, CELERY_BEAT_SCHEDULE_FILENAME=f"/tmp/bench-beat-{os.getpid()}")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cur", "worker", "--beat", "--concurrency", "1",
             "--loglevel", "WARNING", "--schedule", env["CELERY_BEAT_SCHEDULE_FILENAME"]],
            env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            before = RollupState.objects.filter(name="turns").values_list("refreshed_at", flat=True).first()
            deadline = time.monotonic() + LAG_TIMEOUT
            while time.monotonic() < deadline:  # the worker is up once its beat has refreshed once
                if RollupState.objects.filter(name="turns").values_list("refreshed_at", flat=True).first() != before:
                    break
                time.sleep(0.5)
            today = timezone.localdate()
            counted = self._answered(turn.agency_id, today)
            appeal = Appeal.objects.get(pk=turn.appeal_id)
            answer_submit(appeal=appeal, text="Яма на проезжей части засыпана щебнем 01.12.2026, проезд открыт.",
                          by=None)
            committed = time.monotonic()
            while time.monotonic() < committed + LAG_TIMEOUT:
                if self._answered(turn.agency_id, today) > counted:
                    return time.monotonic() - committed
                time.sleep(0.2)
            return None
        finally:
            worker.terminate()
            worker.wait(30)

    def _answered(self, agency_id: int, day: date) -> int:
        return AgencyDay.objects.filter(agency_id=agency_id, day=day).values_list("answered", flat=True).first() or 0
