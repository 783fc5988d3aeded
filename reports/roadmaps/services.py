"""Writes of the roadmaps: open one from a conflict situation, a heat-map cell or a Problem (its evidence frozen),
write its measures, approve it, mark measures done, close it; the daily job that reminds of each measure's date
and marks the missed ones. Each step is a RoadmapEvent; the rights and the territory are checked here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from appeals.models import Appeal, Problem
from appeals.privacy import visible_text
from cur.models import Centre, Membership
from cur.notifications import staff_notify
from cur.permissions import ROADMAP_APPROVE, ROADMAP_EDIT, Forbidden, require
from cur.scoping import membership_of, scope_appeals, scope_of
from heatmap.conflicts.services import situation_move
from heatmap.cubes import Slice, area_sums
from heatmap.models import Situation
from municipalities.models import Municipality
from reports.models import Roadmap, RoadmapEvent, RoadmapMeasure

EVIDENCE_WEEKS = 16
EVIDENCE_APPEALS = 200
REMIND_DAYS = (3, 1)


class RoadmapRefused(Exception):
    """Not allowed now (status, a missing field, a stale page); nothing changed."""


@dataclass(frozen=True)
class Target:
    """What a roadmap is about: one municipality and a sector (or one of its subtopics)."""

    region_id: int
    municipality_id: int
    sector_id: int
    subtopic_id: int | None
    agency_id: None = None  # Scope.covers asks it of an executor's scope only (executors keep no roadmaps)


def _require_territory(by, target: Target) -> None:
    require(by, ROADMAP_EDIT, message="Дорожные карты ведут ЦУР и МЦУ.")
    if by is not None and not scope_of(by).covers(target):
        raise Forbidden("Территория или тематика вне вашей зоны ответственности.")


def _centre_of(by, target: Target) -> Centre:
    membership = membership_of(by) if by is not None else None
    if membership is not None and membership.centre is not None:
        return membership.centre
    return (Centre.objects.filter(municipality_id=target.municipality_id).first()
            or Centre.objects.get(level=Centre.Level.REGION, region_id=target.region_id))


def _event(roadmap, kind: str, *, by, at: datetime, note: str = "", measure=None) -> None:
    RoadmapEvent.objects.create(roadmap=roadmap, measure=measure, at=at, kind=kind, note=note,
                                actor=by if getattr(by, "pk", None) else None)


def _evidence(target: Target, *, by, today: date, situation: Situation | None, problem: Problem | None) -> dict:
    """The weekly counts of the cell up to the opening and the appeals behind them, as they are now."""
    first = today - timedelta(weeks=EVIDENCE_WEEKS)
    filters = {"municipality": (target.municipality_id,)} | (
        {"subtopic": (target.subtopic_id,)} if target.subtopic_id else {"sector": (target.sector_id,)})
    weeks = [{"week": row["slot"].isoformat(), "received": row["received"]} for row in sorted(
        area_sums(Slice(region_id=target.region_id, first=first, last=today, slot="week", filters=filters)),
        key=lambda row: row["slot"])]
    appeals = Appeal.objects.filter(region_id=target.region_id, municipality_id=target.municipality_id)
    appeals = appeals.filter(subtopic_id=target.subtopic_id) if target.subtopic_id else appeals.filter(
        sector_id=target.sector_id)
    if problem is not None:
        appeals = Appeal.objects.filter(problem=problem)
    if by is not None:
        appeals = scope_appeals(appeals, by)
    ids = list(appeals.filter(received_at__date__gte=first, received_at__date__lte=today).order_by("-received_at")
               .values_list("pk", flat=True)[:EVIDENCE_APPEALS])
    return {"weeks": weeks, "appeal_ids": ids, "appeals": len(ids), "from": first.isoformat(),
            "to": today.isoformat(),
            "situation": {"id": situation.pk, "title": situation.title, "count": situation.count,
                          "baseline": situation.baseline, "reasons": list(situation.reasons)} if situation else None,
            # a document travels: the Problem's title kept masked (152-ФЗ)
            "problem": {"id": problem.pk, "title": visible_text(problem.title, personal=False)} if problem else None}


@transaction.atomic
def roadmap_open(*, by, title: str, root_cause: str, situation: Situation | None = None,
                 problem: Problem | None = None, municipality: Municipality | None = None, sector=None, subtopic=None,
                 agency=None, curator=None, today: date | None = None) -> Roadmap:
    """A new roadmap (a draft) against the root cause of a situation, a Problem, or a heat-map cell."""
    today = today or timezone.localdate()
    if situation is not None:
        origin = Roadmap.Origin.SITUATION
        municipality, sector, subtopic = situation.municipality, situation.sector, situation.subtopic
    elif problem is not None:
        origin = Roadmap.Origin.PROBLEM
        if problem.municipality is None or problem.subtopic is None:
            raise RoadmapRefused("У проблемы не определены территория и подтема: откройте карту из ячейки.")
        municipality, subtopic = problem.municipality, problem.subtopic
        sector = subtopic.sector
    else:
        origin = Roadmap.Origin.CELL
        if municipality is None or (sector is None and subtopic is None):
            raise RoadmapRefused("Укажите территорию и тематику дорожной карты.")
        sector = subtopic.sector if subtopic is not None else sector
    title, root_cause = (title or "").strip(), (root_cause or "").strip()
    if not title or not root_cause:
        raise RoadmapRefused("Укажите название и корневую причину.")
    target = Target(municipality.region_id, municipality.pk, sector.pk, subtopic.pk if subtopic else None)
    _require_territory(by, target)
    roadmap = Roadmap.objects.create(
        region_id=target.region_id, centre=_centre_of(by, target), title=title[:300], root_cause=root_cause,
        origin=origin, situation=situation, problem=problem, municipality=municipality, sector=sector,
        subtopic=subtopic, agency=agency, curator=curator, opened_on=today, created_by=by,
        evidence=_evidence(target, by=by, today=today, situation=situation, problem=problem))
    now = timezone.now()
    _event(roadmap, "opened", by=by, at=now, note=roadmap.get_origin_display())
    if situation is not None:
        fresh = situation
        if fresh.status == Situation.Status.NEW:
            fresh = situation_move(situation=fresh, to=Situation.Status.UNDER_REVIEW, by=by,
                                   note="для дорожной карты")
        if Situation.Status.ROADMAP in Situation.MOVES[fresh.status]:
            situation_move(situation=fresh, to=Situation.Status.ROADMAP, by=by, note=f"дорожная карта «{title}»")
    return roadmap


def _editable(roadmap: Roadmap, expected_version: int | None) -> Roadmap:
    fresh = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if fresh.status in (Roadmap.Status.DONE, Roadmap.Status.CANCELLED):
        raise RoadmapRefused("Дорожная карта закрыта.")
    if expected_version is not None and fresh.version != expected_version:
        raise RoadmapRefused("Дорожную карту изменили, пока вы её читали: откройте её заново.")
    return fresh


def _target(roadmap: Roadmap) -> Target:
    return Target(roadmap.region_id, roadmap.municipality_id, roadmap.sector_id, roadmap.subtopic_id)


def _bump(roadmap: Roadmap, fields: list[str] = ()) -> None:
    roadmap.version += 1
    roadmap.save(update_fields=[*fields, "version"])


MEASURE_FIELDS = ("action", "responsible", "co_executors", "planned_date", "resources", "expected_result")


@transaction.atomic
def measure_save(*, roadmap: Roadmap, by, values: dict, measure: RoadmapMeasure | None = None,
                 expected_version: int | None = None) -> RoadmapMeasure:
    """Add a measure (numbered next) or change one; the action, the responsible and the planned date are needed."""
    fresh = _editable(roadmap, expected_version)
    _require_territory(by, _target(fresh))
    missing = [label for name, label in (("action", "мероприятие"), ("responsible", "ответственный"),
                                         ("planned_date", "срок")) if not values.get(name)]
    if missing:
        raise RoadmapRefused("Укажите: " + ", ".join(missing) + ".")
    now = timezone.now()
    if measure is None:
        number = (fresh.measures.aggregate(n=Max("number"))["n"] or 0) + 1
        measure = RoadmapMeasure.objects.create(roadmap=fresh, number=number,
                                                **{k: values.get(k) or "" for k in MEASURE_FIELDS
                                                   if k != "planned_date"}, planned_date=values["planned_date"])
        _event(fresh, "measure_added", by=by, at=now, measure=measure, note=f"№ {number}")
    else:
        measure = RoadmapMeasure.objects.select_for_update().get(pk=measure.pk, roadmap=fresh)
        for name in MEASURE_FIELDS:
            if name in values:
                setattr(measure, name, values[name] or ("" if name != "planned_date" else measure.planned_date))
        measure.save()
        _event(fresh, "measure_changed", by=by, at=now, measure=measure, note=f"№ {measure.number}")
    _bump(fresh)
    return measure


@transaction.atomic
def measure_done(*, measure: RoadmapMeasure, by, actual_date: date) -> RoadmapMeasure:
    fresh = _editable(measure.roadmap, None)
    _require_territory(by, _target(fresh))
    measure = RoadmapMeasure.objects.select_for_update().get(pk=measure.pk)
    measure.status, measure.actual_date = RoadmapMeasure.Status.DONE, actual_date
    measure.save(update_fields=["status", "actual_date"])
    late = f", позже срока {measure.planned_date:%d.%m.%Y}" if actual_date > measure.planned_date else ""
    _event(fresh, "measure_done", by=by, at=timezone.now(), measure=measure,
           note=f"№ {measure.number} выполнено {actual_date:%d.%m.%Y}{late}")
    _bump(fresh)
    return measure


@transaction.atomic
def roadmap_approve(*, roadmap: Roadmap, by, expected_version: int | None = None) -> Roadmap:
    fresh = _editable(roadmap, expected_version)
    require(by, ROADMAP_APPROVE, message="Утверждает дорожную карту руководитель центра или куратор.")
    _require_territory(by, _target(fresh))
    if fresh.status != Roadmap.Status.DRAFT:
        raise RoadmapRefused("Дорожная карта уже утверждена.")
    if not fresh.measures.exists():
        raise RoadmapRefused("В дорожной карте нет ни одного мероприятия.")
    fresh.status, fresh.approved_at, fresh.approved_by = Roadmap.Status.APPROVED, timezone.now(), by
    _bump(fresh, ["status", "approved_at", "approved_by"])
    _event(fresh, "approved", by=by, at=fresh.approved_at)
    return fresh


@transaction.atomic
def roadmap_close(*, roadmap: Roadmap, by, status: str, note: str = "") -> Roadmap:
    fresh = _editable(roadmap, None)
    require(by, ROADMAP_APPROVE, message="Закрывает дорожную карту руководитель центра или куратор.")
    _require_territory(by, _target(fresh))
    if status not in (Roadmap.Status.DONE, Roadmap.Status.CANCELLED):
        raise RoadmapRefused("Дорожная карта закрывается как выполненная или отменённая.")
    fresh.status = status
    _bump(fresh, ["status"])
    _event(fresh, status, by=by, at=timezone.now(), note=note.strip())
    return fresh


# --- reminders -------------------------------------------------------------------------------------------

def _recipients(roadmap: Roadmap) -> list[int]:
    staff = list(Membership.objects.filter(centre=roadmap.centre, role__in=(
        Membership.Role.HEAD, Membership.Role.OPERATOR, Membership.Role.IM_POS_OFFICER)).values_list("user_id",
                                                                                                    flat=True))
    return sorted(set(staff + ([roadmap.curator_id] if roadmap.curator_id else [])))


def roadmaps_remind(*, today: date) -> dict[str, int]:
    """Daily: each open measure of an approved roadmap is reminded REMIND_DAYS before its date and marked missed
    the day after it — once each (the measure's events say so)."""
    reminded = missed = 0
    now = timezone.now()
    measures = (RoadmapMeasure.objects.filter(roadmap__status=Roadmap.Status.APPROVED,
                                              status__in=(RoadmapMeasure.Status.PLANNED,
                                                          RoadmapMeasure.Status.IN_PROGRESS),
                                              planned_date__lte=today + timedelta(days=max(REMIND_DAYS)))
                .select_related("roadmap"))
    for measure in measures:
        left = (measure.planned_date - today).days
        kind = "reminded" if left in REMIND_DAYS else "missed" if left < 0 else None
        note = f"до срока {left} дн." if kind == "reminded" else "срок пропущен"
        if kind is None or measure.events.filter(kind=kind, note=note).exists():
            continue
        with transaction.atomic():
            _event(measure.roadmap, kind, by=None, at=now, measure=measure, note=note)
            words = (f"Срок мероприятия {measure.planned_date:%d.%m.%Y}" if kind == "reminded"
                     else "Пропущен срок мероприятия")
            title = f"{words}: «{measure.roadmap.title}», № {measure.number}"[:300]
            staff_notify(_recipients(measure.roadmap), title=title, url=measure.roadmap.get_absolute_url(), at=now)
        reminded += kind == "reminded"
        missed += kind == "missed"
    return {"reminded": reminded, "missed": missed}
