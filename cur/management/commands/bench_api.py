"""REST API and Open311 timings for `make bench` (run by cur/bench/integrations.py against the bench database).

`GET /api/v1/appeals/` through the whole stack — token authentication, the throttle's Redis count, the view, the
JSON — for a ЦУР integrator's and a МЦУ's client token: without filters, with each of several filters, with a search
and a search with a filter, 50 a page; and `GET /open311/v2/requests.json` with the spec's filters. 40 requests each
after a warm-up; prints the worst p95 of each and, beside it, the bare minimum: the same first page as one
hand-written SELECT … ORDER BY id DESC LIMIT 51 on the same data.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from appeals.models import Appeal
from cur.api_clients import api_client_create, api_token_issue
from cur.bench.runner import RUNS, p95, size_label
from cur.models import Centre, Sector, Subtopic
from cur.wsgi import freeze_startup


def _timed(client: Client, path: str, query: dict, headers: dict) -> float:
    client.get(path, query, headers=headers)  # warm-up
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path, query, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, query, response.status_code, response.content[:300])
    return p95(samples)


class Command(BaseCommand):
    help = "REST API list and Open311 requests p95 at the current database size (used by `make bench`)."

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = ["*"]
        freeze_startup()
        size = size_label(Appeal.objects.count())
        tokens = {}
        for short_name in ("ЦУР Самарской области", "МЦУ м.р. Пестравский"):
            client = api_client_create(name=f"Бенчмарк {short_name} {timezone.now():%H%M%S%f}", role="integrator",
                                       centre=Centre.objects.get(short_name=short_name))
            tokens[short_name] = api_token_issue(client=client).raw
        sector = Sector.objects.get(code="housing_utilities")
        subtopic = Subtopic.objects.get(code="roads.potholes")
        cases = {
            "none": {}, "status": {"status": "in_progress"}, "sector": {"sector": sector.pk},
            "overdue": {"overdue": "true"}, "period": {"period": "month"},
            "three": {"state": "open", "sector": sector.pk, "overdue": "true"},
            "deadline": {"state": "open", "order": "deadline"},
            "search": {"q": "мусор"}, "search_two": {"q": "яма дорога"},
            "search_filter": {"q": "мусор", "state": "open"},
        }
        # the throttles count (Redis), they do not stop us
        with override_settings(CUR_API_RATE="1000000/minute", CUR_OPEN311_RATE="1000000/minute"):
            client = Client()
            worst = {"filter": 0.0, "search": 0.0}
            for who, raw in tokens.items():
                headers = {"Authorization": f"Bearer {raw}"}
                for name, query in cases.items():
                    value = _timed(client, "/api/v1/appeals/", query, headers)
                    kind = "search" if "q" in query else "filter"
                    worst[kind] = max(worst[kind], value)
                    self.stdout.write(f"# api {who:<22} {name:<14} p95 {value:6.1f} ms")
            self.stdout.write(f"BENCH api_list_p95_ms_{size} {max(worst.values()):.0f} ms")
            self.stdout.write(f"BENCH api_list_filter_p95_ms_{size} {worst['filter']:.0f} ms")
            self.stdout.write(f"BENCH api_list_search_p95_ms_{size} {worst['search']:.0f} ms")

            today = timezone.localdate()
            ids = ",".join(str(pk) for pk in Appeal.objects.order_by("-pk").values_list("pk", flat=True)[:5:2])
            open311 = {
                "none": {}, "service_code": {"service_code": subtopic.code}, "status": {"status": "open"},
                "window": {"start_date": (today - timedelta(days=200)).isoformat() + "T00:00:00+04:00",
                           "end_date": (today - timedelta(days=170)).isoformat() + "T00:00:00+04:00"},
                "ids": {"service_request_id": ids},
            }
            worst311 = 0.0
            for name, query in open311.items():
                value = _timed(client, "/open311/v2/requests.json", query, {})
                worst311 = max(worst311, value)
                self.stdout.write(f"# open311 {name:<14} p95 {value:6.1f} ms")
            self.stdout.write(f"BENCH open311_requests_p95_ms_{size} {worst311:.0f} ms")

        # the bare minimum: the first page as one SELECT of the columns the list shows, newest first
        region_id = Centre.objects.get(short_name="ЦУР Самарской области").region_id
        samples = []
        with connection.cursor() as cursor:
            for _ in range(RUNS + 1):
                started = time.perf_counter()
                cursor.execute(
                    "SELECT id, kind, channel, status, title, left(text, 220), received_at, due_at FROM appeals_appeal"
                    " WHERE region_id = %s AND status = 'in_progress' ORDER BY id DESC LIMIT 51", [region_id])
                cursor.fetchall()
                samples.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"BENCH api_list_floor_select_p95_ms_{size} {p95(samples[1:]):.1f} ms")
