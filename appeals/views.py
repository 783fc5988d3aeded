import csv

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from appeals import selectors


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def appeal_list(request):
    filterset, rows, next_cursor = selectors.appeal_list(
        user=request.user, params=request.GET, after=_cursor(request.GET.get("after"))
    )
    params = request.GET.copy()
    params.pop("after", None)
    template = "appeals/_list_rows.html" if request.htmx and request.GET.get("after") else "appeals/list.html"
    return render(request, template, {
        "filter": filterset, "appeals": rows, "next_cursor": next_cursor, "query": params.urlencode(),
    })


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    return render(request, "appeals/detail.html", {
        "appeal": appeal,
        "citizen": selectors.appeal_personal_data(appeal=appeal, user=request.user),
        "events": selectors.appeal_timeline(appeal=appeal),
        "answers": selectors.appeal_answers(appeal=appeal),
    })


class _Echo:
    def write(self, value):
        return value


EXPORT_COLUMNS = [
    ("number", "Номер"), ("received_at", "Поступило"), ("kind", "Вид"), ("channel", "Канал"),
    ("status", "Статус"), ("sector", "Тематика"), ("subtopic", "Подтема"), ("municipality", "МО"),
    ("settlement", "Населённый пункт"), ("address", "Адрес"), ("agency", "Исполнитель"),
    ("due_at", "Срок ответа"), ("is_overdue", "Просрочено"), ("satisfaction", "Оценка"), ("title", "Суть"),
]


def _export_row(appeal) -> list[str]:
    local = timezone.localtime
    return [
        appeal.number, local(appeal.received_at).strftime("%d.%m.%Y %H:%M"), appeal.get_kind_display(),
        appeal.get_channel_display(), appeal.get_status_display(), str(appeal.sector or ""),
        str(appeal.subtopic or ""), str(appeal.municipality or ""), str(appeal.settlement or ""), appeal.address,
        str(appeal.agency or ""), local(appeal.due_at).strftime("%d.%m.%Y %H:%M") if appeal.due_at else "",
        "да" if appeal.is_overdue else "", appeal.get_satisfaction_display(), appeal.title_or_excerpt,
    ]


@login_required
def appeal_export_csv(request):
    """CSV of the filtered list in the user's scope, streamed (no personal data in exports)."""
    rows = selectors.appeal_filtered(user=request.user, params=request.GET).iterator(chunk_size=2000)
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 with a BOM correctly
        yield writer.writerow([title for _, title in EXPORT_COLUMNS])
        for appeal in rows:
            yield writer.writerow(_export_row(appeal))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appeals.csv"'
    return response
