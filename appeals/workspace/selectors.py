"""Reads of appeals. Every function starts from the scoping layer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Substr
from django.http import QueryDict
from django.shortcuts import get_object_or_404

from appeals.lifecycle import deadlines
from appeals.models import Answer, Appeal, AppealEvent, Notice, Problem, Satisfaction
from appeals.privacy import EXCERPT, MARGIN, visible_rows, visible_text
from appeals.search.query import (
    SearchRequest,
    exact_max,
    identifier_lookup,
    rank_bound,
    search_fragments,
    search_rank,
)
from appeals.workspace.filters import AppealFilter
from cur.scoping import can_see_personal_data, mask_contact, mask_name, scope_appeals

LIST_RELATED = ("municipality", "settlement", "sector", "subtopic", "agency")
# A municipality's boundary is tens of kilobytes of GeoJSON: never fetch it with an appeal.
HEAVY = ("municipality__boundary",)


def appeal_scope(*, user) -> QuerySet[Appeal]:
    return scope_appeals(Appeal.objects.all(), user)


# The columns the queue's rows show: a page reads these and a 220-character excerpt of the text,
# not whole texts (up to a megabyte) nor the dozen other columns of each row and its relations.
QUEUE_COLUMNS = (
    "kind", "channel", "status", "is_overdue", "title", "received_at", "due_at", "region_id", "version",
    "sector__name", "subtopic__name", "municipality__name", "settlement__name", "settlement__kind",
    "agency__short_name",
)
# Relevance pages are counted by offset; past this, the operator should narrow the search.
MAX_RELEVANCE_OFFSET = 1000


@dataclass
class QueuePage:
    """A page of appeals: the filter as understood, the rows, the cursor of the next page, and — when
    searching — the query as searched, how many match (first page only; with `found_more`, more than
    that) and whether any word sufficed."""

    filter: AppealFilter
    rows: list[Appeal]
    next_cursor: str | None
    search: SearchRequest | None = None
    found: int | None = None
    any_word: bool = False
    # `found` is the bound and more match: a very frequent word, ranked over its newest matches only
    found_more: bool = False
    # without a search: how many appeals the filters leave (first page only), exact up to
    # `queue_count_max()`; with `total_more`, more than that
    total: int | None = None
    total_more: bool = False


def appeal_list(
    *, user, params=None, after: str | None = None, limit: int = 50, order: str = "new", compact: bool = False,
) -> QueuePage:
    """A page of the user's appeals with filters and search; see QueuePage.
    `compact`: only the columns of the queue's rows (QUEUE_COLUMNS) and `excerpt` of the text; when
    searching, each row also gets `found_title` and `found_text` with the found words marked.
    The rows are as the user may read them: for roles without personal data (152-ФЗ) their title and
    excerpt are masked (appeals/privacy.py) — display copies, never written back.

    `order`: "new" / "old" — newest / oldest first; "deadline" — nearest deadline first, those without
    a clock (no rule applies) after all the others; "deadline_desc" — the farthest first, those without a
    clock before them; "relevance" (searching only) — best match first, by offset. Keyset pagination
    otherwise (`after` is the cursor of the last row seen): page N costs the same as page 1 at a million
    rows, and each filter column leads an index ending in (due_at, id) — read forwards or backwards.
    """
    page = _appeal_page(user, params or {}, after, limit, order, compact, any_word=False)
    if page.found == 0 and page.search.tsquery_any:
        # all the words together are in no appeal: show those with some of them, best first
        page = _appeal_page(user, params or {}, after, limit, order, compact, any_word=True)
    visible_rows(page.rows, personal=can_see_personal_data(user))
    if compact and page.search and page.rows:
        _mark_found(page, user=user)
    return page


def _appeal_page(user, params, after, limit, order, compact, *, any_word: bool) -> QueuePage:
    filterset = AppealFilter(params, queryset=appeal_scope(user=user), user=user, any_word=any_word)
    qs = filterset.qs if filterset.is_valid() else appeal_scope(user=user).none()
    search = filterset.search if filterset.search and filterset.search.active else None
    offset = 0
    relevance = order == "relevance" and search and search.tsquery
    # within a period, newest (oldest) first is by the time received, along the (region, received_at)
    # index: by id, PostgreSQL would read back through every later appeal to the period's (1.3 s at 1 M
    # for a month half a year back; 0.4 ms this way — docs/benchmarks.md, issue 13)
    by_received = order in ("new", "old") and any(params.get(key) for key in PERIOD_FILTERS)
    sort = False
    if relevance:
        offset = min(int(after), MAX_RELEVANCE_OFFSET) if after and after.isdigit() else 0
    elif order in ("deadline", "deadline_desc"):
        # within a period the deadline index would be read far past the period's rows (930 ms for the
        # last month of a million): the period's rows from (region, received_at), sorted, when not too many
        sort = any(params.get(key) for key in PERIOD_FILTERS) and _planned_rows(qs) <= PERIOD_SORT_MAX
        qs = _deadline_order(qs, _deadline_cursor(after), descending=order == "deadline_desc", sort=sort)
    elif by_received:
        qs = _received_order(qs, _deadline_cursor(after), descending=order == "new")
    elif order == "old":
        qs = qs.order_by("pk")
        if after and after.isdigit():
            qs = qs.filter(pk__gt=int(after))
    else:
        qs = qs.order_by("-pk")
        if after and after.isdigit():
            qs = qs.filter(pk__lt=int(after))
    total, total_more = (None, False) if search or after else _bounded_count(qs)
    found, found_more = None, False
    if search:
        # thousands may match: first the page's ids (and, on the first page, how many match), narrow
        # rows; then those rows
        if search.tsquery and search.predicts_more_than(exact_max(), any_word=any_word):
            head, found, found_more = _frequent_head(qs, search, user, params, after, offset, limit, order,
                                                     rank_bound(), any_word=any_word)
        else:
            head, found = _search_head(qs, search, user, after, offset, limit, relevance, any_word=any_word)
        qs = Appeal.objects.filter(pk__in=head)
    elif sort:
        # sorted in memory: the page's ids first, narrow rows (54 ms for a month of a million, against
        # 170 ms sorting whole rows), then those rows
        head = list(qs.values_list("pk", flat=True)[:limit + 1])
        qs = Appeal.objects.filter(pk__in=head)
    qs = qs.select_related(*LIST_RELATED)
    qs = (qs.only(*QUEUE_COLUMNS).annotate(excerpt=Substr("text", 1, EXCERPT + MARGIN)) if compact
          else qs.defer(*HEAVY))
    if search or sort:
        by_id = qs.in_bulk()
        rows = [by_id[pk] for pk in head if pk in by_id]
    else:
        rows = list(qs[offset:offset + limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        if relevance:  # a frequent word's pages end with its newest `bound` matches by themselves
            next_cursor = str(offset + limit) if offset + limit <= MAX_RELEVANCE_OFFSET else None
        elif order in ("deadline", "deadline_desc"):
            next_cursor = f"{last.due_at.timestamp():.6f}_{last.pk}" if last.due_at else f"none_{last.pk}"
        elif by_received:
            next_cursor = f"{last.received_at.timestamp():.6f}_{last.pk}"
        else:
            next_cursor = str(last.pk)
    return QueuePage(filterset, rows[:limit], next_cursor, search=search, found=found, any_word=any_word,
                     found_more=found_more, total=total, total_more=total_more)


def queue_count_max() -> int:
    """Up to this many the queue's count is exact; past it «более N» (settings.CUR_QUEUE_COUNT_MAX)."""
    return settings.CUR_QUEUE_COUNT_MAX


