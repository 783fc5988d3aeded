"""Synthetic appeals for the demo and the benchmarks — realistic, reproducible, fast.

Pure generation, no database: `generate_chunk` turns a seed and a `DemoContext` (the reference
data as plain tuples) into rows ready for COPY. Realism comes from:
- time: a year back from `now`, weekly rhythm (Monday busiest, Saturday quietest), daily rhythm
  (mornings and evenings), seasonality per subtopic (snow and heating in winter, waste and
  landscaping in summer) taken from the rubricator's `seasonal` column;
- territory: municipalities by population, settlements by population inside them;
- channels: ПОС messages, incidents from social networks, 59-ФЗ appeals by letter / e-mail / web / phone;
- texts: our own corpus (appeals/demo/corpus.py) with typos, CAPS and casual style (noise.py);
- lifecycles by age: registered, assigned, answered on time or late, some returned for rework
  with a formal «отписка», interim answers for incidents, some left without answer under ст. 11,
  open overdue items, citizen verdicts; deadlines on working days of the RU production calendar.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

from appeals.demo import corpus, noise
from appeals.lifecycle.quality import answer_flags
from cur.selectors import fast_track_choose

HOUR = 3600.0
DAY = 86400.0

# Monday … Sunday
WEEKDAY_WEIGHTS = np.array([1.3, 1.2, 1.1, 1.05, 0.95, 0.62, 0.7])
# Local hour of day 0 … 23: mornings at work, evenings at home.
HOUR_WEIGHTS = np.array([
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.0, 2.1, 2.0,
    1.7, 1.6, 1.7, 1.6, 1.5, 1.4, 1.5, 1.7, 1.8, 1.6, 1.0, 0.5,
])
SEASON_FACTORS = {  # month 1 … 12
    "": [1] * 12,
    "winter": [3.0, 3.0, 1.6, 0.4, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 1.6, 3.0],
    "summer": [0.4, 0.4, 0.5, 0.8, 1.4, 2.4, 2.6, 2.4, 1.3, 0.7, 0.5, 0.4],
    "spring-summer": [0.3, 0.3, 0.9, 1.8, 2.2, 2.2, 2.0, 1.8, 1.0, 0.5, 0.3, 0.3],
    "autumn-spring": [1.2, 1.2, 1.2, 1.1, 0.8, 0.2, 0.1, 0.4, 1.4, 1.3, 1.2, 1.2],
    "spring-autumn": [0.5, 0.5, 1.5, 2.0, 1.6, 0.8, 0.7, 0.8, 1.4, 1.8, 1.4, 0.6],
}
SECTOR_WEIGHTS = {
    "housing_utilities": 0.22, "roads": 0.18, "other": 0.14, "waste": 0.10, "healthcare": 0.09,
    "transport": 0.08, "education": 0.07, "social_protection": 0.06, "energy": 0.06,
}
# kind, channel, share
CHANNEL_MIX = [
    ("message", "pos", 0.55),
    ("incident", "incident", 0.25),
    ("appeal", "letter", 0.07),
    ("appeal", "email", 0.06),
    ("appeal", "web", 0.05),
    ("appeal", "phone", 0.02),
]
NETWORKS = ["vk.com/wall-{a}_{b}", "ok.ru/group/{a}/topic/{b}", "t.me/c/{a}/{b}", "max.ru/c/{a}/{b}"]
ST11_REASONS = [
    "Не указаны фамилия и почтовый адрес для ответа (ч. 1 ст. 11 59-ФЗ).",
    "Обращение содержит нецензурные выражения (ч. 3 ст. 11 59-ФЗ).",
    "Текст обращения не поддаётся прочтению (ч. 4 ст. 11 59-ФЗ).",
    "Повторный вопрос, на который ранее давались ответы по существу (ч. 5 ст. 11 59-ФЗ).",
]


@dataclass(frozen=True)
class Place:
    municipality_id: int
    settlement_id: int | None
    label: str  # «с. Пестравка», «г. Тольятти, Автозаводский район»


@dataclass(frozen=True)
class AgencyProfile:
    """How a body of the demo works, so that its ratings say something: the share of its allowed time it
    takes, how often its answer is returned, how often it answers formally, how often the citizen is happy,
    and how often it gets appeals that are not its own (and forwards them)."""

    slowness: float = 1.0
    returned: float = 0.12
    formal: float = 0.06
    satisfied: float = 0.8
    misrouted: float = 0.05


def agency_profile(agency_id: int) -> AgencyProfile:
    """About one body in eight works well, one in seven badly, the others in between — fixed per body."""
    roll = random.Random(agency_id * 7919).random()
    if roll < 0.125:
        return AgencyProfile(slowness=0.5, returned=0.03, formal=0.01, satisfied=0.93, misrouted=0.02)
    if roll > 0.86:
        return AgencyProfile(slowness=1.9, returned=0.32, formal=0.3, satisfied=0.4, misrouted=0.12)
    return AgencyProfile(slowness=0.85 + 0.3 * (roll - 0.125) / 0.735)


@dataclass
class DemoContext:
    """Reference data the generator needs, as plain picklable values."""

    region_id: int
    tz_offset_hours: float  # region's UTC offset (Samara +4, Moscow +3; no DST since 2014)
    now: datetime
    # id, sector_id, code, sector_code, seasonal, ПОС days, evidence required
    subtopics: list[tuple[int, int, str, str, str, int, bool]]
    places: list[Place]
    place_weights: list[float]
    # Routing candidates: a municipality's specialised bodies per sector (МУП ЖКХ, schools, ЦРБ),
    # its administration, and the regional bodies of a sector (ministries, the waste operator).
    specialised: dict[tuple[int, int], list[int]]
    administrations: dict[int, int]
    regional: dict[int, list[int]]
    fallback_agencies: list[int]
    operators: dict[int | None, int]  # municipality_id (None = region) → user id of the operator
    executors: dict[int, int]  # agency id → user id of its executor
    holidays: list[date] = field(default_factory=list)
    # the SLA rules' amounts (appeals/lifecycle/deadlines.py bulk_rules), applied at day grain
    appeal_days: int = 30  # calendar days of a 59-ФЗ answer
    incident_first_days: int = 1  # working days to an incident's first response (8 working hours)
    incident_final_days: int = 7  # working days to its final answer
    registration_days: int = 3  # calendar days to register a 59-ФЗ appeal
    message_first_days: int = 1  # working days for a ПОС message to be taken into work (8 working hours)
    problems: list[tuple[int, int, int, int | None, str, float]] = field(default_factory=list)
    # (problem id, subtopic index, place index, settlement id, street, centre timestamp)
    forwarding_days: int = 7  # calendar days to forward a 59-ФЗ appeal
    min_turn_days: int = 3  # a body's guaranteed share of a turn, working days
    incident_first_hours: int = 8  # working hours to an incident's first response (4 when important)
    incident_first_hours_high: int = 4
    # planted surges (the demo's heat map and conflict situations show them): (subtopic index, place index,
    # window start and end timestamps, the share of the window's appeals moved there, street, house)
    plants: list[tuple[int, int, float, float, float, str, int]] = field(default_factory=list)
    message_first_hours: int = 8  # working hours for a ПОС message to be taken into work
    # agency id → how the body works (AgencyProfile): a few answer fast and well, a few slowly and formally
    profiles: dict[int, AgencyProfile] = field(default_factory=dict)
    # the region's fast-track mechanisms (cur.selectors.FastTrackRule): their body and shorter deadline
    fast_tracks: list = field(default_factory=list)


@dataclass
class Chunk:
    appeals: list[tuple]
    events: list[tuple]
    answers: list[tuple]
    assignments: list[tuple] = field(default_factory=list)


APPEAL_COLUMNS = (
    "id", "region_id", "kind", "channel", "external_id", "status", "importance", "title", "text", "source_url",
    "citizen_name", "citizen_email", "citizen_phone", "citizen_address", "sector_id", "subtopic_id",
    "structuring_confidence", "municipality_id", "settlement_id", "address", "agency_id", "problem_id",
    "received_at", "registered_at", "registration_due_at", "first_response_due_at", "first_response_at", "due_at",
    "answered_at", "closed_at", "is_overdue", "extensions", "satisfaction", "created_at", "updated_at", "version",
    "fast_track_id",
)
EVENT_COLUMNS = (
    "appeal_id", "region_id", "at", "actor_id", "agency_id", "kind", "field", "old_value", "new_value", "reason",
)
ANSWER_COLUMNS = (
    "appeal_id", "region_id", "agency_id", "author_id", "is_interim", "text", "has_evidence", "review", "created_at",
    "flags",
)
ASSIGNMENT_COLUMNS = (
    "appeal_id", "region_id", "agency_id", "started_at", "ended_at", "outcome", "working_seconds", "min_due_at",
    "due_at", "allowed_seconds", "first_response_at", "first_response_seconds", "first_allowed_seconds",
)


def subtopic_probabilities(subtopics, seed: int = 7) -> np.ndarray:
    """12 × len(subtopics) matrix: the chance of each subtopic in each month."""
    rng = np.random.default_rng(seed)
    by_sector: dict[str, int] = {}
    for s in subtopics:
        by_sector[s[3]] = by_sector.get(s[3], 0) + 1
    base = np.array([
        SECTOR_WEIGHTS.get(s[3], 0.02) / by_sector[s[3]] * rng.uniform(0.5, 1.6) for s in subtopics
    ])
    season = np.array([SEASON_FACTORS.get(s[4], SEASON_FACTORS[""]) for s in subtopics]).T  # 12 × n
    p = season * base
    return p / p.sum(axis=1, keepdims=True)


class _Calendar:
    """Working days of the RU production calendar (weekends + holidays) via numpy's busday, read per call from
    tables of the days 2019–2030 (numpy's scalar calls cost more than the rest of a turn: millions of them)."""

    FIRST, LAST = 17897, 21915  # days since 1970-01-01: 2019-01-01 … 2030-01-01

    def __init__(self, holidays: list[date]):
        self.cal = np.busdaycalendar(weekmask="1111100", holidays=np.array(holidays, dtype="datetime64[D]"))
        days = np.arange(self.FIRST, self.LAST, dtype="int64").astype("datetime64[D]")
        working = np.is_busday(days, busdaycal=self.cal)
        self.working = working.tolist()
        # before[i]: working days among FIRST … FIRST+i-1, i.e. the index in `days_at` of the first working
        # day on or after FIRST+i
        self.before = np.concatenate(([0], np.cumsum(working))).tolist()
        self.days_at = (np.flatnonzero(working) + self.FIRST).tolist()

    def add_working_days(self, local_days: np.ndarray, n: np.ndarray) -> np.ndarray:
        return np.busday_offset(local_days, n, roll="forward", busdaycal=self.cal)

    def _offset(self, day: int, n: int) -> int:
        """numpy's busday_offset(day, n, roll="forward") from the tables: the n-th working day from the first
        working day on or after `day`."""
        if self.FIRST <= day < self.LAST:
            index = self.before[day - self.FIRST] + n
            if index < len(self.days_at):
                return self.days_at[index]
        return int(np.busday_offset(np.datetime64(day, "D"), n, roll="forward",
                                    busdaycal=self.cal).astype("int64"))

    def _is_working(self, day: int) -> bool:
        if self.FIRST <= day < self.LAST:
            return self.working[day - self.FIRST]
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self.cal))

    def _count(self, first: int, last: int) -> int:
        """Working days among first … last-1."""
        if self.FIRST <= first <= last <= self.LAST:
            return self.before[last - self.FIRST] - self.before[first - self.FIRST]
        return int(np.busday_count(np.datetime64(first, "D"), np.datetime64(last, "D"), busdaycal=self.cal))

    # The working day of the demo's bodies: 09:00–18:00 with the lunch hour 13–14, in seconds of the local day.
    SPANS = ((9 * HOUR, 13 * HOUR), (14 * HOUR, 18 * HOUR))

    def _day_part(self, day: int, start: float, end: float) -> float:
        if not self._is_working(day):
            return 0.0
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.SPANS)

    def working_seconds(self, start_ts: float, end_ts: float, tz: float) -> int:
        """Working time between two moments on the bodies' schedule and the production calendar."""
        if end_ts <= start_ts:
            return 0
        start, end = start_ts + tz, end_ts + tz
        first, last = int(start // DAY), int(end // DAY)
        if first == last:
            return int(self._day_part(first, start - first * DAY, end - first * DAY))
        total = self._day_part(first, start - first * DAY, DAY) + self._day_part(last, 0.0, end - last * DAY)
        if last - first > 1:
            total += 8 * HOUR * self._count(first + 1, last)
        return int(total)

    def calendar_days_end(self, ts: float, days: int, tz: float) -> float:
        """The end (18:00) of the local date `days` days after `ts`, moved to a working day (ст. 193 ГК РФ)."""
        return self._offset(int((ts + tz) // DAY) + days, 0) * DAY + 18 * HOUR - tz

    def working_days_end(self, ts: float, days: int, tz: float) -> float:
        """The end (18:00) of the `days`-th working day after the local date of `ts`."""
        return self._offset(int((ts + tz) // DAY) + 1, days - 1) * DAY + 18 * HOUR - tz


def sample_received(*, now: datetime, tz_offset_hours: float, count: int, seed: int) -> np.ndarray:
    """Sorted UTC timestamps of `count` arrivals over the year before `now`: days by the weekly
    rhythm and a growing trend, hours by the daily rhythm of the region's local time.

    Sorted, so that ids follow arrival time as they do in real intake."""
    nrng = np.random.default_rng(seed)
    tz = tz_offset_hours * HOUR
    now_ts = now.timestamp()
    first_local_day = math.floor((now_ts - 365 * DAY + tz) / DAY)
    weekdays = (first_local_day + np.arange(365) + 3) % 7  # 1970-01-01 was a Thursday (index 3)
    trend = np.linspace(0.85, 1.15, 365)  # the platform grows: more appeals lately
    day_w = WEEKDAY_WEIGHTS[weekdays] * trend
    days = nrng.choice(365, size=count, p=day_w / day_w.sum())
    hours = nrng.choice(24, size=count, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    local_ts = (first_local_day + days) * DAY + hours * HOUR + nrng.uniform(0, HOUR, size=count)
    return np.sort(np.minimum(local_ts - tz, now_ts - 60))


def generate_chunk(*, ctx: DemoContext, first_id: int, received: np.ndarray, seed: int) -> Chunk:
    """Appeals with ids first_id, first_id+1, … arriving at `received` (UTC timestamps), with
    their events and answers."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    count = len(received)
    tz = ctx.tz_offset_hours * HOUR
    now_ts = ctx.now.timestamp()
    months = np.array([datetime.fromtimestamp(t + tz, UTC).month for t in received]) - 1
    problem_times = [p[5] for p in ctx.problems]  # ctx.problems is sorted by its centre time

    # --- what: subtopic by month (seasonality); where: place by population
    probs = subtopic_probabilities(ctx.subtopics)
    subtopic_idx = np.empty(count, dtype=np.int64)
    for m in range(12):
        mask = months == m
        if mask.any():
            subtopic_idx[mask] = nrng.choice(len(ctx.subtopics), size=int(mask.sum()), p=probs[m])
    weights = np.array(ctx.place_weights)
    place_idx = nrng.choice(len(ctx.places), size=count, p=weights / weights.sum())
    planted = np.full(count, -1, dtype=np.int64)  # the plant an appeal was moved to (-1: none)
    for n, (plant_subtopic, plant_place, start, end, share, _, _) in enumerate(ctx.plants):
        moved = (received >= start) & (received < end) & (nrng.random(count) < share)
        subtopic_idx[moved], place_idx[moved], planted[moved] = plant_subtopic, plant_place, n
    channel_idx = nrng.choice(len(CHANNEL_MIX), size=count, p=[c[2] for c in CHANNEL_MIX])

    # --- deadlines on the production calendar (local dates)
    cal = _Calendar(ctx.holidays)
    local_day = ((received + tz) // DAY).astype("int64").astype("datetime64[D]")
    sla_days = np.array([ctx.subtopics[i][5] for i in subtopic_idx])
    msg_due_day = cal.add_working_days(local_day, sla_days)
    inc_due_day = cal.add_working_days(local_day, np.full(count, ctx.incident_final_days))
    first_due_day = cal.add_working_days(local_day, np.full(count, ctx.incident_first_days))
    msg_first_day = cal.add_working_days(local_day, np.full(count, ctx.message_first_days))
    seconds_in_day = (received + tz) % DAY

    def at_local(day64: np.ndarray) -> np.ndarray:
        return day64.astype("int64") * DAY + seconds_in_day - tz

    due_msg, due_inc, first_due = at_local(msg_due_day), at_local(inc_due_day), at_local(first_due_day)
    msg_first_due = at_local(msg_first_day)
    # Answer time relative to the allowed time: ~85 % on time, a long tail late.
    ratio = np.exp(nrng.normal(-0.75, 0.55, size=count))

    appeals, events, answers, assignments = [], [], [], []
    for i in range(count):
        appeal_id = first_id + i
        kind, channel, _ = CHANNEL_MIX[channel_idx[i]]
        st_i = int(subtopic_idx[i])
        place = ctx.places[place_idx[i]]
        received_ts = float(received[i])
        problem_id = None
        street = rng.choice(corpus.STREETS)
        plant = ctx.plants[planted[i]] if planted[i] >= 0 else None
        if plant is not None:  # a planted surge: one street, one house (its repeat complaints)
            street = plant[5]
        elif rng.random() < 0.08:  # part of a Problem active around this time: same subtopic, place, street
            lo = bisect.bisect_left(problem_times, received_ts - 15 * DAY)
            hi = bisect.bisect_right(problem_times, received_ts + 15 * DAY)
            if hi > lo:
                problem_id, st_i, p_idx, _, street, _ = ctx.problems[rng.randrange(lo, hi)]
                place = ctx.places[p_idx]
        subtopic_id, sector_id, st_code, sector_code, _, _, evidence_required = ctx.subtopics[st_i]
        house = plant[6] if plant is not None else rng.randint(1, 120)
        text = _appeal_text(rng, st_code, place.label, street, house)
        title = rng.choice(corpus.TITLES[st_code]) if kind != "incident" else ""
        if kind == "incident":
            text = f"{rng.choice(corpus.INCIDENT_PREFIXES)} {text}"
        text = noise.noisify(text, rng)

        if kind == "appeal":
            due_ts = received_ts + ctx.appeal_days * DAY
        elif kind == "incident":
            due_ts = float(due_inc[i])
        else:
            due_ts = float(due_msg[i])
        first_due_ts = float(first_due[i]) if kind == "incident" else float(msg_first_due[i]) if kind == "message" \
            else None
        registration_due_ts = received_ts + ctx.registration_days * DAY if kind == "appeal" else None

        agency_id = _route(rng, ctx, place.municipality_id, sector_id)
        # a typical problem with a fast-track mechanism: its body and its shorter deadline (at day grain)
        track = fast_track_choose(ctx.fast_tracks, municipality_id=place.municipality_id, subtopic_id=subtopic_id)
        if track is not None:
            agency_id = track.agency_id
            due_ts = min(due_ts, received_ts + track.deadline_days * DAY)
        operator = ctx.operators.get(place.municipality_id) or ctx.operators.get(None)
        executor = ctx.executors.get(agency_id)
        importance = "high" if kind == "incident" and rng.random() < 0.15 else "normal"
        name, email, phone, postal = _citizen(rng, kind, channel, place.label, street)
        external_id = (
            f"POS-{appeal_id:09d}" if channel == "pos" else f"IM-{appeal_id:09d}" if channel == "incident" else None
        )
        source_url = (
            "https://" + rng.choice(NETWORKS).format(a=rng.randint(10**6, 10**8), b=rng.randint(1, 10**5))
            if kind == "incident" else ""
        )

        ev = events.append
        profile = ctx.profiles.get(agency_id, DEFAULT_PROFILE)
        turns = _Turns(cal, tz, ctx, kind, importance)
        registered_ts = received_ts + rng.uniform(0.2, 3 * (24 if kind == "appeal" else 6)) * HOUR
        assigned_ts = registered_ts + rng.uniform(0.1, 20) * HOUR
        # answer time relative to the allowed time: ~85 % on time, a long tail late; slower bodies later
        answer_ts = received_ts + float(ratio[i]) * profile.slowness * (due_ts - received_ts)
        status, closed_ts, answered_ts, first_resp_ts = "new", None, None, None
        satisfaction = ""
        overdue = False

        ev((appeal_id, ctx.region_id, _dt(received_ts), None, None, "created", "", "", "", ""))
        if registered_ts < now_ts:
            status = "registered"
            ev((appeal_id, ctx.region_id, _dt(registered_ts), operator, None, "registered", "status",
                "new", "registered", ""))
        holder = agency_id
        if assigned_ts < now_ts:
            status = "in_progress"
            # now and then an appeal first goes to a body it is not for, which forwards it to the right one
            misrouted = rng.random() < profile.misrouted
            holder = _wrong_body(rng, ctx, agency_id) if misrouted else agency_id
            ev((appeal_id, ctx.region_id, _dt(assigned_ts), operator, holder, "assigned", "agency", "",
                str(holder), ""))
            turns.open(holder, assigned_ts)
            if holder != agency_id:
                forward_ts = assigned_ts + rng.uniform(2, 24 * (9 if kind == "appeal" else 2)) * HOUR
                if forward_ts < now_ts:
                    ev((appeal_id, ctx.region_id, _dt(forward_ts), operator, agency_id, "forwarded", "agency",
                        str(holder), str(agency_id), "Вопрос не относится к компетенции органа"))
                    turns.close(forward_ts, "forwarded", due_ts)
                    turns.open(agency_id, forward_ts)
                    holder = agency_id
                    assigned_ts = forward_ts
        executor = ctx.executors.get(holder)
        if kind == "appeal" and rng.random() < 0.02 and assigned_ts < now_ts:
            reason = rng.choice(ST11_REASONS)
            status, closed_ts = "left_without_answer", assigned_ts + rng.uniform(1, 48) * HOUR
            if closed_ts < now_ts:
                ev((appeal_id, ctx.region_id, _dt(closed_ts), operator, None, "left_without_answer", "status",
                    "in_progress", status, reason))
                turns.close(closed_ts, "withdrawn", due_ts)
            else:
                status, closed_ts = "in_progress", None
        elif assigned_ts < now_ts and holder == agency_id:
            if kind == "incident":
                first_resp_ts = assigned_ts + rng.uniform(0.3, 1.3) * (first_due_ts - received_ts) * 0.6 \
                    * profile.slowness
                if first_resp_ts < now_ts:
                    status = "interim_answered"
                    answers.append(_answer_row(rng, corpus.INTERIM_ANSWERS, first_resp_ts, appeal_id, ctx.region_id,
                                               agency_id, executor, interim=True, evidence=False,
                                               evidence_required=evidence_required, review="accepted"))
                    ev((appeal_id, ctx.region_id, _dt(first_resp_ts), executor, agency_id, "interim_answered",
                        "status", "in_progress", "interim_answered", ""))
                    turns.first_response(first_resp_ts)
                else:
                    first_resp_ts = None
            answer_ts = max(answer_ts, (first_resp_ts or assigned_ts) + 0.5 * HOUR)
            if rng.random() < 0.03 and answer_ts < now_ts:
                ask_ts = assigned_ts + rng.uniform(2, 30) * HOUR
                if ask_ts < answer_ts:
                    resumed_ts = min(ask_ts + rng.uniform(4, 60) * HOUR, answer_ts)
                    ev((appeal_id, ctx.region_id, _dt(ask_ts), executor, agency_id, "clarification_requested", "",
                        "", "", rng.choice(corpus.CLARIFICATION_REQUESTS)))
                    ev((appeal_id, ctx.region_id, _dt(resumed_ts), None, None, "clarification_received", "", "",
                        "", ""))
                    turns.pause(ask_ts, resumed_ts)
            if answer_ts < now_ts:
                returned = rng.random() < profile.returned
                evidence = sector_code in {"roads", "waste", "other", "housing_utilities"} and rng.random() < 0.7
                if returned:
                    answers.append(_answer_row(rng, corpus.FORMAL_ANSWERS, answer_ts, appeal_id, ctx.region_id,
                                               agency_id, executor, interim=False, evidence=False,
                                               evidence_required=evidence_required, review="returned"))
                    ev((appeal_id, ctx.region_id, _dt(answer_ts), executor, agency_id, "answered", "status",
                        status, "answered", ""))
                    turns.first_response(answer_ts)
                    turns.close(answer_ts, "answered", due_ts)
                    back_ts = min(answer_ts + rng.uniform(2, 30) * HOUR, now_ts - 60)
                    ev((appeal_id, ctx.region_id, _dt(back_ts), operator, agency_id,
                        "returned_for_rework", "status", "answered", "returned_for_rework",
                        rng.choice(corpus.REWORK_REASONS)))
                    turns.open(agency_id, back_ts, share=False)
                    status = "returned_for_rework"
                    answer_ts = back_ts + rng.uniform(4, 96) * HOUR * profile.slowness
                if answer_ts < now_ts:
                    answered_ts = answer_ts
                    formal = rng.random() < profile.formal
                    texts = corpus.FORMAL_ANSWERS if formal else corpus.FINAL_ANSWERS[sector_code]
                    answers.append(_answer_row(rng, texts, answer_ts, appeal_id, ctx.region_id, agency_id, executor,
                                               interim=False, evidence=evidence and not formal,
                                               evidence_required=evidence_required, review="accepted"))
                    ev((appeal_id, ctx.region_id, _dt(answer_ts), executor, agency_id, "answered", "status",
                        status, "answered", ""))
                    turns.first_response(answer_ts)
                    turns.close(answer_ts, "answered", due_ts)
                    status = "answered"
                    review_ts = answer_ts + rng.uniform(0.5, 30) * HOUR
                    if review_ts < now_ts:
                        status, closed_ts = "closed", review_ts
                        ev((appeal_id, ctx.region_id, _dt(review_ts), operator, agency_id, "closed", "status",
                            "answered", "closed", ""))
                        if kind != "appeal" and rng.random() < 0.55:
                            late = answered_ts > due_ts
                            chance = profile.satisfied * (0.5 if late or returned or formal else 1.0)
                            satisfaction = "satisfied" if rng.random() < chance else "not_satisfied"
                            rated_ts = min(review_ts + rng.uniform(1, 72) * HOUR, now_ts - 1)
                            ev((appeal_id, ctx.region_id, _dt(rated_ts), None, agency_id,
                                "rated", "satisfaction", "", satisfaction, ""))
                            if satisfaction == "not_satisfied":
                                # 59-ФЗ: repeat consideration with a fresh deadline, the same body again
                                ev((appeal_id, ctx.region_id, _dt(rated_ts), None, agency_id, "reopened", "status",
                                    "closed", "in_progress",
                                    "Гражданин не удовлетворён ответом — повторное рассмотрение"))
                                turns.open(agency_id, rated_ts)
                                due_ts = float(cal.working_days_end(rated_ts, ctx.incident_final_days, tz))
                                status, closed_ts, answered_ts = "in_progress", None, None
                                again_ts = rated_ts + float(ratio[i]) * profile.slowness * (due_ts - rated_ts)
                                if again_ts + 2 * HOUR < now_ts:
                                    answered_ts = again_ts
                                    answers.append(_answer_row(
                                        rng, corpus.FINAL_ANSWERS[sector_code], again_ts, appeal_id, ctx.region_id,
                                        agency_id, executor, interim=False, evidence=evidence,
                                        evidence_required=evidence_required, review="accepted"))
                                    ev((appeal_id, ctx.region_id, _dt(again_ts), executor, agency_id, "answered",
                                        "status", "in_progress", "answered", ""))
                                    turns.first_response(again_ts)
                                    turns.close(again_ts, "answered", due_ts)
                                    closed_ts = again_ts + HOUR
                                    status = "closed"
                                    ev((appeal_id, ctx.region_id, _dt(closed_ts), operator, agency_id, "closed",
                                        "status", "answered", "closed", ""))
        if assigned_ts < now_ts and status != "left_without_answer":
            overdue = (answered_ts or now_ts) > due_ts
            if overdue and status not in ("closed", "answered"):
                ev((appeal_id, ctx.region_id, _dt(due_ts), None, holder, "overdue", "due_at", "",
                    _dt(due_ts).isoformat(), ""))
        turns.finish(appeal_id, ctx.region_id, assignments)
        if status == "new":
            # not registered yet: its clock is the arrival's (appeals/lifecycle/deadlines.py ARRIVAL_TARGETS)
            due_ts = registration_due_ts if kind == "appeal" else first_due_ts
            overdue = now_ts > due_ts

        confidence = round(rng.uniform(0.35, 0.99), 3)
        appeals.append((
            appeal_id, ctx.region_id, kind, channel, external_id, status, importance, title, text, source_url,
            name, email, phone, postal, sector_id, subtopic_id, confidence, place.municipality_id,
            place.settlement_id, f"{place.label}, {street}, д. {house}", holder, problem_id,
            _dt(received_ts), _dt(registered_ts) if registered_ts < now_ts else None,
            _dt(registration_due_ts) if registration_due_ts else None,
            _dt(first_due_ts) if first_due_ts else None, _dt(first_resp_ts) if first_resp_ts else None,
            _dt(due_ts), _dt(answered_ts) if answered_ts else None, _dt(closed_ts) if closed_ts else None,
            overdue, 0, satisfaction, _dt(received_ts), _dt(now_ts), 1, track.id if track else None,
        ))
    return Chunk(appeals, events, answers, assignments)


DEFAULT_PROFILE = AgencyProfile()


class _Turns:
    """One appeal's turns with the bodies as the lifecycle services record them (appeals/lifecycle/
    assignments.py): each with its working time, the deadline it is judged by and the working time that
    allowed, the first response and its allowance — on the bodies' schedule at day grain (_Calendar)."""

    def __init__(self, cal: _Calendar, tz: float, ctx: DemoContext, kind: str, importance: str):
        self.cal, self.tz, self.ctx, self.kind = cal, tz, ctx, kind
        hours = {"incident": ctx.incident_first_hours_high if importance == "high" else ctx.incident_first_hours,
                 "message": ctx.message_first_hours}.get(kind)
        self.first_allowed = int(hours * HOUR) if hours else None
        self.finished: list[tuple[dict, float, str, float]] = []
        self.current: dict | None = None
        self.pauses: list[tuple[float, float]] = []

    def open(self, agency_id: int, at: float, *, share: bool = True) -> None:
        min_due = self.cal.working_days_end(at, self.ctx.min_turn_days, self.tz) if share else None
        self.current = {"agency": agency_id, "start": at, "min_due": min_due, "first": None}

    def pause(self, asked: float, resumed: float) -> None:
        self.pauses.append((asked, resumed))

    def first_response(self, at: float) -> None:
        if self.current is not None and self.current["first"] is None:
            self.current["first"] = at

    def close(self, at: float, outcome: str, appeal_due: float) -> None:
        turn, self.current = self.current, None
        due = max(appeal_due, turn["min_due"] or appeal_due)
        if outcome == "forwarded" and self.kind == "appeal":  # 59-ФЗ ст. 8 ч. 3, from the turn's own start
            due = min(due, self.cal.calendar_days_end(turn["start"], self.ctx.forwarding_days, self.tz))
        self.finished.append((turn, at, outcome, due))

    def _net(self, start: float, end: float) -> int:
        total = self.cal.working_seconds(start, end, self.tz)
        for asked, resumed in self.pauses:
            if asked < end and resumed > start:
                total -= self.cal.working_seconds(max(asked, start), min(resumed, end), self.tz)
        return max(total, 0)

    def _row(self, appeal_id: int, region_id: int, turn: dict, end, outcome: str, due) -> tuple:
        start, first = turn["start"], turn["first"]
        return (
            appeal_id, region_id, turn["agency"], _dt(start), _dt(end) if end is not None else None, outcome,
            self._net(start, end) if end is not None else None,
            _dt(turn["min_due"]) if turn["min_due"] else None, _dt(due) if due is not None else None,
            # the demo's deadlines do not move with a clarification (rare and short here): nor does the allowance
            self.cal.working_seconds(start, due, self.tz) if due is not None else None,
            _dt(first) if first else None, self._net(start, first) if first else None,
            self.first_allowed if first else None,
        )

    def finish(self, appeal_id: int, region_id: int, out: list) -> None:
        """The turns as ASSIGNMENT_COLUMNS rows, the open one (if any) last."""
        for turn, end, outcome, due in self.finished:
            out.append(self._row(appeal_id, region_id, turn, end, outcome, due))
        if self.current is not None:
            out.append(self._row(appeal_id, region_id, self.current, None, "", None))


def _wrong_body(rng: random.Random, ctx: DemoContext, right: int) -> int:
    """A body an appeal is first sent to by mistake: a regional one, or another municipality's administration."""
    others = [a for a in (ctx.fallback_agencies or list(ctx.administrations.values())) if a != right]
    return rng.choice(others) if others else right


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _appeal_text(rng: random.Random, code: str, place: str, street: str, house: int) -> str:
    template = rng.choice(corpus.APPEAL_TEXTS[code])
    return template.format(
        place=place, street=street, house=house, org_no=rng.randint(1, 180), days=rng.randint(2, 40),
        date=f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}",
    )


def _answer_row(rng: random.Random, texts: list[str], ts: float, appeal_id: int, region_id: int,
                agency_id: int, executor: int | None, *, interim: bool, evidence: bool, evidence_required: bool,
                review: str) -> tuple:
    """An Answer row (ANSWER_COLUMNS), flagged by the same quality check as real answers."""
    when = _dt(ts + rng.uniform(2, 40) * DAY)
    template = rng.choice(texts)
    text = template.format(date=f"{when:%d.%m.%Y}", days=rng.randint(3, 30), org_no=rng.randint(1, 180),
                           place="", street="", house="")
    flags = _flags(template, interim, evidence_required, evidence)
    return (appeal_id, region_id, agency_id, executor, interim, text, evidence, review, _dt(ts), list(flags))


@functools.lru_cache(maxsize=4096)
def _flags(template: str, interim: bool, evidence_required: bool, evidence: bool) -> tuple[str, ...]:
    """Flags depend on the template, not on the dates filled in: computed once per template."""
    sample = template.format(date="01.01.2025", days=10, org_no=1, place="", street="", house="")
    return tuple(answer_flags(text=sample, is_interim=interim, evidence_required=evidence_required,
                              has_evidence=evidence))


def _route(rng: random.Random, ctx: DemoContext, municipality_id: int, sector_id: int) -> int:
    """A specialised local body when there is one, else mostly the municipal administration,
    sometimes a regional body of the sector."""
    specialised = ctx.specialised.get((municipality_id, sector_id))
    administration = ctx.administrations.get(municipality_id)
    regional = ctx.regional.get(sector_id)
    roll = rng.random()
    if specialised and roll < 0.55:
        return rng.choice(specialised)
    if administration and (roll < 0.85 or not regional):
        return administration
    return rng.choice(regional or ctx.fallback_agencies)


def _citizen(rng: random.Random, kind: str, channel: str, place: str, street: str) -> tuple[str, str, str, str]:
    female = rng.random() < 0.56
    surname = rng.choice(corpus.SURNAMES_MALE)
    if female:
        surname = _feminine(surname)
        first, patronymic = rng.choice(corpus.FEMALE_FIRST), rng.choice(corpus.FEMALE_PATRONYMICS)
    else:
        first, patronymic = rng.choice(corpus.MALE_FIRST), rng.choice(corpus.MALE_PATRONYMICS)
    if kind == "incident":  # a social-network profile name
        return f"{first} {surname}", "", "", ""
    name = f"{surname} {first} {patronymic}"
    email = f"user{rng.randint(1000, 999999)}@example.ru" if channel in ("pos", "email", "web") else ""
    phone = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    postal = f"{place}, {street}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 200)}" if kind == "appeal" else ""
    return name, email, phone if rng.random() < 0.7 else "", postal


def _feminine(surname: str) -> str:
    for ending, female in (("ский", "ская"), ("цкий", "цкая"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"),
                           ("ин", "ина"), ("ын", "ына")):
        if surname.endswith(ending):
            return surname[: -len(ending)] + female
    return surname
