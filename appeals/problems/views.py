"""Problems: the list, one Problem with its appeals, merge and split (ЦУР / МЦУ operators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from appeals.problems import services as problem_services
from appeals.workspace import selectors
from cur.permissions import PROBLEMS, may


def _require_operator(user) -> None:
    if not may(user, PROBLEMS):  # the services check it too; refused here before anything is read
        raise PermissionDenied("Объединять и разделять проблемы может ЦУР или МЦУ.")


@login_required
def problem_list(request):
    return render(request, "appeals/problems/list.html", {"problems": selectors.problem_list(user=request.user)})


@login_required
def problem_detail(request, pk: int):
    problem = selectors.problem_get(user=request.user, pk=pk)
    return render(request, "appeals/problems/detail.html", {
        "problem": problem, "problem_title": selectors.problem_title(problem=problem, user=request.user),
        "appeals": selectors.problem_appeals(user=request.user, problem=problem),
        "can_edit": may(request.user, PROBLEMS),
    })


@login_required
@require_POST
def problem_merge(request, pk: int):
    _require_operator(request.user)
    problem = selectors.problem_get(user=request.user, pk=pk)
    target = request.POST.get("into", "").strip()
    if not target.isdigit():
        messages.error(request, "Укажите номер проблемы, с которой объединить.")
        return redirect("appeals:problem", pk=pk)
    into = selectors.problem_get(user=request.user, pk=int(target))  # 404 outside the scope
    try:
        problem_services.problem_merge(problem=problem, into=into, by=request.user)
    except problem_services.ProblemRefused as refused:
        messages.error(request, str(refused))
        return redirect("appeals:problem", pk=pk)
    messages.success(request, f"Проблемы объединены в № {into.pk}.")
    return redirect("appeals:problem", pk=into.pk)


@login_required
@require_POST
def problem_split(request, pk: int):
    _require_operator(request.user)
    problem = selectors.problem_get(user=request.user, pk=pk)
    visible = {a.pk for a in selectors.problem_appeals(user=request.user, problem=problem)}
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and int(v) in visible]
    try:
        new = problem_services.problem_split(problem=problem, appeal_ids=ids, by=request.user,
                                     title=request.POST.get("title", "").strip())
    except problem_services.ProblemRefused as refused:
        messages.error(request, str(refused))
        return redirect("appeals:problem", pk=pk)
    messages.success(request, f"Выделена новая проблема № {new.pk}: обращений — {len(ids)}.")
    return redirect("appeals:problem", pk=new.pk)


@login_required
@require_POST
def problem_detach(request, pk: int, appeal_pk: int):
    """One appeal is about something else: it leaves the Problem (which dissolves if one is left)."""
    _require_operator(request.user)
    problem = selectors.problem_get(user=request.user, pk=pk)
    appeal = selectors.appeal_get(user=request.user, pk=appeal_pk)
    if appeal.problem_id != problem.pk:
        messages.error(request, f"Обращение № {appeal.number} не входит в эту проблему.")
        return redirect("appeals:problem", pk=pk)
    problem_services.problem_detach(appeal=appeal, by=request.user)
    messages.success(request, f"Обращение № {appeal.number} исключено из проблемы.")
    still = selectors.problem_scope(user=request.user).filter(pk=pk).exists()
    return redirect("appeals:problem", pk=pk) if still else redirect("appeals:problems")


@login_required
@require_POST
def problem_join(request, pk: int, other_pk: int):
    """The card's «similar appeals»: this appeal and a similar one go into one Problem."""
    _require_operator(request.user)
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    other = selectors.appeal_get(user=request.user, pk=other_pk)  # 404 outside the scope
    try:
        problem = problem_services.problem_join(appeal=appeal, other=other, by=request.user)
    except problem_services.ProblemRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Обращения № {appeal.number} и № {other.number} объединены "
                                  f"в проблему № {problem.pk}.")
    return redirect(appeal.get_absolute_url())