def _bounded_count(qs) -> tuple[int, bool]:
    """How many rows `qs` has, counted up to `queue_count_max()` + 1 only: a count over a LIMIT reads at
    most that many index entries, so a region's million appeals cost what ten thousand do."""
    bound = queue_count_max()
    counted = qs.order_by()[:bound + 1].count()
    return min(counted, bound), counted > bound


PERIOD_FILTERS = ("period", "received_from", "received_to")


def _received_order(qs, cursor, *, descending: bool):
    """Newest or oldest received first, keyset on (received_at, id)."""
    if descending:
        qs = qs.order_by("-received_at", "-pk")
        if cursor and cursor[0]:
            qs = qs.filter(Q(received_at__lt=cursor[0]) | Q(received_at=cursor[0], pk__lt=cursor[1]))
        return qs
    qs = qs.order_by("received_at", "pk")
    if cursor and cursor[0]:
        qs = qs.filter(Q(received_at__gt=cursor[0]) | Q(received_at=cursor[0], pk__gt=cursor[1]))
    return qs


# Up to this many rows (PostgreSQL's estimate) a period's appeals are sorted by deadline rather than read
# along a deadline index (a quarter of a million: ~0.2 s; the index past it).
PERIOD_SORT_MAX = 200_000


def _deadline_order(qs, cursor, *, descending: bool, sort: bool = False):
    """The deadline orders over the (…, due_at, id) indexes, read forwards (nearest first, no clock last —
    PostgreSQL's NULLS LAST of an ascending index) or backwards (farthest first, no clock first). Nothing
    is left out: an appeal without a deadline is where the user can see it, at one end. `sort`: order by
    an expression no index has (`due_at + 0`), so that PostgreSQL takes the rows by their most selective
    filter and sorts them."""
    due = ExpressionWrapper(F("due_at") + Value(timedelta(0)), output_field=DateTimeField()) if sort else F("due_at")
    if not descending:
        qs = qs.order_by(due.asc(nulls_last=True), "pk")
        if cursor:
            due, pk = cursor
            qs = qs.filter(due_at__isnull=True, pk__gt=pk) if due is None else qs.filter(
                Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk) | Q(due_at__isnull=True))
        return qs
    qs = qs.order_by(due.desc(nulls_first=True), "-pk")
    if cursor:
        due, pk = cursor
        qs = qs.filter(Q(due_at__isnull=True, pk__lt=pk) | Q(due_at__isnull=False)) if due is None else qs.filter(
            Q(due_at__lt=due) | Q(due_at=due, pk__lt=pk))
    return qs


