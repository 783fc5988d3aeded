"""The executor's inbox: what their body still has in work, counted by state, each count a link to its list.

The counts are one grouped query over the body's open appeals (the scope of an executor is their body:
the (agency, due_at, id) index), and each tab's link is the queue's own filters — so the list a tab
opens is counted by the same conditions as the tab (tests/workspace/test_inbox.py). Every list opens
nearest deadline first: the overdue ones, whose deadline has passed, are on top."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q

from appeals.models import OPEN_STATUSES, Status
from appeals.workspace.filters import filter_query_normalize
from appeals.workspace.selectors import appeal_scope

# key, label, the queue's filters of its list (the status, or every open one), counted from the grouped rows
TABS = (
    ("open", "все в работе", {"state": "open"}),
    ("to_answer", "к ответу", {"status": Status.IN_PROGRESS.value}),
    ("interim", "дан промежуточный ответ", {"status": Status.INTERIM_ANSWERED.value}),
    ("rework", "на доработке", {"status": Status.RETURNED_FOR_REWORK.value}),
    ("clarification", "уточнение у заявителя", {"status": Status.AWAITING_CLARIFICATION.value}),
    ("review", "ответ на проверке", {"status": Status.ANSWERED.value}),
    ("overdue", "просрочено", {"state": "open", "overdue": "true"}),
)
ORDER = {"order": "deadline"}
# the queue an executor opens without parameters (appeals/workspace/views.py: appeal_list)
DEFAULT_QUERY = urlencode({"state": "open", **ORDER})


@dataclass(frozen=True)
class InboxTab:
    key: str
    label: str
    query: str  # the queue's parameters of the tab's list
    count: int
    active: bool  # the list shown now is this tab's


def inbox_counts(*, user) -> dict[str, int]:
    """Open appeals of the user's scope by status, with «overdue» and «open» (all of them): one query."""
    rows = (appeal_scope(user=user).filter(status__in=OPEN_STATUSES).order_by().values("status")
            .annotate(total=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True))))
    counts = {status.value: 0 for status in OPEN_STATUSES} | {"open": 0, "overdue": 0}
    for row in rows:
        counts[row["status"]] = row["total"]
        counts["open"] += row["total"]
        counts["overdue"] += row["overdue"]
    return counts


def inbox_tabs(*, user, query: str = "") -> list[InboxTab]:
    """The inbox's tabs with their counts; `query` is the list shown now (the active tab is its own).
    Tabs of states the body has nothing in are left out, except «все в работе» and «к ответу»."""
    counts = inbox_counts(user=user)
    shown = filter_query_normalize(query or DEFAULT_QUERY)
    tabs = []
    for key, label, params in TABS:
        count = counts["open"] if key == "open" else counts["overdue"] if key == "overdue" else counts[params["status"]]
        if not count and key not in ("open", "to_answer"):
            continue
        tab_query = urlencode({**params, **ORDER})
        tabs.append(InboxTab(key=key, label=label, query=tab_query, count=count,
                             active=filter_query_normalize(tab_query) == shown))
    return tabs
