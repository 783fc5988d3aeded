"""Large exports of the queue: the job's page with its progress and the download of its file, both for the
job's owner only (anybody else gets 404); the file is never at a public URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from appeals.models import ExportJob
from appeals.workspace import exports


def export_start(request, *, format: str):
    """Queue the export of the list the user asked for and show its progress (the two export views call
    this above CUR_EXPORT_SYNC_MAX rows)."""
    try:
        job = exports.export_job_create(user=request.user, format=format, params=request.GET)
    except ValidationError as error:
        messages.error(request, "Выгрузка не начата: " + " ".join(error.messages))
        query = request.GET.urlencode()
        return redirect(reverse("appeals:list") + (f"?{query}" if query else ""))
    return redirect("appeals:export_job", pk=job.pk)


@login_required
def export_job(request, pk: int):
    job = exports.export_job_get(user=request.user, pk=pk)
    context = {"job": job, "sync_max": exports.export_sync_max()}
    if request.htmx:  # the poll of the progress bar: the bar alone
        return render(request, "appeals/workspace/_export_progress.html", context)
    conditions = exports.export_conditions(user=request.user, params=QueryDict(job.query))
    return render(request, "appeals/workspace/export_job.html", context | {"conditions": conditions})


@login_required
def export_download(request, pk: int):
    job = exports.export_job_get(user=request.user, pk=pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("Файл выгрузки ещё не готов.")
    content_type = exports.XLSX_TYPE if job.format == ExportJob.Format.XLSX else exports.CSV_TYPE
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=exports.export_download_name(job),
                        content_type=content_type)