def _search_head(qs, search, user, after, offset, limit, relevance, *, any_word) -> tuple[list[int], int | None]:
    """The page's ids among all the matches, and on the first page how many match: a window over the
    matches in the scope and the filters, counted in the same pass; by relevance every match is ranked."""
    if relevance:
        qs = qs.annotate(rank=search_rank(search, personal=can_see_personal_data(user), any_word=any_word))
        qs = qs.order_by("-rank", "-pk")
    qs = qs.annotate(found=Value(None, IntegerField()) if after else Window(Count("pk")))
    head = list(qs.values_list("pk", "found")[offset:offset + limit + 1])
    return [pk for pk, _ in head], None if after else head[0][1] if head else 0


def _frequent_head(qs, search, user, params, after, offset, limit, order, bound, *, any_word):
    """A query the word statistics predict in more documents than `exact_max()` («прошу» is in 28 % of
    them): ranking and counting every match is what made it slow, so only the newest `bound` + 1 matches
    in the scope and the filters are read (`_newest_matches`) — the count is exact up to `bound` and «more
    than `bound`» past it, and by relevance only the newest `bound` are ranked. Returns the page's ids,
    the count (first page) and whether there are more."""
    relevance = order == "relevance" and search.tsquery
    counted = relevance or not after  # by relevance every page ranks the same newest matches
    newest = _newest_matches(qs, search, bound + 1, any_word=any_word,
                             scope=lambda: _unsearched(user, params)) if counted else []
    found_more = len(newest) > bound
    newest = newest[:bound]
    found = None if after else len(newest)
    if relevance:
        rank = search_rank(search, personal=can_see_personal_data(user), any_word=any_word)
        head = list(Appeal.objects.filter(pk__in=newest).annotate(rank=rank).order_by("-rank", "-pk")
                    .values_list("pk", flat=True)[offset:offset + limit + 1])
    elif order == "new" and not after and bound > limit:
        head = newest[:limit + 1]  # the newest matches are the first page
    else:
        head = list(qs.values_list("pk", flat=True)[:limit + 1])  # the next page in its own order
    return head, found, found_more and not after


