"""The citizen's verdict page: public, no login — the signed link is the only key (appeals/citizen/links.py).

It shows the answer and the answering body, never the citizen's data or the text of the appeal:
whoever holds the link sees no more than the answer it was sent with.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appeals.citizen import contacts, links, verdict
from appeals.models import Satisfaction


@never_cache
@require_http_methods(["GET", "POST"])
def verdict_page(request, token: str):
    try:
        if request.method == "POST":
            appeal = verdict.verdict_give(token=token, satisfaction=request.POST.get("satisfaction", ""))
            return render(request, "appeals/citizen/verdict.html", {"appeal": appeal, "given": appeal.satisfaction,
                                                            "reopened": appeal.is_open})
        appeal = links.verdict_check(token)
    except links.VerdictLinkError as error:
        return render(request, "appeals/citizen/verdict.html", {
            "appeal": error.appeal, "error": error.message, "centre": contacts.verdict_centre(appeal=error.appeal),
        }, status=error.status)
    return render(request, "appeals/citizen/verdict.html", {
        "appeal": appeal, "answer": links.verdict_answer(appeal), "choices": Satisfaction.choices,
    })
