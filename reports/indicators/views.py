"""The indicator reports: the ЦУР's consolidated table and a МЦУ's own list, one report (values, comments, submit,
accept / return), the exports, the catalogue and its import — thin views over reports/indicators/."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cur.models import Centre
from cur.permissions import REPORT_REVIEW, REPORT_SUBMIT, Forbidden, rights_of
from cur.scoping import can_see_personal_data, reads_documents, user_region
from cur.spreadsheets import XLSX_TYPE
from reports.indicators import services
from reports.indicators.exports import consolidated_xlsx, report_docx, report_xlsx
from reports.indicators.functions import FUNCTIONS
from reports.indicators.periods import period_words, periods_back, periods_in_question
from reports.indicators.selectors import consolidated, report_lines, reports_visible
from reports.models import Indicator
from reports.weekly.selectors import own_centre

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _readable(request):
    if not reads_documents(request.user):
        raise Http404
    return reports_visible(request.user)


def _period(params, today: date) -> tuple[str, date]:
    kind = params.get("kind")
    try:
        first = date.fromisoformat(params.get("first", ""))
    except ValueError:
        return periods_in_question(today)[0]
    return (kind if kind in ("quarter", "year") else "quarter"), first


@login_required
def index(request):
    reports = _readable(request)
    today = timezone.localdate()
    centre = own_centre(request.user)
    region = user_region(request.user)
    kind, first = _period(request.GET, today)
    choices = [(k, f, period_words(k, f)) for k, f in periods_back(today)]
    context = {"kind": kind, "first": first, "choices": choices, "today": today, "own": centre}
    if centre is not None and centre.level == Centre.Level.MUNICIPAL:
        context |= {"mine": reports.filter(centre=centre).order_by("-period_first", "kind"),
                    "can_open": REPORT_SUBMIT in rights_of(request.user)}
    else:
        context["table"] = consolidated(request.user, region, kind=kind, first=first)
    return render(request, "reports/indicators.html", context)


@require_POST
@login_required
def open_report(request):
    centre = own_centre(request.user)
    kind, _, first = request.POST.get("period", "").partition("|")
    try:
        first = date.fromisoformat(first)
        if centre is None or kind not in ("quarter", "year"):
            raise Forbidden("Отчёт заполняет МЦУ за квартал или год.")
        report = services.report_open(centre=centre, kind=kind, first=first, by=request.user)
    except ValueError:
        messages.error(request, "Выберите период отчёта.")
        return redirect("reports:indicators")
    except (services.ReportRefused, Forbidden) as refused:
        messages.error(request, str(refused))
        return redirect("reports:indicators")
    return redirect(report.get_absolute_url())


@login_required
def detail(request, pk: int):
    report = get_object_or_404(_readable(request), pk=pk)
    rights, centre = rights_of(request.user), own_centre(request.user)
    mine = centre is not None and centre.pk == report.centre_id
    reviewer = (centre is not None and centre.level == Centre.Level.REGION and centre.region_id == report.region_id)
    return render(request, "reports/indicator_report.html", {
        "report": report, "lines": report_lines(report, personal=can_see_personal_data(request.user)),
        "today": timezone.localdate(),
        "events": report.events.select_related("actor"),
        "can_fill": report.is_open and mine and REPORT_SUBMIT in rights,
        "can_review": report.status == report.Status.SUBMITTED and (reviewer or request.user.is_superuser)
        and REPORT_REVIEW in rights,
    })


def _act(request, pk: int, action, done: str):
    report = get_object_or_404(_readable(request), pk=pk)
    version = request.POST.get("version")
    try:
        action(report, int(version) if version and version.isdigit() else None)
    except (services.ReportRefused, Forbidden) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(report.get_absolute_url())


def _entries(post) -> dict[int, tuple[str, str]]:
    ids = {int(key.split("_", 1)[1]) for key in post if key.startswith(("value_", "comment_"))
           and key.split("_", 1)[1].isdigit()}
    return {pk: (post.get(f"value_{pk}", ""), post.get(f"comment_{pk}", "")) for pk in ids}


@require_POST
@login_required
def save(request, pk: int):
    def act(report, version):
        report = services.report_values_save(report=report, by=request.user, entries=_entries(request.POST),
                                             expected_version=version)
        if request.POST.get("then") == "submit":
            services.report_submit(report=report, by=request.user)
    done = "Отчёт направлен в ЦУР." if request.POST.get("then") == "submit" else "Значения сохранены."
    return _act(request, pk, act, done)


@require_POST
@login_required
def recompute(request, pk: int):
    return _act(request, pk, lambda r, v: services.report_recompute(report=r, by=request.user, expected_version=v),
                "Рассчитываемые показатели пересчитаны по сводкам.")


@require_POST
@login_required
def accept(request, pk: int):
    return _act(request, pk, lambda r, v: services.report_accept(report=r, by=request.user, expected_version=v),
                "Отчёт принят.")


@require_POST
@login_required
def return_report(request, pk: int):
    return _act(request, pk, lambda r, v: services.report_return(
        report=r, by=request.user, reason=request.POST.get("reason", ""), expected_version=v),
        "Отчёт возвращён на доработку.")


@login_required
def export(request, pk: int, kind: str):
    report = get_object_or_404(_readable(request), pk=pk)
    personal = can_see_personal_data(request.user)
    if kind == "xlsx":
        body, content_type = report_xlsx(report, personal=personal), XLSX_TYPE
    elif kind == "docx":
        body, content_type = report_docx(report, personal=personal), DOCX
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="otchet_{report.centre_id}_{report.kind}_'
                                       f'{report.period_first:%Y-%m}.{kind}"')
    return response


@login_required
def consolidated_export(request):
    _readable(request)
    today = timezone.localdate()
    kind, first = _period(request.GET, today)
    region = user_region(request.user)
    table = consolidated(request.user, region, kind=kind, first=first)
    response = HttpResponse(consolidated_xlsx(table, region=region, today=today), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="svod_mcu_{kind}_{table.first:%Y-%m}.xlsx"'
    return response


@login_required
def catalogue(request):
    _readable(request)
    region = user_region(request.user)
    return render(request, "reports/indicator_catalogue.html", {
        "indicators": Indicator.objects.filter(region=region).order_by("position", "code", "effective_from"),
        "functions": FUNCTIONS, "region": region,
        "can_import": REPORT_REVIEW in rights_of(request.user) and (
            request.user.is_superuser or getattr(own_centre(request.user), "level", "") == Centre.Level.REGION),
    })


@require_POST
@login_required
def catalogue_import(request):
    _readable(request)
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_IMPORT_BYTES:
        messages.error(request, "Выберите файл CSV или XLSX до 2 МБ.")
        return redirect("reports:indicator_catalogue")
    try:
        result = services.indicators_import(region=user_region(request.user), name=upload.name, content=upload.read(),
                                            by=request.user, preliminary=bool(request.POST.get("preliminary")))
    except Forbidden as refused:
        messages.error(request, str(refused))
        return redirect("reports:indicator_catalogue")
    messages.success(request, f"Загружено: новых {result.created}, обновлено {result.updated}, "
                              f"с ошибками {len(result.errors)}.")
    for error in result.errors[:20]:
        messages.error(request, error)
    return redirect(reverse("reports:indicator_catalogue"))
