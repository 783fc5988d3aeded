"""Bulk loading of generated demo appeals with COPY, in parallel worker processes.

Each worker generates a chunk and streams it into PostgreSQL over its own connection, so
generation (Python) and loading (PostgreSQL) overlap on the two cores. Appeal ids are reserved
from the table's sequence up front, so events and answers can reference them without a round trip.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import numpy as np
import psycopg
from django.db import connection, connections, transaction

from appeals.demo import corpus
from appeals.demo.evidence import evidence_attach
from appeals.demo.generator import (
    ANSWER_COLUMNS,
    APPEAL_COLUMNS,
    ASSIGNMENT_COLUMNS,
    EVENT_COLUMNS,
    DemoContext,
    Place,
    agency_profile,
    generate_chunk,
    sample_received,
)
from appeals.lifecycle import deadlines
from appeals.models import Problem
from appeals.search.index import search_index_range_as_stored
from cur.models import Agency, Membership, Subtopic
from cur.selectors import fast_track_rules
from municipalities.models import Municipality, Population, Region, Settlement
from rollups.services import rollups_rebuild

CHUNK = 20_000


def build_context(*, region: Region, now: datetime, problems: int, appeals: int = 0) -> DemoContext:
    """Read the reference data the generator needs into plain values."""
    rules = deadlines.bulk_rules()  # the same SLA rules as every appeal, as plain numbers
    subtopics = [
        (s.pk, s.sector_id, s.code, s.sector.code, s.seasonal,
         rules.message_days.get(s.pk, rules.message_default_days), s.evidence_required)
        for s in Subtopic.objects.filter(is_active=True, sector__centre__isnull=True).select_related("sector")
        .order_by("code")
    ]
    municipalities = list(Municipality.objects.filter(region=region).defer("boundary").order_by("oktmo"))
    population = dict(
        Population.objects.filter(municipality__region=region).order_by("municipality_id", "year")
        .values_list("municipality_id", "population")
    )
    settlements = defaultdict(list)
    for s in Settlement.objects.filter(region=region).order_by("pk"):
        settlements[s.municipality_id].append(s)

    places, weights = [], []
    for m in municipalities:
        people = population.get(m.pk) or sum(s.population or 0 for s in settlements[m.pk]) or 20_000
        local = settlements[m.pk]
        districts = [s for s in local if s.kind == Settlement.Kind.CITY_DISTRICT]
        candidates = districts or local
        if not candidates:
            places.append(Place(m.pk, None, m.name))
            weights.append(people)
            continue
        total = sum(max(s.population or 300, 300) for s in candidates)
        for s in candidates:
            label = s.label
            if s.kind == Settlement.Kind.CITY_DISTRICT:
                label = f"г. {m.name}, {s.name}"
            places.append(Place(m.pk, s.pk, label))
            weights.append(people * max(s.population or 300, 300) / total)

    specialised: dict[tuple[int, int], list[int]] = defaultdict(list)
    regional: dict[int, list[int]] = defaultdict(list)
    administrations: dict[int, int] = {}
    for agency in Agency.objects.filter(region=region, is_active=True).prefetch_related("sectors").order_by("pk"):
        sector_ids = [s.pk for s in agency.sectors.all()]
        if agency.municipality_id is None:
            for sector_id in sector_ids:
                regional[sector_id].append(agency.pk)
        elif agency.kind == Agency.Kind.OMSU and agency.parent_id is None:
            administrations.setdefault(agency.municipality_id, agency.pk)
        elif len(sector_ids) <= 3:  # a body of one trade: МУП ЖКХ, a school, a hospital
            for sector_id in sector_ids:
                specialised[(agency.municipality_id, sector_id)].append(agency.pk)
    fallback = list(Agency.objects.filter(region=region, kind=Agency.Kind.OIV).values_list("pk", flat=True))

    operators: dict[int | None, int] = {}
    executors: dict[int, int] = {}
    for m in Membership.objects.select_related("centre").filter(
        role__in=[Membership.Role.OPERATOR, Membership.Role.IM_POS_OFFICER, Membership.Role.EXECUTOR]
    ):
        if m.role == Membership.Role.EXECUTOR:
            executors[m.agency_id] = m.user_id
        elif m.centre.region_id == region.pk:
            operators.setdefault(m.centre.municipality_id, m.user_id)

    years = range(now.year - 2, now.year + 2)
    holiday_dates = sorted(d for d in holidays_lib.country_holidays("RU", years=years) if isinstance(d, date))
    offset = now.astimezone(ZoneInfo(region.timezone)).utcoffset().total_seconds() / 3600
    ctx = DemoContext(
        region_id=region.pk, tz_offset_hours=offset, now=now, subtopics=subtopics, places=places,
        place_weights=weights, specialised=dict(specialised), administrations=administrations,
        regional=dict(regional), fallback_agencies=fallback, operators=operators,
        executors=executors, holidays=holiday_dates, appeal_days=rules.appeal_days,
        incident_first_days=max(1, -(-rules.incident_first_hours // 8)), incident_final_days=rules.incident_final_days,
        registration_days=rules.registration_days, message_first_days=max(1, -(-rules.message_first_hours // 8)),
        forwarding_days=rules.forwarding_days, min_turn_days=rules.min_turn_working_days,
        incident_first_hours=rules.incident_first_hours, incident_first_hours_high=rules.incident_first_hours_high,
        message_first_hours=rules.message_first_hours,
        profiles={pk: agency_profile(pk) for pk in Agency.objects.filter(region=region).values_list("pk", flat=True)},
        fast_tracks=fast_track_rules(region_id=region.pk),
    )
    ctx.problems = _create_problems(ctx, region, count=problems)
    ctx.plants = _plants(ctx, appeals=appeals)
    return ctx


# What the demo's heat map and conflict situations show: (subtopic, where, how many weeks ago). A burst pipe
# in the МЦУ's own village, a week of snow on one district's roads, uncollected waste in one town.
PLANTS = (("housing.cold_water", "с. Пестравка", 1), ("roads.snow", "Волжский район", 2),
          ("waste.collection_delay", "г. Новокуйбышевск", 1))


def _plants(ctx: DemoContext, *, appeals: int) -> list[tuple]:
    """The planted surges as the generator reads them: some twenty appeals more than usual (more at scale)
    in one place and subtopic over one week, on one street and house."""
    codes = {s[2]: i for i, s in enumerate(ctx.subtopics)}
    names = dict(Municipality.objects.filter(pk__in={p.municipality_id for p in ctx.places})
                 .values_list("pk", "name"))
    weekly = max(appeals * 7 / 365, 1)
    extra = max(20, round(weekly * 0.0015))
    monday = ctx.now.date() - timedelta(days=ctx.now.date().weekday())
    found = []
    for code, where, weeks_ago in PLANTS:
        place = next((i for i, p in enumerate(ctx.places) if where in (p.label, names.get(p.municipality_id))),
                     None)  # a settlement by its label, or a district's first place by the district's name
        if code not in codes or place is None:
            continue  # another region's demo: nothing to plant there
        day = monday - timedelta(weeks=weeks_ago)  # from its Monday 08:00 local time, for six days
        start = datetime(day.year, day.month, day.day, 8, tzinfo=UTC).timestamp() - ctx.tz_offset_hours * 3600
        street = corpus.STREETS[len(found) % len(corpus.STREETS)]
        found.append((codes[code], place, start, start + 6 * 86400, min(1.0, extra / weekly), street, 7 + len(found)))
    return found


def _create_problems(ctx: DemoContext, region: Region, *, count: int) -> list[tuple]:
    """Hot spots that several appeals from different channels will be about."""

    rng = random.Random(1)
    now_ts = ctx.now.timestamp()
    specs = []
    for _ in range(count):
        st_i = rng.randrange(len(ctx.subtopics))
        p_idx = rng.choices(range(len(ctx.places)), weights=ctx.place_weights)[0]
        specs.append((st_i, p_idx, rng.choice(corpus.STREETS), now_ts - rng.uniform(5, 360) * 86400))
    objs = Problem.objects.bulk_create([
        Problem(region=region, title=f"{ctx.subtopics[st_i][2]}: {ctx.places[p_idx].label}, {street}"[:300],
                subtopic_id=ctx.subtopics[st_i][0], municipality_id=ctx.places[p_idx].municipality_id,
                settlement_id=ctx.places[p_idx].settlement_id, address=f"{ctx.places[p_idx].label}, {street}")
        for st_i, p_idx, street, _ in specs
    ])
    # Titles read as «<подтема>: <место>» in Russian once the subtopic name is known.
    names = dict(Subtopic.objects.values_list("pk", "name"))
    for obj in objs:
        obj.title = f"{names[obj.subtopic_id]}: {obj.address}"[:300]
    Problem.objects.bulk_update(objs, ["title"], batch_size=2000)
    problems = [(obj.pk, st_i, p_idx, ctx.places[p_idx].settlement_id, street, centre)
                for obj, (st_i, p_idx, street, centre) in zip(objs, specs, strict=True)]
    return sorted(problems, key=lambda p: p[5])


def reserve_appeal_ids(count: int) -> int:
    """Take `count` consecutive ids from the appeal sequence; return the first one."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE appeals_appeal IN EXCLUSIVE MODE")
        cursor.execute("SELECT pg_get_serial_sequence('appeals_appeal', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM appeals_appeal")
        floor = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = max(cursor.fetchone()[0], floor + 1)
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


