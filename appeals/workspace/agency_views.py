"""The body picker's JSON (static/js/picker.js): the bodies matching what the operator types."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from appeals.workspace import agencies
from cur.permissions import allowed_actions

ROUTING_ACTIONS = {"assign", "forward"}


@login_required
@require_GET
def agency_suggest(request):
    """?q=<typed>&appeal=<pk>: up to twenty bodies of the user's scope, the appeal's routing proposal
    first (appeals/workspace/agencies.py). Only for roles that route; an appeal outside the scope is 404."""
    if not ROUTING_ACTIONS & allowed_actions(request.user):
        raise PermissionDenied("Выбирать исполнителя может ЦУР или МЦУ.")
    appeal = request.GET.get("appeal") or None
    if appeal is not None and not (appeal.isdigit() and 0 < int(appeal) < 2**63):
        return JsonResponse({"error": "Неверный номер обращения.", "results": []}, status=400)
    try:
        found = agencies.agency_suggestions(user=request.user, query=request.GET.get("q", ""),
                                            appeal_id=int(appeal) if appeal else None,
                                            limit=agencies.SUGGESTIONS + 1)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages), "results": []}, status=400)
    shown = found[:agencies.SUGGESTIONS]
    return JsonResponse({"results": [suggestion.as_json() for suggestion in shown],
                         "more": len(found) > len(shown)})  # more bodies match: the operator types on
