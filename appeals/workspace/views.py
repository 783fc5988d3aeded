from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from appeals.attachments.views import panel_context
from appeals.lifecycle import transitions
from appeals.models import ExportJob
from appeals.search.similar import similar_appeals
from appeals.workspace import bulk, export_views, exports, saved_filters, selectors
from appeals.workspace.filters import ORDERS, filter_query_normalize, queue_order
from appeals.workspace.forms import FORMS, BulkForm, CorrectForm
from appeals.workspace.inbox import inbox_tabs
from cur.models import Agency
from cur.permissions import PROBLEMS, allowed_actions, bulk_actions, is_executor, may
from cur.scoping import scope_agencies, scope_municipalities
from municipalities.models import Municipality
from rollups.area_drill import describe


@login_required
def appeal_list(request):
    params = request.GET
    inbox = is_executor(request.user)
    if inbox and not params:
        # The executor's inbox opens on what is still owed, nearest deadline first.
        params = QueryDict("state=open&order=deadline")
    if params.get("q") and not params.get("after"):
        # a number or an external id typed into the search box goes straight to its appeal
        found = selectors.appeal_by_identifier(user=request.user, typed=params["q"])
        if found is not None:
            url = found.get_absolute_url()
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    order = queue_order(params)
    if order in ("deadline", "deadline_desc") and not params.get("state") and not params.get("status"):
        # «сначала срочные» is the working queue: a closed appeal's deadline is not urgent any more
        params = params.copy()
        params["state"] = "open"
    page = selectors.appeal_list(
        user=request.user, params=params, after=params.get("after"), order=order, compact=True,
    )
    query = params.copy()
    query.pop("after", None)
    rows_only = request.htmx and params.get("after")  # «Показать ещё»: the next rows alone
    template = "appeals/workspace/_list_rows.html" if rows_only else "appeals/workspace/list.html"
    context = {
        "filter": page.filter, "appeals": page.rows, "next_cursor": page.next_cursor, "page": page,
        "query": query.urlencode(), "order": order, "orders": ORDERS, "inbox": inbox,
        "order_asked": params.get("order") if params.get("order") == order else "",
        "bulk_actions": bulk_actions(request.user),
    }
    if template == "appeals/workspace/list.html":
        context |= _queue_tools(request.user, query=query.urlencode(), actions=context["bulk_actions"])
        if inbox:  # the executor's tabs by state, each with the count of the list it opens
            context["inbox_tabs"] = inbox_tabs(user=request.user, query=query.urlencode())
        context["sort_columns"] = _sort_columns(query, order)
        context["drill"] = _drill(request.user, page.filter, query)
    return render(request, template, context)


def _drill(user, filterset, query: QueryDict) -> dict | None:
    """The figure of a rating (or of the heat map) this list was opened from, in words, with the link that
    drops it."""
    cleaned = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    if cleaned.get("area") is not None:
        rest = query.copy()
        rest.pop("area", None)
        return {"source": "Из тепловой карты", "words": describe(cleaned["area"]), "without": rest.urlencode()}
    drill = cleaned.get("rating")
    if drill is None:
        return None
    if drill.level == "a":
        target = scope_agencies(Agency.objects.filter(pk=drill.key), user).values_list("short_name", flat=True)
    else:
        target = scope_municipalities(Municipality.objects.filter(pk=drill.key), user).values_list("name", flat=True)
    rest = query.copy()
    rest.pop("rating", None)
    return {"source": "Из рейтинга", "label": drill.label, "target": next(iter(target), "—"), "first": drill.first,
            "last": drill.last, "without": rest.urlencode(), "municipality": drill.level == "m"}


# Sortable columns: (the order of a first click, the other way), each over the queue's indexes.
SORTS = {
    "number": ("Номер", "new", "old"),
    "received": ("Поступило", "new", "old"),
    "due": ("Срок", "deadline", "deadline_desc"),
}


def _sort_columns(query: QueryDict, order: str) -> dict[str, dict]:
    """The column heads as links: a click sorts by the column, a second click the other way."""
    columns = {}
    for key, (label, first, second) in SORTS.items():
        active = order in (first, second)
        target = second if order == first else first
        params = query.copy()
        params["order"] = target
        columns[key] = {
            "label": label, "query": params.urlencode(), "active": active, "hint": ORDERS[target],
            "arrow": "↓" if order in ("new", "deadline_desc") else "↑",
            "aria": "descending" if order in ("new", "deadline_desc") else "ascending",
        }
    return columns


