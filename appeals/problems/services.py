"""Problems: appeals about one thing in one place, found across channels.

A ПОС message, a letter and three VK posts about the same broken water main are one Problem; each
appeal keeps its own answer obligation and deadline. An appeal joins a Problem when it has the same
subtopic and the same settlement (or municipality, when no settlement is known), arrived within
WINDOW of the Problem's latest appeal, and its text is close enough to one of the Problem's appeals
(word-stem overlap; the same street and house count strongly). Two such appeals outside any Problem
start one. Operators merge and split Problems; every move is an AppealEvent of the field «problem».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone
from rapidfuzz import fuzz

from appeals.models import Appeal, AppealEvent, Problem
from cur.permissions import PROBLEMS, may, outside_scope

WINDOW = timedelta(days=30)
SIMILAR = 55  # token-set ratio of word stems, 0–100: tuned on the demo corpus's paraphrases
SAME_ADDRESS_BONUS = 25
LOCK_SPACE = 5011  # pg_advisory_xact_lock(LOCK_SPACE, region): one clusterer per region at a time
CANDIDATES = 200  # the nearest appeals of the same place and subtopic that are compared
STEM = 5  # Russian words compared by their first letters: «горячей», «горячая» → «горяч»
WORD = re.compile(r"[а-яёa-z0-9]+", re.IGNORECASE)
HOUSE = re.compile(r"(?:д\.?|дом)\s*(\d+[а-я]?)", re.IGNORECASE)


def stems(text: str) -> str:
    """The text as a bag of word stems (words shorter than 3 letters dropped)."""
    return " ".join(w[:STEM] for w in WORD.findall(text.lower().replace("ё", "е")) if len(w) > 2)


def address_key(address: str) -> str:
    """«ул. Молодёжная, д. 5» and «Молодежная ул, дом 5» → «молод 5»; '' when no house is given."""
    house = HOUSE.search(address or "")
    street = [w for w in stems(HOUSE.sub(" ", address or "")).split() if w not in {"ул", "улиц", "пр", "просп"}]
    return f"{street[-1]} {house.group(1)}" if house and street else ""


TEXT_LIMIT = 2000  # enough to tell what an appeal is about; a 1 MB text is not compared whole


@dataclass(frozen=True)
class Fingerprint:
    stems: str
    address: str


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0–100 (more with the same house): how likely two appeals are about the same thing."""
    score = fuzz.token_set_ratio(a.stems, b.stems)
    if a.address and a.address == b.address:
        score += SAME_ADDRESS_BONUS
    return score


@dataclass
class ClusterResult:
    attached: int = 0  # appeals that joined an existing Problem
    started: int = 0  # Problems started by two new neighbours
    alone: int = 0  # appeals with no neighbour (yet)
    skipped: int = 0  # no subtopic or place: not enough to tell
    problems: set[int] = field(default_factory=set)
    placed: set[int] = field(default_factory=set)  # appeals given a Problem in this batch


@dataclass(frozen=True)
class _Item:
    """What clustering needs of an appeal: its place in time and its fingerprint."""

    pk: int
    region_id: int
    title: str
    fingerprint: Fingerprint
    problem_id: int | None


ITEM_COLUMNS = ("pk", "region_id", "title", "excerpt", "address", "problem_id")


def _items(queryset, known: dict[int, Fingerprint]) -> list[_Item]:
    """The neighbours as plain rows; fingerprints computed once per batch (neighbourhoods overlap)."""
    rows = queryset.annotate(excerpt=Substr("text", 1, TEXT_LIMIT)).values_list(*ITEM_COLUMNS)
    items = []
    for pk, region, title, text, address, problem in rows:
        if pk not in known:
            known[pk] = Fingerprint(stems(f"{title} {text}"), address_key(address))
        items.append(_Item(pk, region, title, known[pk], problem))
    return items


