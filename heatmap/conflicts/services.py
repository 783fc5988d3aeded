"""The weekly scan for surges, repeat complaints and conflict situations (Celery beat), and the curator's moves
of a situation. Writes go through here; the rules are the region's DetectionRules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from appeals.models import Appeal, Importance
from cur.models import Membership, Subtopic
from cur.notifications import staff_notify
from cur.periods import day_start
from cur.permissions import require
from heatmap.conflicts.detection import YEAR, Rules, Verdict, judge
from heatmap.cubes import Slice, area_sums
from heatmap.models import DetectionRules, Situation, SituationMove
from municipalities.models import Region
from rollups.models import AppealFact, TurnFact


class MoveRefused(Exception):
    pass


@dataclass
class ScanReport:
    week: date
    cells: int = 0  # cells with appeals that week
    surges: int = 0
    repeats: int = 0
    conflicts: int = 0
    created: list[int] = field(default_factory=list)  # new situations' ids


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def situations_scan(*, region: Region, week: date, now: datetime | None = None) -> ScanReport:
    """Judge every territory × subtopic of `week` (a Monday) of the region: surges against the baseline, runs
    of repeat complaints, and — when either comes with low ratings, returns for rework, a collective problem
    or a resonant incident — a conflict situation. Idempotent: a cell-week has one situation, updated by a
    later scan (its status kept), so the beat may scan the running week every hour."""
    now = now or timezone.now()
    settings_row, _ = DetectionRules.objects.get_or_create(region=region)
    rules = Rules.of(settings_row)
    first = week - timedelta(weeks=YEAR + 2)
    rows = area_sums(Slice(region_id=region.pk, first=first, last=week + timedelta(days=6),
                           by=("municipality", "subtopic"), slot="week"))
    index = YEAR + 2
    series: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        if row["municipality"] is None or row["subtopic"] is None:
            continue
        position = (row["slot"] - first).days // 7
        series.setdefault((row["municipality"], row["subtopic"]), [0] * (index + 1))[position] += row["received"]
    seasonal = set(Subtopic.objects.exclude(seasonal="").values_list("pk", flat=True))
    report = ScanReport(week=week, cells=sum(1 for counts in series.values() if counts[index]))
    by_subtopic: dict[int, list[int]] = {}
    for (_, subtopic_id), counts in series.items():
        total = by_subtopic.setdefault(subtopic_id, [0] * (index + 1))
        for position, n in enumerate(counts):
            total[position] += n

    def verdict_of(cell) -> Verdict:
        counts = series.get(cell, [0] * (index + 1))
        elsewhere = [a - b for a, b in zip(by_subtopic.get(cell[1], counts), counts, strict=True)]
        return judge(counts, index, rules=rules, seasonal=cell[1] in seasonal, elsewhere=elsewhere)

    verdicts = {cell: verdict_of(cell) for cell, counts in series.items() if counts[index] >= rules.surge_min_count}
    surges = {cell: v for cell, v in verdicts.items() if v.surge}
    repeats = {cell: n for cell, n in _repeats(region, week, settings_row.repeat_days).items()
               if n >= settings_row.repeat_min_count}
    report.surges, report.repeats = len(surges), len(repeats)
    for cell in set(surges) | set(repeats):
        verdict = surges.get(cell) or verdict_of(cell)
        reasons = _reasons(region, week, cell, settings_row)
        kind = (Situation.Kind.CONFLICT if reasons else
                Situation.Kind.SURGE if cell in surges else Situation.Kind.REPEAT)
        report.conflicts += kind == Situation.Kind.CONFLICT
        situation, created = _store(region, week, cell, kind=kind, verdict=verdict, repeats=repeats.get(cell, 0),
                                    reasons=reasons, now=now)
        if created:
            report.created.append(situation.pk)
    return report


def _store(region, week, cell, *, kind, verdict, repeats, reasons, now) -> tuple[Situation, bool]:
    municipality_id, subtopic_id = cell
    with transaction.atomic():
        situation = (Situation.objects.select_for_update()
                     .filter(region=region, municipality_id=municipality_id, subtopic_id=subtopic_id, week=week)
                     .first())
        created = situation is None
        if created:
            situation = Situation(region=region, municipality_id=municipality_id, subtopic_id=subtopic_id,
                                  sector_id=Subtopic.objects.values_list("sector_id", flat=True).get(pk=subtopic_id),
                                  week=week, detected_at=now)
        escalated = not created and kind == Situation.Kind.CONFLICT and situation.kind != kind
        if created or situation.kind != Situation.Kind.CONFLICT:  # a conflict stays one
            situation.kind = kind
        situation.count, situation.baseline = verdict.count, verdict.baseline
        situation.p_value, situation.repeats, situation.reasons = verdict.p_value, repeats, reasons
        situation.updated_at = now
        situation.save()
        if created or escalated:
            _notify(situation, now=now)
    return situation, created


def _repeats(region: Region, week: date, days: int) -> dict[tuple[int, int], int]:
    """Repeat complaints received in the week, per cell: a repeat consideration (the source's flag or a
    reopening), or a new item on the same subtopic and address as one closed in the `days` before it."""
    start, end = day_start(week), day_start(week + timedelta(days=7))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.municipality_id, a.subtopic_id, count(*)
            FROM appeals_appeal a
            WHERE a.region_id = %(region)s AND a.received_at >= %(start)s AND a.received_at < %(end)s
              AND a.municipality_id IS NOT NULL AND a.subtopic_id IS NOT NULL
              AND (EXISTS (SELECT 1 FROM rollups_appealfact f WHERE f.appeal_id = a.id AND f.is_repeat)
                   OR (a.address <> '' AND EXISTS (
                       SELECT 1 FROM appeals_appeal b
                       WHERE b.region_id = a.region_id AND b.subtopic_id = a.subtopic_id
                         AND lower(b.address) = lower(a.address) AND b.address <> '' AND b.id <> a.id
                         AND b.closed_at >= a.received_at - make_interval(days => %(days)s)
                         AND b.closed_at <= a.received_at)))
            GROUP BY 1, 2
            """,
            {"region": region.pk, "start": start, "end": end, "days": days},
        )
        return {(m, s): n for m, s, n in cursor.fetchall()}


