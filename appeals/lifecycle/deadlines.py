"""Deadlines — the one module that applies an SlaPolicy (DESIGN.md §5: deadlines are data, not code).

Rules are SlaPolicy rows (cur/models.py), edited in the admin; the most specific active rule wins
(`policy_for`). Time is the region's production calendar with the working schedule of the body that
holds the appeal (cur/workcalendar.py). Every deadline of an appeal is set here — registration (59-ФЗ
ст. 8), forwarding (ст. 8 ч. 3), first response (incidents), the answer, the extension (ст. 12 ч. 2),
after a clarification, after an interim answer, each body's own deadline in its turn (the ratings') — and
the card's clock starts where `clock_start` says.
A new item's clock runs from its arrival (`arrival_deadline_set`), registration replaces it by the answer's.
The services (appeals/lifecycle/transitions.py, creation.py, intake) call these and store the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db.models import Q

from cur.models import SlaPolicy
from cur.selectors import working_calendar
from cur.workcalendar import WorkingCalendar

Unit = SlaPolicy.Unit
Target = SlaPolicy.Target
# Deadlines of one step (not of the answer): the field of the appeal each one is stored in.
STEP_DEADLINES = {
    Target.FIRST_RESPONSE: "first_response_due_at",
    Target.REGISTRATION: "registration_due_at",
    Target.FORWARDING: "forwarding_due_at",
}


def _rules(*, region_id, kind: str, target: str, channel: str, importance: str):
    """The active rules that may apply to an item of this region, kind, channel and importance."""
    return SlaPolicy.objects.filter(
        Q(channel="") | Q(channel=channel), Q(region__isnull=True) | Q(region_id=region_id),
        Q(importance="") | Q(importance=importance), is_active=True, kind=kind, target=target,
    )


def policy_for(*, appeal, target: str) -> SlaPolicy | None:
    """The most specific active rule for this appeal and target, or None when no rule applies."""
    candidates = _rules(region_id=appeal.region_id, kind=appeal.kind, target=target, channel=appeal.channel,
                        importance=appeal.importance).filter(
        Q(sector__isnull=True) | Q(sector_id=appeal.sector_id),
        Q(subtopic__isnull=True) | Q(subtopic_id=appeal.subtopic_id),
    )
    return max(candidates, key=lambda policy: policy.specificity, default=None)


def policies_by_subtopic(*, region_id, subtopics, kind: str, target: str, channel: str = "",
                         importance: str = "") -> dict[int, SlaPolicy | None]:
    """policy_for for an item of each of `subtopics` (with `pk` and `sector_id`) — the rule it would get — in one
    query over the rules instead of one each (the reference lists of the API and Open311's services)."""
    candidates = list(_rules(region_id=region_id, kind=kind, target=target, channel=channel, importance=importance))
    return {subtopic.pk: max((policy for policy in candidates if policy.sector_id in (None, subtopic.sector_id)
                              and policy.subtopic_id in (None, subtopic.pk)),
                             key=lambda policy: policy.specificity, default=None)
            for subtopic in subtopics}


def deadline(*, calendar: WorkingCalendar, start: datetime, unit: str, amount: int) -> datetime:
    """When `amount` `unit`s counted from `start` run out.

    - calendar days: the end of the working day on the date `amount` days later; a date that falls
      on a day off moves to the next working day (ст. 193 ГК РФ);
    - working days: the end of the `amount`-th working day after the day of `start`;
    - working hours: `amount` hours of working time after `start` (schedule, lunch, holidays).
    """
    if unit == Unit.WORKING_HOURS:
        return calendar.add_working_time(start, timedelta(hours=amount))
    if unit == Unit.WORKING_DAYS:
        return calendar.add_working_days(start, amount)
    day = start.astimezone(calendar.tz).date() + timedelta(days=amount)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return calendar.intervals(day)[-1][1]


def warning_moment(*, calendar: WorkingCalendar, start: datetime, due: datetime, percent: int) -> datetime:
    """The moment `percent` % of the working time between `start` and `due` has passed."""
    allowed = calendar.working_time_between(start, due)
    if not allowed:
        return due
    return calendar.add_working_time(start, allowed * percent / 100)


def resume(*, calendar: WorkingCalendar, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """The deadline after the clock stood still in [paused_at, resumed_at): later by exactly the
    working time that passed during the pause (the citizen was being asked for details)."""
    remaining = calendar.working_time_between(paused_at, due)
    if not remaining:  # already overdue when the clock stopped: the deadline stays where it was
        return due
    return calendar.add_working_time(resumed_at, remaining)


# --- the applications: each deadline of an appeal ------------------------------------------------------


def deadline_set(appeal, *, target: str, start: datetime) -> bool:
    """Set the deadline of `target` counted from `start` by the applicable rule: a step's own field
    (registration, forwarding, first response), or the answer's `due_at` with its warning moment (and
    the overdue flags cleared). Returns False — and changes nothing — when no rule applies."""
    policy = policy_for(appeal=appeal, target=target)
    fast_days = appeal.fast_track.deadline_days if target == Target.FINAL and appeal.fast_track_id else None
    if policy is None and fast_days is None:
        return False
    calendar = working_calendar(region=appeal.region, agency=appeal.agency)
    dues = [deadline(calendar=calendar, start=start, unit=policy.unit, amount=policy.amount)] if policy else []
    if fast_days:  # a fast-track mechanism: its days or the ordinary rule, whichever runs out first
        dues.append(deadline(calendar=calendar, start=start, unit=Unit.CALENDAR_DAYS, amount=fast_days))
    due = min(dues)
    if target in STEP_DEADLINES:
        setattr(appeal, STEP_DEADLINES[target], due)
        return True
    appeal.due_at = due
    appeal.warn_at = warning_moment(calendar=calendar, start=start, due=due,
                                    percent=policy.warn_at_percent if policy else DEFAULT_WARN_PERCENT)
    appeal.is_overdue = appeal.is_due_soon = False
    return True


DEFAULT_WARN_PERCENT = SlaPolicy._meta.get_field("warn_at_percent").default


def fast_track_shorten(appeal) -> bool:
    """An appeal marked fast-track after registration (its topic found or corrected later): the answer's
    deadline moves up to the mechanism's — never later than it stands (the citizen may have been told it).
    True when it moved."""
    if not appeal.fast_track_id or not appeal.is_open or appeal.due_at is None or appeal.status == "new":
        return False
    if appeal.paused_at is not None:  # waiting for the citizen: the clock stands, it moves when resumed
        return False
    start = clock_start(appeal)
    if start is None:
        return False
    calendar = working_calendar(region=appeal.region, agency=appeal.agency)
    due = deadline(calendar=calendar, start=start, unit=Unit.CALENDAR_DAYS, amount=appeal.fast_track.deadline_days)
    if due >= appeal.due_at:
        return False
    appeal.due_at = due
    appeal.warn_at = warning_moment(calendar=calendar, start=start, due=due, percent=DEFAULT_WARN_PERCENT)
    appeal.is_due_soon = False
    return True


# The clock of a new item, from the moment it arrives (nothing waits unseen): a 59-ФЗ appeal must be
# registered (ст. 8 ч. 2, three days); a ПОС message and an incident owe a first response (ПОС: taken into
# work within the working day; ИМ: 8 working hours, 4 when important). The step's own field keeps it, and
# `due_at` — the deadline the queue orders by — holds it until registration sets the answer's.
ARRIVAL_TARGETS = {"appeal": Target.REGISTRATION, "message": Target.FIRST_RESPONSE, "incident": Target.FIRST_RESPONSE}


def arrival_deadline_set(appeal) -> bool:
    """Set a new item's clock from its receipt: the step's field (registration or first response), `due_at`
    and its warning moment. False — and nothing changed — when no rule applies."""
    target = ARRIVAL_TARGETS.get(appeal.kind)
    policy = policy_for(appeal=appeal, target=target) if target else None
    if policy is None:
        return False
    calendar = working_calendar(region=appeal.region)
    _arrival_apply(appeal, target, policy, calendar)
    return True


def _arrival_apply(appeal_or_item, target: str, policy: SlaPolicy, calendar: WorkingCalendar) -> None:
    start = appeal_or_item.received_at
    due = deadline(calendar=calendar, start=start, unit=policy.unit, amount=policy.amount)
    setattr(appeal_or_item, STEP_DEADLINES[target], due)
    appeal_or_item.due_at = due
    if policy.unit == Unit.WORKING_HOURS:  # the working time allowed is the rule's hours: no need to count it
        warn_after = timedelta(hours=policy.amount) * policy.warn_at_percent / 100
        appeal_or_item.warn_at = calendar.add_working_time(start, warn_after)
    else:
        appeal_or_item.warn_at = warning_moment(calendar=calendar, start=start, due=due,
                                                percent=policy.warn_at_percent)


@dataclass(frozen=True)
class ArrivalClock:
    """A new item's clock as intake stores it (appeals/intake/upsert.py)."""

    registration_due_at: datetime | None = None
    first_response_due_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None


def arrival_deadlines_of_items(*, region, model) -> Callable:
    """`arrival_deadline_set` for a batch of incoming items (intake): item → ArrivalClock, the rule looked
    up once per (kind, channel, importance) rather than once per item. `model` is the Appeal class (a probe
    appeal of the item's kind and channel asks `policy_for`)."""
    policies: dict[tuple[str, str, str], SlaPolicy | None] = {}
    calendar: WorkingCalendar | None = None

    def clock_of(item) -> ArrivalClock:
        nonlocal calendar
        target = ARRIVAL_TARGETS.get(item.kind)
        key = (item.kind, item.channel, item.importance)
        if key not in policies:
            probe = model(region=region, kind=item.kind, channel=item.channel, importance=item.importance)
            policies[key] = policy_for(appeal=probe, target=target) if target else None
        policy = policies[key]
        if policy is None:
            return ArrivalClock()
        calendar = calendar or working_calendar(region=region)
        # a plain namespace, not a model instance: intake computes this for every item of every batch
        clock = SimpleNamespace(received_at=item.received_at, registration_due_at=None, first_response_due_at=None)
        _arrival_apply(clock, target, policy, calendar)
        return ArrivalClock(registration_due_at=clock.registration_due_at,
                            first_response_due_at=clock.first_response_due_at, due_at=clock.due_at,
                            warn_at=clock.warn_at)

    return clock_of


# --- a body's own turn with an appeal (appeals/lifecycle/assignments.py; the ratings judge each turn) ----

# A body that gets an appeal close to the citizen's deadline — assigned late, forwarded on day 28 of 30 —
# is not blamed for time it never held: its own deadline is at least this many working days from receipt.
MIN_TURN_WORKING_DAYS = 3


def turn_min_due(*, calendar: WorkingCalendar, start: datetime) -> datetime:
    """The least deadline of a body's turn that starts at `start` (its guaranteed share)."""
    return calendar.add_working_days(start, MIN_TURN_WORKING_DAYS)


def turn_due(appeal, *, started_at: datetime, min_due_at: datetime | None, forwarded: bool,
             calendar: WorkingCalendar) -> datetime | None:
    """The deadline a finished turn is judged by: the citizen's deadline as it stands at the end of the
    turn (extensions and clarification pauses included), never before the body's guaranteed share; a
    turn that ended in a forwarding must also have forwarded within the forwarding rule (59-ФЗ ст. 8 ч. 3:
    seven days), counted from the turn's own start."""
    due = max((d for d in (appeal.due_at, min_due_at) if d is not None), default=None)
    if forwarded:
        policy = policy_for(appeal=appeal, target=Target.FORWARDING)
        if policy is not None:
            forward_due = deadline(calendar=calendar, start=started_at, unit=policy.unit, amount=policy.amount)
            due = forward_due if due is None else min(due, forward_due)
    return due


def turn_first_response_due(appeal, *, start: datetime, calendar: WorkingCalendar) -> datetime | None:
    """When a body's first response in a turn starting at `start` is due by the kind's first-response rule
    (an incident: 8 working hours, 4 when important; a ПОС message: taken into work within the working day);
    None for a 59-ФЗ appeal, which has no such step."""
    policy = policy_for(appeal=appeal, target=Target.FIRST_RESPONSE)
    if policy is None:
        return None
    return deadline(calendar=calendar, start=start, unit=policy.unit, amount=policy.amount)


def has_rule(appeal, target: str) -> bool:
    """Whether a rule applies (e.g. an incident's final answer after an interim one)."""
    return policy_for(appeal=appeal, target=target) is not None


def extension_due(appeal, *, days: int) -> datetime:
    """59-ФЗ ст. 12 ч. 2: the answer's deadline moved by `days` calendar days (to a working day)."""
    calendar = working_calendar(region=appeal.region, agency=appeal.agency)
    return deadline(calendar=calendar, start=appeal.due_at, unit=Unit.CALENDAR_DAYS, amount=days)


def deadlines_resume(appeal, *, at: datetime) -> None:
    """The citizen answered a clarification: `due_at` and the warning moment move later by exactly the
    working time the clock stood still (from `paused_at` to `at`)."""
    calendar = working_calendar(region=appeal.region, agency=appeal.agency)
    if appeal.due_at:
        appeal.due_at = resume(calendar=calendar, due=appeal.due_at, paused_at=appeal.paused_at, resumed_at=at)
    if appeal.warn_at:
        appeal.warn_at = resume(calendar=calendar, due=appeal.warn_at, paused_at=appeal.paused_at, resumed_at=at)


def clock_start(appeal) -> datetime | None:
    """Where the running clock starts: a new item's (registration, first response) and an incident's answer
    at its receipt, the others' answer at registration."""
    return appeal.received_at if appeal.kind == "incident" or appeal.status == "new" else appeal.registered_at


def clock_step(appeal) -> str:
    """What the running clock counts down to, in words for the card and the queue."""
    if appeal.status != "new":
        return "ответ"
    return "регистрация" if ARRIVAL_TARGETS.get(appeal.kind) == Target.REGISTRATION else "первичный ответ"


def appeal_clock(appeal, *, now: datetime) -> Clock | None:
    """The card's clock of an open appeal on the holder's calendar; None without a running deadline."""
    start = clock_start(appeal)
    if not appeal.is_open or appeal.due_at is None or start is None or start >= appeal.due_at:
        return None
    calendar = working_calendar(region=appeal.region, agency=appeal.agency)
    return clock(calendar=calendar, start=start, due=appeal.due_at, now=now, paused_at=appeal.paused_at)


@dataclass(frozen=True)
class BulkRules:
    """The rules as plain numbers, for the synthetic data generator (appeals/demo), which computes the
    deadlines of a million appeals with NumPy instead of one `deadline` call each: the amounts are the
    rules', the arithmetic is at day grain (see docs/architecture.md, «Deadlines»)."""

    message_days: dict[int, int]  # subtopic id → working days of a ПОС message's answer
    message_default_days: int
    appeal_days: int  # calendar days of a 59-ФЗ answer
    incident_first_hours: int  # working hours to the first response
    incident_first_hours_high: int  # the same for an important incident
    registration_days: int  # calendar days to register a 59-ФЗ appeal
    message_first_hours: int  # working hours for a ПОС message to be taken into work
    incident_final_days: int  # working days to the final answer after the interim one
    forwarding_days: int  # calendar days to forward a 59-ФЗ appeal to the competent body
    min_turn_working_days: int  # a body's guaranteed share of a turn (MIN_TURN_WORKING_DAYS)


def bulk_rules() -> BulkRules:
    def amount(importance: str = "", **where) -> int:
        rule = (SlaPolicy.objects.filter(is_active=True, region__isnull=True, channel="", importance=importance,
                                         **where).order_by("subtopic_id", "sector_id").first())
        return rule.amount if rule else 0

    by_subtopic = dict(SlaPolicy.objects.filter(
        kind="message", target=Target.FINAL, unit=Unit.WORKING_DAYS, subtopic__isnull=False, is_active=True,
    ).values_list("subtopic_id", "amount"))
    return BulkRules(
        message_days=by_subtopic,
        message_default_days=amount(kind="message", target=Target.FINAL, subtopic__isnull=True, sector__isnull=True),
        appeal_days=amount(kind="appeal", target=Target.FINAL, subtopic__isnull=True, sector__isnull=True),
        incident_first_hours=amount(kind="incident", target=Target.FIRST_RESPONSE, subtopic__isnull=True,
                                    sector__isnull=True),
        incident_first_hours_high=amount(importance="high", kind="incident", target=Target.FIRST_RESPONSE,
                                         subtopic__isnull=True, sector__isnull=True),
        incident_final_days=amount(kind="incident", target=Target.FINAL_AFTER_INTERIM, subtopic__isnull=True,
                                   sector__isnull=True),
        registration_days=amount(kind="appeal", target=Target.REGISTRATION, subtopic__isnull=True,
                                 sector__isnull=True),
        message_first_hours=amount(kind="message", target=Target.FIRST_RESPONSE, subtopic__isnull=True,
                                   sector__isnull=True),
        forwarding_days=amount(kind="appeal", target=Target.FORWARDING, subtopic__isnull=True, sector__isnull=True),
        min_turn_working_days=MIN_TURN_WORKING_DAYS,
    )


@dataclass(frozen=True)
class Clock:
    """The deadline clock of the card: working time allowed, used and left (negative when overdue)."""

    allowed: timedelta
    used: timedelta
    left: timedelta
    percent_used: int
    stopped: bool


def clock(*, calendar: WorkingCalendar, start: datetime, due: datetime, now: datetime,
          paused_at: datetime | None = None) -> Clock:
    """How much of the working time between `start` and `due` has gone by `now` (or by the moment
    the clock was stopped for a clarification). Past the deadline `left` is minus the overrun."""
    moment = paused_at or now
    allowed = calendar.working_time_between(start, due)
    if moment <= due:
        left = calendar.working_time_between(moment, due)
    else:
        left = -calendar.working_time_between(due, moment)
    used = allowed - left
    percent = 100 if not allowed else round(100 * used / allowed)
    return Clock(allowed=allowed, used=used, left=left, percent_used=max(0, percent), stopped=paused_at is not None)


def working_duration(value: timedelta) -> str:
    """«3 раб. дн. 2 ч», «5 ч 30 мин» — a span of working time in 8-hour working days."""
    minutes = int(abs(value).total_seconds() // 60)
    days, minutes = divmod(minutes, 8 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} раб. дн." if days else "", f"{hours} ч" if hours else "",
             f"{minutes} мин" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0 мин"
