"""Intake pages for ЦУР / МЦУ operators: register a letter or a call, import a file (with its
progress and report), the quarantine. Thin: parse → selector or service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from appeals.intake import selectors
from appeals.intake.forms import DiscardForm, FixForm, ImportForm, RegisterForm
from appeals.intake.quarantine import quarantine_discard, quarantine_resubmit
from appeals.intake.staff import appeal_take_in
from appeals.models import QuarantinedItem
from appeals.sources.files import import_job_create
from cur.permissions import can_take_in
from cur.scoping import region_of


def _require(user) -> None:
    if not can_take_in(user):
        raise PermissionDenied("Приём обращений доступен операторам ЦУР и МЦУ.")


@login_required
def register(request):
    _require(request.user)
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = appeal_take_in(region=region_of(request.user), by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Зарегистрировано обращение № {appeal.number}.")
            return redirect(appeal.get_absolute_url())
    return render(request, "appeals/intake/register.html", {"form": form, "intake_page": True})


@login_required
def imports(request):
    _require(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(uploaded=form.cleaned_data["file"], by=request.user)
        return redirect("appeals:import_detail", pk=job.pk)
    return render(request, "appeals/intake/imports.html",
                  {"form": form, "jobs": selectors.import_jobs(user=request.user), "intake_page": True})


@login_required
def import_detail(request, pk: int):
    job = selectors.import_job_get(user=request.user, pk=pk)
    template = "appeals/intake/_import_progress.html" if request.htmx else "appeals/intake/import_detail.html"
    return render(request, template, {"job": job, "intake_page": True})


@login_required
def quarantine(request):
    state = request.GET.get("state", QuarantinedItem.State.PENDING)
    job = request.GET.get("job")
    items = selectors.quarantine_list(user=request.user, state=state, source=request.GET.get("source", ""),
                                      job=int(job) if job and job.isdigit() else None)
    return render(request, "appeals/intake/quarantine.html", {
        "items": items, "state": state, "states": QuarantinedItem.State.choices,
        "counts": selectors.quarantine_counts(user=request.user), "intake_page": True,
    })


@login_required
def quarantine_detail(request, pk: int):
    item = selectors.quarantine_get(user=request.user, pk=pk)
    fix_form = FixForm(initial={"payload": item.payload})
    discard_form = DiscardForm()
    if request.method == "POST" and item.state == QuarantinedItem.State.PENDING:
        if request.POST.get("action") == "discard":
            discard_form = DiscardForm(request.POST)
            if discard_form.is_valid():
                try:
                    quarantine_discard(item=item, by=request.user, reason=discard_form.cleaned_data["reason"])
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, "Запись отклонена.")
                return redirect("appeals:quarantine")
        else:
            fix_form = FixForm(request.POST)
            if fix_form.is_valid():
                try:
                    appeal = quarantine_resubmit(item=item, payload=fix_form.cleaned_data["payload"], by=request.user)
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                    return redirect("appeals:quarantine_detail", pk=item.pk)
                messages.success(request, f"Запись принята: обращение № {appeal.number}.")
                return redirect("appeals:quarantine")
    return render(request, "appeals/intake/quarantine_detail.html",
                  {"item": item, "fix_form": fix_form, "discard_form": discard_form, "intake_page": True})