# The newest matches of a frequent query are looked for among the newest ids first: as many ids as
# should hold NEWEST_MARGIN times the matches wanted by the word statistics, were the scope the whole
# region and the filters none. A scope or filters that leave fewer go on below it, over a span sized
# by the density just seen but at most NEWEST_WIDEN times longer, down to every id.
NEWEST_MARGIN = 3
NEWEST_WIDEN = 8
# At or above this predicted share the appeals of the span are read newest first, each tested, until
# enough match (a word in 28 % of them: 3 600 rows for 1 000 matches); below it the matches of the span
# come from the GIN index (a bitmap of the word and one of the span's ids) and the newest are kept.
NEWEST_READ_SHARE = 0.05
# When PostgreSQL expects at most this many appeals in the scope and the filters, there are no spans:
# they would test every appeal of a small scope anyway, a pass at a time (a МЦУ: 25 000 appeals at 5 million).
NEWEST_SMALL = 30_000
# The bitmap of a span's ids costs about what fetching as many matches saves: only spans of at most a
# quarter of the ids are cut out of the word's bitmap (600 000 ids of 1 million were 100 ms more, not less).
NEWEST_CUT_SHARE = 4


def _planned_rows(qs) -> float:
    """How many rows PostgreSQL expects `qs` to return (its plan, not a count: a millisecond). A query Django knows
    to be empty (a filter that matched nothing, `.none()`) is never sent, so it has no plan: none expected."""
    if qs.query.is_empty():
        return 0
    return json.loads(qs.explain(format="json"))[0]["Plan"]["Plan Rows"]


def _unsearched(user, params) -> QuerySet[Appeal]:
    """The user's appeals with the list's filters, without the search."""
    params = params.copy()
    params.pop("q", None)
    filterset = AppealFilter(params, queryset=appeal_scope(user=user), user=user)
    return filterset.qs if filterset.is_valid() else appeal_scope(user=user).none()


def _newest_matches(qs, search, count: int, *, any_word: bool, scope) -> list[int]:
    """The ids of the newest `count` matches in `qs` (the scope, the filters and the search), newest first;
    `scope()` is the same without the search.

    Measured at 1 and 5 million appeals (docs/benchmarks.md, issue 12). Left to itself, PostgreSQL either
    reads the appeals newest first testing each — fast for a word in a quarter of them, ~0.75 s for one
    it overestimates (a word with its forms, 1 % of the appeals: 256 000 rows read for 2 000 matches) —
    or takes every match from the GIN index and sorts them, which costs what counting them costs (245–300 ms
    for a 1 % word at 5 million). A span of the newest ids, from the statistics, bounds either way to a
    few times `count` matches, and the way is chosen here by the predicted share, not by the planner."""
    estimate = search.estimate_any if any_word else search.estimate
    if estimate is None:  # the statistics cannot tell (a number): PostgreSQL's own estimate decides
        return list(qs.order_by("-pk").values_list("pk", flat=True)[:count])
    if _planned_rows(scope()) <= NEWEST_SMALL:
        # few appeals in the scope and the filters by PostgreSQL's estimate (a МЦУ's): the spans would
        # test them all anyway, a pass at a time — one pass, planned as PostgreSQL sees best, then the newest
        return list(qs.order_by((F("pk") + 0).desc()).values_list("pk", flat=True)[:count])
    top = Appeal.objects.aggregate(top=Max("pk"))["top"] or 0
    share = min(1.0, max(estimate, 1) / max(top, 1))
    reading = share >= NEWEST_READ_SHARE
    span = max(count, int(NEWEST_MARGIN * count / share))
    ids, ceiling = [], top + 1
    while True:
        floor = max(ceiling - span, 0)
        # the span below the ids read so far: on the appeals' side it bounds the reading; on the
        # documents' side it cuts the word's GIN bitmap by one of the primary key (PostgreSQL carries no
        # range across the join by itself) — worth its cost only for a small part of all the documents
        newest = qs.filter(pk__gt=floor, pk__lt=ceiling) if floor else qs.filter(pk__lt=ceiling)
        if not reading and floor and (ceiling - floor) * NEWEST_CUT_SHARE <= top:
            newest = newest.filter(search__appeal_id__gt=floor, search__appeal_id__lt=ceiling)
        # `pk + 0`: no reading along an index in the order of the ids, whatever PostgreSQL estimates —
        # from the index, or over every id left, where fewer than wanted are expected and reading newest
        # first could not stop early (a small scope: its appeals are tested as they come, then sorted)
        newest = newest.order_by("-pk" if reading and floor else (F("pk") + 0).desc())
        found = list(newest.values_list("pk", flat=True)[:count - len(ids)])
        ids += found
        if len(ids) == count or not floor:
            return ids
        # the next span below: as long as this one's density says the rest needs (half the margin: the
        # density is seen now, not predicted), but at most NEWEST_WIDEN times this one — the newest
        # appeals are not like the others (few are closed yet), so a density seen there may be far off
        wanted = NEWEST_MARGIN / 2 * (count - len(ids)) * span / len(found) if found else span * NEWEST_WIDEN
        span = int(min(wanted, span * NEWEST_WIDEN))
        ceiling = floor + 1


