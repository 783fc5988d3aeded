
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from appeals.workspace.selectors import appeal_kpis, appeal_recent
from cur import health
from cur.demo import DEMO_ACCOUNTS
from cur.models import Membership
from cur.scoping import membership_of
from heatmap.dashboard import views as dashboard_views

DASHBOARD_ROLES = (Membership.Role.CURATOR, Membership.Role.HEAD, Membership.Role.SECTOR_HEAD)


@never_cache
def healthz(request):
    """Public: `{"status": "ok"}` (200) or `{"status": "error"}` (503) after checking the database and the
    broker, nothing more. Staff and the monitoring token also get each part's detail (versions, latency,
    error); only they may ask `?worker=1`, which queues a task for a worker and waits for its reply."""
    detailed = health.may_see_detail(request)
    if request.GET.get("worker") and not detailed:
        return JsonResponse({"status": "forbidden", "error": health.WORKER_CHECK_FORBIDDEN}, status=403)
    checks = {"database": health.database_status(), "broker": health.broker_status()}
    if request.GET.get("worker"):
        checks["worker"] = health.worker_status()
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "error"} | (checks if detailed else {})
    return JsonResponse(body, status=200 if ok else 503)


def favicon(request):
    """Browsers ask /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def _demo_accounts() -> list[dict]:
    return DEMO_ACCOUNTS if settings.CUR_DEMO else []


class LoginView(auth_views.LoginView):
    """The login page; in demo mode it lists the demo accounts of every role."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"demo_accounts": _demo_accounts()}


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account or an address is locked (AXES_LOCKOUT_CALLABLE): the login page
    again, with the reason and the wait instead of «wrong password», and 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "demo_accounts": _demo_accounts(),
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@login_required
def home(request):
    """Curators, heads and sector-block heads decide from the dashboard: it is their home page; the others
    work the queue and get its tiles and the latest appeals."""
    membership = membership_of(request.user)
    if membership is not None and membership.role in DASHBOARD_ROLES:
        return dashboard_views.index(request, is_home=True)
    return render(request, "cur/home.html", {
        "kpis": appeal_kpis(user=request.user),
        "recent": appeal_recent(user=request.user, limit=15),
    })


@login_required
def notifications(request):
    """The person's notices, newest first (the bell of the heading)."""
    return render(request, "cur/notifications.html", {
        "notices": request.user.staff_notifications.order_by("-created_at")[:100],
    })


@login_required
def notification_open(request, pk: int):
    """Open a notice: marked read, then its page (only the recipient's own notices exist for them)."""
    notice = get_object_or_404(request.user.staff_notifications, pk=pk)
    if notice.read_at is None:
        request.user.staff_notifications.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(notice.url if notice.url.startswith("/") else "notifications")