_worker_conninfo: dict = {}
_worker_ctx: DemoContext | None = None


def _init_worker(conninfo: dict, ctx: DemoContext) -> None:
    global _worker_ctx
    _worker_conninfo.update(conninfo)
    _worker_ctx = ctx


def _load_chunk(args: tuple[int, np.ndarray, int]) -> tuple[int, int, int]:
    first_id, received, seed = args
    chunk = generate_chunk(ctx=_worker_ctx, first_id=first_id, received=received, seed=seed)
    with psycopg.connect(**_worker_conninfo) as conn, conn.cursor() as cur:
        for table, columns, rows in (
            ("appeals_appeal", APPEAL_COLUMNS, chunk.appeals),
            ("appeals_appealevent", EVENT_COLUMNS, chunk.events),
            ("appeals_answer", ANSWER_COLUMNS, chunk.answers),
            ("appeals_assignment", ASSIGNMENT_COLUMNS, chunk.assignments),
        ):
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    # Searchable at once: our generated texts hold no personal data, so SQL alone indexes them
    # (real appeals go through the indexer that cuts personal data out, appeals/search_index.py).
    search_index_range_as_stored(first_id, first_id + len(chunk.appeals) - 1)
    return len(chunk.appeals), len(chunk.events), len(chunk.answers)


