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

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz

from appeals.models import Appeal, AppealEvent, Problem

WINDOW = timedelta(days=30)
SIMILAR = 55  # token-set ratio of word stems, 0–100: tuned on the demo corpus's paraphrases
SAME_ADDRESS_BONUS = 25
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


def similarity(a: Appeal, b: Appeal) -> float:
    score = fuzz.token_set_ratio(stems(f"{a.title} {a.text}"), stems(f"{b.title} {b.text}"))
    key = address_key(a.address)
    if key and key == address_key(b.address):
        score += SAME_ADDRESS_BONUS
    return score


@dataclass
class ClusterResult:
    attached: int = 0  # appeals that joined an existing Problem
    started: int = 0  # Problems started by two new neighbours
    alone: int = 0  # appeals with no neighbour (yet)
    skipped: int = 0  # no subtopic or place: not enough to tell
    problems: set[int] = field(default_factory=set)


def problems_cluster(*, appeal_ids: list[int], now: datetime | None = None) -> ClusterResult:
    """Put each of the given appeals into its Problem, if it has one (run after structuring)."""
    result = ClusterResult()
    for appeal in Appeal.objects.filter(pk__in=appeal_ids, problem__isnull=True).order_by("received_at", "pk"):
        with transaction.atomic():
            _cluster_one(appeal, result, now or timezone.now())
    return result


def _neighbours(appeal: Appeal):
    place = Q(settlement_id=appeal.settlement_id) if appeal.settlement_id else Q(
        municipality_id=appeal.municipality_id, settlement__isnull=True)
    return (Appeal.objects.filter(place, region_id=appeal.region_id, subtopic_id=appeal.subtopic_id,
                                  received_at__gte=appeal.received_at - WINDOW,
                                  received_at__lte=appeal.received_at + WINDOW)
            .exclude(pk=appeal.pk).only("pk", "title", "text", "address", "problem_id", "received_at")
            .order_by("-received_at")[:CANDIDATES])


def _cluster_one(appeal: Appeal, result: ClusterResult, now: datetime) -> None:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.problem_id:
        return
    if not appeal.subtopic_id or not (appeal.settlement_id or appeal.municipality_id):
        result.skipped += 1
        return
    scored = [(similarity(appeal, other), other) for other in _neighbours(appeal)]
    scored = [(score, other) for score, other in scored if score >= SIMILAR]
    if not scored:
        result.alone += 1
        return
    score, best = max(scored, key=lambda pair: (pair[0], pair[1].problem_id is not None))
    if best.problem_id:
        problem = Problem.objects.get(pk=best.problem_id)
        result.attached += 1
    else:
        problem = Problem.objects.create(
            region_id=appeal.region_id, title=(appeal.title or best.title or appeal.text)[:300],
            subtopic_id=appeal.subtopic_id, municipality_id=appeal.municipality_id,
            settlement_id=appeal.settlement_id, address=appeal.address or best.address,
        )
        _move([best], problem, by=None, at=now, reason=f"Найдено похожее обращение № {appeal.number}")
        result.started += 1
    _move([appeal], problem, by=None, at=now, reason=f"Похоже на № {best.number} (сходство {score:.0f})")
    result.problems.add(problem.pk)


def _move(appeals: list[Appeal], problem: Problem | None, *, by, at: datetime, reason: str) -> None:
    for appeal in appeals:
        before = appeal.problem_id
        Appeal.objects.filter(pk=appeal.pk).update(problem=problem, updated_at=at)
        AppealEvent.objects.create(
            appeal_id=appeal.pk, region_id=appeal.region_id, at=at, actor=by, kind=AppealEvent.Kind.FIELD_CHANGED,
            field="problem", old_value=str(before or ""), new_value=str(problem.pk if problem else ""), reason=reason,
        )


class ProblemRefused(ValueError):
    """A merge or split that makes no sense; nothing was changed."""


@transaction.atomic
def problem_merge(*, problem: Problem, into: Problem, by, at: datetime | None = None) -> Problem:
    """All appeals of `problem` join `into`; the emptied Problem is deleted."""
    at = at or timezone.now()
    if problem.pk == into.pk:
        raise ProblemRefused("Проблему нельзя объединить саму с собой.")
    if problem.region_id != into.region_id:
        raise ProblemRefused("Проблемы разных регионов не объединяются.")
    locked = list(Appeal.objects.select_for_update().filter(problem=problem))
    _move(locked, into, by=by, at=at, reason=f"Проблема «{problem}» объединена с «{into}»")
    problem.delete()
    return into


@transaction.atomic
def problem_split(*, problem: Problem, appeal_ids: list[int], by, title: str = "",
                  at: datetime | None = None) -> Problem:
    """The chosen appeals leave `problem` for a new one (they are about something else)."""
    at = at or timezone.now()
    chosen = list(Appeal.objects.select_for_update().filter(problem=problem, pk__in=appeal_ids))
    if not chosen:
        raise ProblemRefused("Отметьте обращения, которые относятся к другой проблеме.")
    if len(chosen) == problem.appeals.count():
        raise ProblemRefused("Нельзя выделить все обращения: проблема осталась бы пустой.")
    first = chosen[0]
    new = Problem.objects.create(
        region_id=problem.region_id, title=(title or first.title or first.text)[:300], subtopic_id=first.subtopic_id,
        municipality_id=first.municipality_id, settlement_id=first.settlement_id, address=first.address,
    )
    _move(chosen, new, by=by, at=at, reason=f"Выделено из проблемы «{problem}»")
    return new


@transaction.atomic
def problem_detach(*, appeal: Appeal, by, at: datetime | None = None) -> None:
    """One appeal is not about this Problem after all; a Problem left with one appeal dissolves."""
    at = at or timezone.now()
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    problem = appeal.problem
    if problem is None:
        raise ProblemRefused("Обращение не входит в проблему.")
    _move([appeal], None, by=by, at=at, reason=f"Исключено из проблемы «{problem}»")
    rest = list(Appeal.objects.select_for_update().filter(problem=problem))
    if len(rest) == 1:
        _move(rest, None, by=by, at=at, reason=f"Проблема «{problem}» распалась: в ней осталось одно обращение")
    if len(rest) <= 1:
        problem.delete()