FRAGMENTS_FROM = 20000  # found words are marked in the beginning of a text, up to a megabyte long


def _mark_found(page: QueuePage, *, user) -> None:
    """The found words marked in each row's title and in fragments of its text (as the user may read it)."""
    ids = [appeal.pk for appeal in page.rows]
    personal = can_see_personal_data(user)
    texts = {pk: (visible_text(title, personal=personal), visible_text(head, personal=personal, limit=FRAGMENTS_FROM))
             for pk, title, head in Appeal.objects.filter(pk__in=ids)
             .annotate(head=Substr("text", 1, FRAGMENTS_FROM + MARGIN)).values_list("pk", "title", "head")}
    tsquery = page.search.tsquery_any if page.any_word else page.search.tsquery
    marked = search_fragments(texts, tsquery)
    for appeal in page.rows:
        appeal.found_title, appeal.found_text = marked.get(appeal.pk, ("", ""))


def _deadline_cursor(value: str | None) -> tuple[datetime | None, int] | None:
    """«<unix time>_<id>» → (due_at, id), «none_<id>» → (None, id) for a row without a deadline; anything
    else is no cursor (a hand-edited URL is harmless)."""
    try:
        stamp, pk = (value or "").split("_")
        return (None if stamp == "none" else datetime.fromtimestamp(float(stamp), tz=UTC)), int(pk)
    except (ValueError, OverflowError, OSError):
        return None


def appeal_by_identifier(*, user, typed: str) -> Appeal | None:
    """The user's appeal whose number or external id is exactly `typed`, if there is one."""
    return identifier_lookup(appeal_scope(user=user), typed)


def appeal_filtered(*, user, params) -> QuerySet[Appeal]:
    """All of the user's appeals matching the filters (exports stream this)."""
    filterset = AppealFilter(params or {}, queryset=appeal_scope(user=user), user=user)
    qs = filterset.qs if filterset.is_valid() else appeal_scope(user=user).none()
    return qs.select_related(*LIST_RELATED).defer(*HEAVY).order_by("-pk")


def appeal_get(*, user, pk: int) -> Appeal:
    """One appeal the user may see, or 404 — an appeal outside the scope does not exist for them."""
    return get_object_or_404(
        appeal_scope(user=user).select_related(*LIST_RELATED, "problem", "region", "proposed_agency").defer(*HEAVY),
        pk=pk
    )