def _queue_tools(user, *, query: str, actions: list[str]) -> dict:
    """Saved filters and the bulk bar above the queue: a constant number of queries, none per row."""
    return {
        "current_query": filter_query_normalize(query),
        "saved_filters": selectors.saved_filters(user=user),
        "bulk_form": BulkForm(user=user) if actions else None,
        "bulk_buttons": [(name, transitions.ACTIONS[name].label) for name in actions],
    }


def _queue_url(query: str) -> str:
    """The queue with a view's filters; only known filter parameters go into the address."""
    query = filter_query_normalize(query)
    return reverse("appeals:list") + (f"?{query}" if query else "")


@login_required
@require_POST
def saved_filter_save(request):
    query = request.POST.get("query", "")
    try:
        saved = saved_filters.saved_filter_save(user=request.user, name=request.POST.get("name", ""), query=query)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_queue_url(query))
    messages.success(request, f"Фильтр «{saved.name}» сохранён.")
    return redirect(_queue_url(saved.query))


@login_required
@require_POST
def saved_filter_delete(request, pk: int):
    if not saved_filters.saved_filter_delete(user=request.user, pk=pk):
        raise Http404("Нет такого сохранённого фильтра.")
    messages.success(request, "Сохранённый фильтр удалён.")
    return redirect(_queue_url(request.POST.get("query", "")))


@login_required
@require_POST
def appeals_bulk(request):
    """The queue's bulk bar: one action over the ticked rows; each refusal is reported, none stops the rest."""
    if not bulk_actions(request.user):
        raise PermissionDenied("Массовые действия недоступны для вашей роли.")
    back = _queue_url(request.POST.get("query", ""))
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Массовое действие не выполнено: "
                       + "; ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(back)
    data = form.cleaned_data
    try:
        result = bulk.appeals_bulk_act(user=request.user, seen=data["ids"], action=data["action"],
                                       data={"agency": data["agency"]})
    except ValidationError as error:
        messages.error(request, "Массовое действие не выполнено: " + " ".join(error.messages))
        return redirect(back)
    report = messages.success if result.complete else messages.warning
    report(request, f"«{transitions.ACTIONS[data['action']].label}» — {result.summary}.")
    for number, reason in result.refused:
        messages.error(request, f"№ {number}: {reason}")
    for number in result.changed:
        messages.warning(request, f"№ {number}: обращение изменил другой пользователь, пока вы смотрели список, — "
                                  "оно не тронуто; обновите страницу и проверьте его.")
    return redirect(back)


@login_required
def appeal_detail(request, pk: int):
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    mine = allowed_actions(request.user)
    # the routing proposal of the structuring pipeline is preselected where a body is chosen
    initial = {"version": appeal.version, "agency": appeal.proposed_agency_id}
    # the executor comes to answer: «дать ответ», then the interim answer, are the first actions of their card
    first = ("answer_final", "answer_interim") if is_executor(request.user) else ()
    # a fast-track mechanism's answer template is the executor's starting text (edited before it is sent)
    template = appeal.fast_track.answer_template if appeal.fast_track_id else ""
    actions = [
        (name, transitions.ACTIONS[name].label, FORMS[name](
            initial={**initial, "text": template} if name == "answer_final" and template else initial,
            user=request.user))
        for name in sorted(transitions.available_actions(appeal),
                           key=lambda name: first.index(name) if name in first else len(first))
        if name in mine and name in FORMS
    ]
    correct_form = (CorrectForm(initial={"version": appeal.version}, user=request.user, appeal=appeal)
                    if "correct" in mine else None)
    return render(request, "appeals/workspace/detail.html", {
        "appeal": appeal,
        "correct_form": correct_form,
        "citizen": selectors.appeal_personal_data(appeal=appeal, user=request.user),
        # texts that may carry personal data, as the user may read them (152-ФЗ)
        "title": selectors.appeal_title(appeal=appeal, user=request.user),
        "text": selectors.appeal_text(appeal=appeal, user=request.user),
        "address": selectors.appeal_address(appeal=appeal, user=request.user),
        "problem_title": selectors.problem_title(problem=appeal.problem, user=request.user),
        "events": selectors.appeal_timeline(appeal=appeal, user=request.user),
        "answers": selectors.appeal_answers(appeal=appeal, user=request.user),
        "notices": selectors.appeal_notices(appeal=appeal),
        "clock": selectors.appeal_clock(appeal=appeal, now=timezone.now()),
        "legal_signs": [transitions.ST11_GROUNDS[code][0] if code in transitions.ST11_GROUNDS else code
                        for code in appeal.legal_flags],
        "assignments": selectors.appeal_assignments(appeal=appeal),
        "actions": actions,
        **panel_context(appeal=appeal, user=request.user),  # the card's files (appeals/attachments/), one query
    })