def generate_demo(
    *, appeals: int, region: Region, now: datetime, seed: int = 2026, workers: int = 2,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, int | float]:
    """Generate `appeals` demo appeals (with events and answers) for `region` and COPY them in.

    Returns counts and the elapsed seconds; calls progress(done, total, elapsed) after each chunk.
    """
    started = time.perf_counter()
    ctx = build_context(region=region, now=now, problems=max(appeals // 400, 5), appeals=appeals)
    first_id = reserve_appeal_ids(appeals)
    received = sample_received(now=now, tz_offset_hours=ctx.tz_offset_hours, count=appeals, seed=seed)
    jobs = [
        (first_id + offset, received[offset:offset + CHUNK], seed * 100_003 + offset)
        for offset in range(0, appeals, CHUNK)
    ]
    params = connection.get_connection_params()
    conninfo = {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"} and v}
    connections.close_all()  # forked workers must not share the parent's connection
    totals = {"appeals": 0, "events": 0, "answers": 0}
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(conninfo, ctx)) as pool:
        for n_appeals, n_events, n_answers in pool.imap_unordered(_load_chunk, jobs):
            totals["appeals"] += n_appeals
            totals["events"] += n_events
            totals["answers"] += n_answers
            if progress:
                progress(totals["appeals"], appeals, time.perf_counter() - started)
    # the evidence of the answers marked so is a photo on them, as for real answers (appeals/demo/evidence.py)
    totals["attachments"] = evidence_attach(first_id=first_id, last_id=first_id + appeals - 1)
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map, so index-only scans skip the heap on fresh data.
        cursor.execute("VACUUM (ANALYZE) appeals_appeal, appeals_appealevent, appeals_answer, appeals_appealsearch,"
                       " appeals_searchword, appeals_searchqueue, appeals_attachment, appeals_assignment")
    # the ratings' rollups from the history just written, as `manage.py rollups_rebuild` builds them
    totals["rollup_appeals"] = rollups_rebuild().appeals  # the whole history: the watermark moves with it
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) rollups_turnfact, rollups_agencyday, rollups_agencymonth")
    totals["problems"] = len(ctx.problems)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals

