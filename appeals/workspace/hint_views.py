"""The anti-«отписка» hints shown under the answer while the executor types (htmx, appeals/workspace/widgets.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from appeals.lifecycle.quality import answer_check
from appeals.lifecycle.transitions import available_actions
from appeals.workspace import selectors
from cur.permissions import require

ANSWER_ACTIONS = ("answer_interim", "answer_final")
# Enough for any real answer; a pasted book is checked by its beginning, the request stays cheap.
HINTS_MAX_CHARS = 20_000


@login_required
@require_POST
def answer_hints(request, pk: int):
    """The hints for the text typed so far: the appeal through the scope (404 outside it), the right to
    answer it (403 otherwise); nothing is written."""
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    action = request.POST.get("action") or "answer_final"
    if action not in ANSWER_ACTIONS or action not in available_actions(appeal):
        raise PermissionDenied("На это обращение сейчас не отвечают.")
    require(request.user, action, appeal=appeal, message="Отвечать на обращение может исполнитель.")
    text = request.POST.get("text", "")[:HINTS_MAX_CHARS]
    files = request.POST.get("files", "")
    check = answer_check(
        text=text, is_interim=action == "answer_interim",
        evidence_required=appeal.needs_evidence,
        # the chosen files are checked by content when the answer is sent; here they only silence the reminder
        has_evidence=files.isdigit() and int(files) > 0,
    )
    return render(request, "appeals/workspace/_answer_hints.html", {"check": check, "typed": bool(text.strip())})