def _reasons(region: Region, week: date, cell: tuple[int, int], rules: DetectionRules) -> list[str]:
    """What makes a surge or a run of repeats a conflict situation, in words (empty: none of it)."""
    municipality_id, subtopic_id = cell
    facts = AppealFact.objects.filter(municipality_id=municipality_id, subtopic_id=subtopic_id,
                                      received_day__range=(week, week + timedelta(days=6)))
    reasons = []
    verdicts = facts.aggregate(rated=Count("pk", filter=Q(satisfied__isnull=False)),
                               unhappy=Count("pk", filter=Q(satisfied=False)))
    if verdicts["rated"] >= 2 and 100 * verdicts["unhappy"] >= rules.not_satisfied_share * verdicts["rated"]:
        reasons.append(f"низкие оценки: «не удовлетворён» {verdicts['unhappy']} из {verdicts['rated']}")
    ids = facts.values("appeal_id")
    reworks = TurnFact.objects.filter(appeal_id__in=ids, is_rework=True).count()
    if reworks >= rules.rework_min:
        reasons.append(f"возвраты на доработку: {reworks}")
    crowded = (Appeal.objects.filter(pk__in=ids, problem__isnull=False).values("problem_id").annotate(n=Count("pk"))
               .filter(n__gte=rules.collective_min).count())
    if crowded:
        reasons.append(f"коллективная проблема: не меньше {rules.collective_min} заявителей об одном и том же")
    resonant = Appeal.objects.filter(pk__in=ids, kind="incident", importance=Importance.HIGH).count()
    if resonant:
        reasons.append(f"резонанс в соцсетях: инцидентов высокой важности {resonant}")
    return reasons


def _notify(situation: Situation, *, now: datetime) -> None:
    """The МЦУ of the territory (its curators and heads) and the heads of the blocks that cover the sector —
    in the МЦУ and in the ЦУР — get a notice in the product; an e-mail follows where they have an address."""
    members = (Membership.objects.filter(centre__region_id=situation.region_id)
               .filter(Q(centre__municipality_id=situation.municipality_id) | Q(centre__municipality__isnull=True))
               .select_related("centre").prefetch_related("blocks__sectors"))
    recipients = []
    for member in members:
        local = member.centre.municipality_id == situation.municipality_id
        if member.role in (Membership.Role.CURATOR, Membership.Role.HEAD) and local:
            recipients.append(member.user_id)
        elif member.role == Membership.Role.SECTOR_HEAD and any(
                sector.pk == situation.sector_id for block in member.blocks.all() for sector in block.sectors.all()):
            recipients.append(member.user_id)
    staff_notify(recipients, title=situation.title, url=situation.get_absolute_url(), at=now)


@transaction.atomic
def situation_move(*, situation: Situation, to: str, by, note: str = "", at: datetime | None = None) -> Situation:
    """The curator's move of a situation (Situation.MOVES), recorded; refused with a message otherwise."""
    at = at or timezone.now()
    fresh = Situation.objects.select_for_update().get(pk=situation.pk)
    require(by, "situation_move", situation=fresh)
    if to not in Situation.MOVES.get(fresh.status, ()):
        raise MoveRefused(f"Нельзя перевести ситуацию из «{fresh.get_status_display()}» в "
                          f"«{dict(Situation.Status.choices).get(to, to)}».")
    SituationMove.objects.create(situation=fresh, at=at, actor=by, old_status=fresh.status, new_status=to,
                                 note=note.strip())
    fresh.status, fresh.updated_at = to, at
    fresh.save(update_fields=["status", "updated_at"])
    return fresh