def appeal_timeline(*, appeal: Appeal, user) -> list[AppealEvent]:
    """Events in order; corrections carry `field_label`, the Russian name of the corrected field.
    What an event quotes (a question to the citizen, their clarification, a Problem's title, what was
    and what became) is shown as the user may read it (152-ФЗ)."""
    events = list(appeal.events.select_related("actor", "agency").order_by("at", "pk"))
    names = {f.name: f.verbose_name for f in Appeal._meta.get_fields() if hasattr(f, "verbose_name")}
    personal = can_see_personal_data(user)
    for event in events:
        event.field_label = names.get(event.field, event.field) if event.kind == AppealEvent.Kind.FIELD_CHANGED else ""
        if not personal and event.kind == AppealEvent.Kind.ATTACHED:
            # file names may name the citizen («Петров_заявление.pdf») where no masking finds a name
            event.reason = "имена файлов скрыты: персональные данные"
        elif not personal:  # display copies, never saved
            event.reason = visible_text(event.reason, personal=False)
            event.old_value = visible_text(event.old_value, personal=False)
            event.new_value = visible_text(event.new_value, personal=False)
    return events


def appeal_answers(*, appeal: Appeal, user) -> list[Answer]:
    """The answers, oldest first, their texts as the user may read them (display copies, never saved)."""
    answers = list(appeal.answers.select_related("agency", "author").order_by("created_at", "pk"))
    if not can_see_personal_data(user):
        for answer in answers:
            answer.text = visible_text(answer.text, personal=False)
    return answers


def appeal_notices(*, appeal: Appeal) -> list[Notice]:
    """Notices to the citizen about this appeal, oldest first (what was told, how, and whether it went)."""
    return list(appeal.notices.order_by("created_at", "pk"))


def appeal_clock(*, appeal: Appeal, now: datetime) -> dict | None:
    """The deadline clock of an open appeal: share of working time used and what is left,
    on the production calendar and the responsible body's schedule; None without a running deadline."""
    state = deadlines.appeal_clock(appeal, now=now)
    if state is None:
        return None
    return {
        "step": deadlines.clock_step(appeal),
        "percent": min(state.percent_used, 100), "overdue": state.left.total_seconds() < 0,
        "left": deadlines.working_duration(state.left), "allowed": deadlines.working_duration(state.allowed),
        "stopped": state.stopped,
        "tone": "danger" if state.left.total_seconds() < 0 else ("warning" if appeal.is_due_soon else "ok"),
    }


def appeal_assignments(*, appeal: Appeal) -> list[dict]:
    """Each body's turn with the appeal and its own share of working time (ratings judge on it)."""
    turns = appeal.assignments.select_related("agency").order_by("started_at", "pk")
    return [{
        "agency": turn.agency, "started_at": turn.started_at, "ended_at": turn.ended_at,
        "outcome": turn.get_outcome_display() if turn.outcome else "у органа сейчас",
        "working": deadlines.working_duration(timedelta(seconds=turn.working_seconds))
        if turn.working_seconds is not None else "",
    } for turn in turns]


def appeal_text(*, appeal: Appeal, user) -> str:
    """The appeal's text as the user may read it: roles without access to personal data (152-ФЗ)
    see phones, e-mails, names, home addresses and document numbers inside the text masked too."""
    return visible_text(appeal.text, personal=can_see_personal_data(user))


def appeal_address(*, appeal: Appeal, user) -> str:
    """The place of the problem as the user may read it: with a flat number it is someone's home (152-ФЗ)."""
    return visible_text(appeal.address, personal=can_see_personal_data(user))


def appeal_title(*, appeal: Appeal, user) -> str:
    """The appeal's title as the user may read it (152-ФЗ), '' when it has none."""
    return visible_text(appeal.title, personal=can_see_personal_data(user))


def problem_title(*, problem: Problem | None, user) -> str:
    """A Problem's title — made from an appeal's title or text — as the user may read it (152-ФЗ).
    Cut to its stored length, it may end in the middle of a phone: that end is not shown unmasked."""
    if problem is None:
        return ""
    title_length = Problem._meta.get_field("title").max_length
    return visible_text(problem.title, personal=can_see_personal_data(user), limit=title_length - MARGIN)


def appeal_personal_data(*, appeal: Appeal, user) -> dict[str, str]:
    """The citizen's name and contacts — in full for roles that need them, masked otherwise (152-ФЗ)."""
    fields = {
        "name": appeal.citizen_name, "email": appeal.citizen_email,
        "phone": appeal.citizen_phone, "address": appeal.citizen_address,
    }
    if can_see_personal_data(user):
        return fields
    return {
        "name": mask_name(fields["name"]), "email": mask_contact(fields["email"]),
        "phone": mask_contact(fields["phone"]), "address": "скрыто" if fields["address"] else "",
    }