@transaction.atomic
def problems_cluster(*, appeal_ids: list[int], now: datetime | None = None) -> ClusterResult:
    """Put each of the given appeals into its Problem, if it has one (run after structuring).

    One transaction per batch, and one clusterer per region at a time (an advisory lock): two
    batches running at once never start two Problems for one thing. Neighbours are read as plain
    rows with a bounded excerpt of the text; the batch's moves are written with one UPDATE."""
    now = now or timezone.now()
    result = ClusterResult()
    appeals = list(Appeal.objects.filter(pk__in=appeal_ids, problem__isnull=True)
                   .only("pk", "region_id", "title", "address", "subtopic_id", "municipality_id",
                         "settlement_id", "received_at")
                   .annotate(excerpt=Substr("text", 1, TEXT_LIMIT)).order_by("received_at", "pk"))
    with connection.cursor() as cursor:
        for region_id in sorted({appeal.region_id for appeal in appeals}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, region_id])
    assigned: dict[int, int] = {}  # appeal → Problem, decided in this batch
    known: dict[int, Fingerprint] = {}
    events: list[AppealEvent] = []
    for appeal in appeals:
        if appeal.pk in assigned:  # joined a Problem as the neighbour of an earlier appeal of the batch
            continue
        if not appeal.subtopic_id or not appeal.municipality_id:
            result.skipped += 1
            continue
        mine = Fingerprint(stems(f"{appeal.title} {appeal.excerpt}"), address_key(appeal.address))
        scored = [(similarity(mine, other.fingerprint), other) for other in _items(_neighbours(appeal), known)]
        scored = [(score, other) for score, other in scored if score >= SIMILAR]
        if not scored:
            result.alone += 1
            continue
        problem_of = {other.pk: assigned.get(other.pk, other.problem_id) for _, other in scored}
        score, best = max(scored, key=lambda pair: (pair[0], problem_of[pair[1].pk] is not None))
        problem_id = problem_of[best.pk]
        if problem_id:
            result.attached += 1
        else:
            problem_id = Problem.objects.create(
                region_id=appeal.region_id, title=(appeal.title or best.title or appeal.excerpt)[:300],
                subtopic_id=appeal.subtopic_id, municipality_id=appeal.municipality_id,
                settlement_id=appeal.settlement_id, address=appeal.address,
            ).pk
            assigned[best.pk] = problem_id
            events.append(_event(best.pk, best.region_id, best.problem_id, problem_id, now,
                                 f"Найдено похожее обращение № {appeal.number}"))
            result.started += 1
        assigned[appeal.pk] = problem_id
        events.append(_event(appeal.pk, appeal.region_id, None, problem_id, now,
                             f"Похоже на № {best.pk:07d} (сходство {score:.0f})"))
        result.problems.add(problem_id)
    if assigned:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE appeals_appeal AS a SET problem_id = v.problem, updated_at = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS problem) AS v WHERE a.id = v.id",
                [now, list(assigned), list(assigned.values())],
            )
    AppealEvent.objects.bulk_create(events)
    result.placed = set(assigned)
    return result


def _neighbours(appeal: Appeal):
    place = Q(settlement_id=appeal.settlement_id) if appeal.settlement_id else Q(settlement__isnull=True)
    return (Appeal.objects.filter(place, municipality_id=appeal.municipality_id, subtopic_id=appeal.subtopic_id,
                                  received_at__gte=appeal.received_at - WINDOW,
                                  received_at__lte=appeal.received_at + WINDOW)
            .exclude(pk=appeal.pk).order_by("-received_at")[:CANDIDATES])


def _event(appeal_id: int, region_id: int, old: int | None, new: int | None, at: datetime, reason: str) -> AppealEvent:
    return AppealEvent(appeal_id=appeal_id, region_id=region_id, at=at, kind=AppealEvent.Kind.FIELD_CHANGED,
                       field="problem", old_value=str(old or ""), new_value=str(new or ""), reason=reason)


def _move(appeals: list[Appeal], problem: Problem | None, *, by, at: datetime, reason: str) -> list[AppealEvent]:
    """Set the appeals' Problem; returns the events to write (field «problem», old → new)."""
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(problem=problem, updated_at=at)
    events = [AppealEvent(
        appeal_id=appeal.pk, region_id=appeal.region_id, at=at, actor=by, kind=AppealEvent.Kind.FIELD_CHANGED,
        field="problem", old_value=str(appeal.problem_id or ""), new_value=str(problem.pk if problem else ""),
        reason=reason,
    ) for appeal in appeals]
    for appeal in appeals:
        appeal.problem_id = problem.pk if problem else None
    return events


class ProblemRefused(ValueError):
    """A merge or split that makes no sense; nothing was changed."""


def _require(by, appeals: list[Appeal], *, verb: str) -> None:
    """A person may move appeals between Problems only with the right to correct appeals, and only
    appeals they can see: a sector-block head must not regroup another block's appeals through a Problem
    that holds both. `by=None` is the platform itself (clustering after intake)."""
    if by is None:
        return
    if not may(by, PROBLEMS):
        raise ProblemRefused("Объединять и разделять проблемы может ЦУР или МЦУ.")
    if outside_scope(by, appeals):
        raise ProblemRefused(f"{verb}: в проблеме есть обращения вне вашей зоны ответственности — "
                             "это может сделать оператор МЦУ или ЦУР.")