@login_required
def appeal_similar(request, pk: int):
    """The card's «Похожие обращения», loaded after the card itself: the card opens at once, and the
    panel (a search over the subtopic and municipality) follows a moment later."""
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    return render(request, "appeals/search/_similar.html", {
        "appeal": appeal,
        "similar": similar_appeals(user=request.user, appeal=appeal),
        "can_join": may(request.user, PROBLEMS),
    })


@login_required
@require_POST
def appeal_correct(request, pk: int):
    """Corrections of the structured fields from the card; each change becomes an event."""
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    if "correct" not in allowed_actions(request.user):
        raise PermissionDenied("Исправлять поля может ЦУР или МЦУ.")
    form = CorrectForm(request.POST, user=request.user, appeal=appeal)
    if not form.is_valid():
        messages.error(request, "Проверьте поля: " + "; ".join(" ".join(e) for e in form.errors.values()))
        return redirect(appeal.get_absolute_url())
    data = form.cleaned_data
    changes = {name: data[name] for name in ("subtopic", "municipality", "settlement", "address", "importance")
               if name in data}
    if changes["subtopic"] is None:
        changes.pop("subtopic")
    try:
        transitions.appeal_correct(appeal=appeal, by=request.user, changes=changes, expected_version=data["version"])
    except transitions.TransitionRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Поля исправлены; исправления записаны в историю.")
    return redirect(appeal.get_absolute_url())


@login_required
@require_POST
def appeal_action(request, pk: int, action: str):
    """One action of the card: the scoped appeal, the role's right to the action, the form, the service."""
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    if action not in FORMS or action not in allowed_actions(request.user):
        raise PermissionDenied("Это действие недоступно для вашей роли.")
    form = FORMS[action](request.POST, request.FILES, user=request.user)  # an answer carries its files
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
                           for f, e in form.errors.items())
        messages.error(request, f"Проверьте форму «{transitions.ACTIONS[action].label}»: {errors}")
    else:
        try:
            done = transitions.appeal_act(action=action, appeal=appeal, by=request.user, data=form.cleaned_data)
        except transitions.TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"{transitions.action_done(action, done)}.")
    return redirect(appeal.get_absolute_url())


@login_required
def appeal_export_csv(request):
    """CSV of the filtered list in the user's scope (no personal data in exports: exports.py): streamed, or
    a background job with a progress page above CUR_EXPORT_SYNC_MAX rows."""
    appeals = selectors.appeal_filtered(user=request.user, params=request.GET)
    if exports.export_is_large(appeals):
        return export_views.export_start(request, format=ExportJob.Format.CSV)
    response = StreamingHttpResponse(exports.csv_lines(appeals.iterator(chunk_size=2000)),
                                     content_type=exports.CSV_TYPE)
    response["Content-Disposition"] = 'attachment; filename="appeals.csv"'
    return response


@login_required
def appeal_export_xlsx(request):
    """The same export as an Excel workbook (officials work in XLSX): the same columns, scope and masking,
    typed cells and the filters written above the table; a background job above CUR_EXPORT_SYNC_MAX rows."""
    appeals = selectors.appeal_filtered(user=request.user, params=request.GET)
    if exports.export_is_large(appeals):
        return export_views.export_start(request, format=ExportJob.Format.XLSX)
    file = exports.xlsx_file(appeals.iterator(chunk_size=2000), user=request.user, params=request.GET)
    return FileResponse(file, as_attachment=True, filename="appeals.xlsx", content_type=exports.XLSX_TYPE)