def appeal_recent(*, user, limit: int = 15) -> list[Appeal]:
    """The newest appeals of the user's scope for the home page, as the user may read them."""
    rows = list(appeal_scope(user=user).select_related("municipality").defer(*HEAVY).order_by("-pk")[:limit])
    visible_rows(rows, personal=can_see_personal_data(user))
    return rows


def appeal_kpis(*, user) -> list[dict]:
    """Tiles of the home page over the user's scope: open, overdue, received this week, and the
    satisfaction share over the last 30 days — each with `query`, the queue's filters that list exactly
    the appeals it counts (the same filter code counts them, so the numbers agree). Each count is cut by
    an indexed column first (status, received_at), so the page stays fast at a million appeals."""
    tiles = {"open": "state=open", "overdue": "state=open&overdue=true", "week": "period=week",
             "rated": "period=month&satisfaction=rated"}
    counted = {key: _unsearched(user, QueryDict(query)) for key, query in tiles.items()}
    open_counts = counted["open"].aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    verdicts = counted["rated"].aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
    )
    share = round(100 * verdicts["satisfied"] / verdicts["rated"]) if verdicts["rated"] else None
    return [
        {"label": "В работе", "value": open_counts["open"], "query": tiles["open"]},
        {"label": "Просрочено", "value": open_counts["overdue"], "query": tiles["overdue"],
         "tone": "danger" if open_counts["overdue"] else "ok"},
        {"label": "Поступило за 7 дней", "value": counted["week"].count(), "query": tiles["week"]},
        {
            "label": "Удовлетворены ответом (30 дней)", "value": f"{share} %" if share is not None else "—",
            "hint": f"федеральный ориентир — 80 %; оценок: {verdicts['rated']}", "query": tiles["rated"],
            "tone": None if share is None else ("ok" if share >= 80 else "warning"),
        },
    ]


def appeals_by_ids(*, user, ids: list[int]) -> dict[int, Appeal]:
    """The appeals among `ids` that the user may see, by id, in one query; ids outside the scope
    are simply absent — for the queue's bulk actions, as if those appeals did not exist."""
    return appeal_scope(user=user).in_bulk(ids)


def saved_filters(*, user) -> list:
    """The user's own saved queue views (appeals.SavedFilter), by name."""
    return list(user.saved_filters.order_by("name"))


def problem_scope(*, user) -> QuerySet[Problem]:
    """Problems with at least one appeal the user may see."""
    seen = appeal_scope(user=user).filter(problem__isnull=False).values("problem_id")
    return Problem.objects.filter(pk__in=seen)


def problem_list(*, user, limit: int = 100) -> list[Problem]:
    """The user's Problems, the ones with the latest arrival first, with counts of appeals and channels
    (counted over the appeals the user may see); each with `shown_title`, its title as the user may read it."""
    visible = Q(appeals__in=appeal_scope(user=user))
    rows = list(
        problem_scope(user=user).select_related("subtopic", "municipality", "settlement")
        .annotate(n_appeals=Count("appeals", filter=visible, distinct=True),
                  n_channels=Count("appeals__channel", filter=visible, distinct=True),
                  last_at=Max("appeals__received_at", filter=visible))
        .order_by("-last_at", "-pk")[:limit]
    )
    for problem in rows:
        problem.shown_title = problem_title(problem=problem, user=user)
    return rows


def problem_get(*, user, pk: int) -> Problem:
    return get_object_or_404(
        problem_scope(user=user).select_related("subtopic", "municipality", "settlement").defer(*HEAVY), pk=pk)


def problem_appeals(*, user, problem: Problem) -> list[Appeal]:
    """The Problem's appeals the user may see, in order of arrival, as the user may read them."""
    rows = list(appeal_scope(user=user).filter(problem=problem).select_related(*LIST_RELATED)
                .defer(*HEAVY).order_by("received_at", "pk"))
    visible_rows(rows, personal=can_see_personal_data(user))
    return rows
