"""Page timings for `make bench` (run by cur/bench/pages.py against the bench database).

Measures the operator queue with every single filter and with three combined, in both orders — each
first page with its count of what the filters leave (bounded: exact up to CUR_QUEUE_COUNT_MAX) —, and
the appeal card, through Django's test client (the whole view, template included), 40 requests
each after one warm-up (of 20 samples the p95 is nearly their maximum: one hiccup of a virtual machine);
prints the worst p95 and, for each case, the plan's index use.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.test import Client
from django.utils import timezone

from appeals.models import Appeal
from appeals.workspace.filters import AppealFilter
from appeals.workspace.selectors import PERIOD_FILTERS, appeal_scope
from cur.bench.runner import RUNS, p95, size_label
from cur.models import Agency, Sector, Subtopic
from cur.wsgi import freeze_startup


class Command(BaseCommand):
    help = "Queue and card p95 at the current database size (used by `make bench`)."

    def handle(self, *args, **options):
        settings.ALLOWED_HOSTS = ["*"]
        freeze_startup()  # as the web server does (cur/wsgi.py)
        size = size_label(Appeal.objects.count())
        users = {name: get_user_model().objects.get(username=name) for name in ("cur_operator", "pestravka_operator")}
        sector = Sector.objects.get(code="housing_utilities")
        subtopic = Subtopic.objects.get(code="roads.potholes")
        agency = Agency.objects.get(code="adm_pestravskiy_mr")
        pestravsky = agency.municipality
        today = timezone.localdate()
        month_ago_6, month_ago_5 = (today - timedelta(days=182)).isoformat(), (today - timedelta(days=152)).isoformat()
        cases = {
            "none": {}, "state": {"state": "open"}, "status": {"status": "in_progress"},
            "sector": {"sector": sector.pk}, "subtopic": {"subtopic": subtopic.pk},
            "municipality": {"municipality": pestravsky.pk}, "agency": {"agency": agency.pk},
            "channel": {"channel": "pos"}, "kind": {"kind": "incident"}, "overdue": {"overdue": "true"},
            "due_within": {"due_within": 48}, "low_confidence": {"low_confidence": "true"},
            "three": {"state": "open", "sector": sector.pk, "overdue": "true"},
            # the period filter (issue 13): the last month, and a month half a year back (the newest-first
            # order cannot stop early there), the status of the new items' registration clock
            "period": {"period": "month"}, "received_month": {"received_from": month_ago_6, "received_to": month_ago_5},
            "new_items": {"status": "new"},
        }
        worst = 0.0
        for username, user in users.items():
            client = Client()
            client.force_login(user)
            for order in ("new", "deadline"):  # the first page: rows and their bounded count
                for name, params in cases.items():
                    query = {**params, "order": order}
                    client.get("/appeals/", query)
                    samples = []
                    for _ in range(RUNS):
                        started = time.perf_counter()
                        response = client.get("/appeals/", query)
                        samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200
                    value = p95(samples)
                    worst = max(worst, value)
                    self.stdout.write(f"# queue {username:<19} {order:<8} {name:<15} p95 {value:6.1f} ms  "
                                      f"{self._plan(user, query)}")
        self.stdout.write(f"BENCH queue_p95_ms_{size} {worst:.0f} ms")

        client = Client()
        client.force_login(users["cur_operator"])
        ids = list(Appeal.objects.order_by("?").values_list("pk", flat=True)[:RUNS])
        client.get(f"/appeals/{ids[0]}/")
        samples = []
        for pk in ids:
            started = time.perf_counter()
            assert client.get(f"/appeals/{pk}/").status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"BENCH card_p95_ms_{size} {p95(samples):.0f} ms")

    def _plan(self, user, query) -> str:
        """The indexes the page's main query uses, from EXPLAIN."""
        qs = AppealFilter(query, queryset=appeal_scope(user=user), user=user).qs
        if query["order"] == "deadline" and any(query.get(key) for key in PERIOD_FILTERS):
            qs = qs.order_by(  # as the selector sorts a period's rows (selectors._deadline_order)
                ExpressionWrapper(F("due_at") + Value(timedelta(0)), output_field=DateTimeField()).asc(), "pk")
        elif query["order"] == "deadline":
            qs = qs.order_by(F("due_at").asc(nulls_last=True), "pk")
        elif any(query.get(key) for key in PERIOD_FILTERS):
            qs = qs.order_by("-received_at", "-pk")
        else:
            qs = qs.order_by("-pk")
        with connection.cursor() as cursor:
            sql, sql_params = qs.only("pk")[:51].query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, sql_params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        indexes = sorted({part.split(" on ")[0].split()[-1] for part in plan.split("using ")[1:]})
        return ("index " + ",".join(indexes)) if indexes else ("seq scan" if "Seq Scan" in plan else "?")