@transaction.atomic
def problem_merge(*, problem: Problem, into: Problem, by, at: datetime | None = None) -> Problem:
    """All appeals of `problem` join `into`; the emptied Problem is deleted."""
    at = at or timezone.now()
    if problem.pk == into.pk:
        raise ProblemRefused("Проблему нельзя объединить саму с собой.")
    if problem.region_id != into.region_id:
        raise ProblemRefused("Проблемы разных регионов не объединяются.")
    locked = list(Appeal.objects.locked().filter(problem=problem))
    _require(by, locked, verb="Нельзя объединить")
    AppealEvent.objects.bulk_create(
        _move(locked, into, by=by, at=at, reason=f"Проблема «{problem}» объединена с «{into}»"))
    problem.delete()
    return into


@transaction.atomic
def problem_split(*, problem: Problem, appeal_ids: list[int], by, title: str = "",
                  at: datetime | None = None) -> Problem:
    """The chosen appeals leave `problem` for a new one (they are about something else)."""
    at = at or timezone.now()
    chosen = list(Appeal.objects.locked().filter(problem=problem, pk__in=appeal_ids))
    _require(by, chosen, verb="Нельзя выделить")
    if not chosen:
        raise ProblemRefused("Отметьте обращения, которые относятся к другой проблеме.")
    if len(chosen) == problem.appeals.count():
        raise ProblemRefused("Нельзя выделить все обращения: проблема осталась бы пустой.")
    first = chosen[0]
    new = Problem.objects.create(
        region_id=problem.region_id, title=(title or first.title or first.text)[:300], subtopic_id=first.subtopic_id,
        municipality_id=first.municipality_id, settlement_id=first.settlement_id, address=first.address,
    )
    AppealEvent.objects.bulk_create(_move(chosen, new, by=by, at=at, reason=f"Выделено из проблемы «{problem}»"))
    return new


@transaction.atomic
def problem_detach(*, appeal: Appeal, by, at: datetime | None = None) -> None:
    """One appeal is not about this Problem after all; a Problem left with one appeal dissolves."""
    at = at or timezone.now()
    appeal = Appeal.objects.locked().get(pk=appeal.pk)
    _require(by, [appeal], verb="Нельзя исключить")
    problem = appeal.problem
    if problem is None:
        raise ProblemRefused("Обращение не входит в проблему.")
    events = _move([appeal], None, by=by, at=at, reason=f"Исключено из проблемы «{problem}»")
    rest = list(Appeal.objects.locked().filter(problem=problem))
    if len(rest) == 1:
        events += _move(rest, None, by=by, at=at,
                        reason=f"Проблема «{problem}» распалась: в ней осталось одно обращение")
    AppealEvent.objects.bulk_create(events)
    if len(rest) <= 1:
        problem.delete()



@transaction.atomic
def problem_join(*, appeal: Appeal, other: Appeal, by, at: datetime | None = None) -> Problem:
    """Put `appeal` in the same Problem as `other` (the card's «similar appeals»): into `other`'s Problem
    if it has one (leaving its own, which dissolves if one appeal is left, as in problem_detach);
    else `other` joins `appeal`'s; else a new Problem is started from `other` and both join it."""
    at = at or timezone.now()
    if appeal.pk == other.pk:
        raise ProblemRefused("Обращение нельзя объединить с самим собой.")
    locked = {a.pk: a for a in Appeal.objects.locked().filter(pk__in=[appeal.pk, other.pk])}
    appeal, other = locked[appeal.pk], locked[other.pk]
    if appeal.region_id != other.region_id:
        raise ProblemRefused("Обращения разных регионов не объединяются в одну проблему.")
    _require(by, [appeal, other], verb="Нельзя объединить")
    if appeal.problem_id and appeal.problem_id == other.problem_id:
        raise ProblemRefused(f"Обращения № {appeal.number} и № {other.number} уже в одной проблеме.")
    if other.problem_id:
        problem = Problem.objects.get(pk=other.problem_id)
        if appeal.problem_id:
            problem_detach(appeal=appeal, by=by, at=at)
            appeal.problem_id = None
        moving = [appeal]
    elif appeal.problem_id:
        problem, moving = Problem.objects.get(pk=appeal.problem_id), [other]
    else:
        problem = Problem.objects.create(
            region_id=other.region_id, title=(other.title or other.text)[:300], subtopic_id=other.subtopic_id,
            municipality_id=other.municipality_id, settlement_id=other.settlement_id, address=other.address,
        )
        moving = [other, appeal]
    AppealEvent.objects.bulk_create(
        _move(moving, problem, by=by, at=at, reason=f"Объединено с похожим: № {appeal.number} и № {other.number}"))
    return problem
