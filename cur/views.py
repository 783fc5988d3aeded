from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from appeals.selectors import appeal_kpis, appeal_recent
from cur import health
from cur.demo import DEMO_ACCOUNTS


@never_cache
def healthz(request):
    """JSON state of the database and the broker; `?worker=1` also runs a task on a worker."""
    checks = {"database": health.database_status(), "broker": health.broker_status()}
    if request.GET.get("worker"):
        checks["worker"] = health.worker_status()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


class LoginView(auth_views.LoginView):
    """The login page; in demo mode it lists the demo accounts of every role."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_accounts"] = DEMO_ACCOUNTS if settings.CUR_DEMO else []
        return context


@login_required
def home(request):
    now = timezone.now()
    return render(request, "cur/home.html", {
        "kpis": appeal_kpis(user=request.user, now=now, week_ago=now - timedelta(days=7)),
        "recent": appeal_recent(user=request.user, limit=15),
    })
