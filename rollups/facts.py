"""The one definition of what a body's turn with an appeal counts for (docs/ratings.md, «Что считается»).

`facts_replace` recomputes the TurnFacts of a set of appeals from their Assignments, final Answers and
AppealEvents in one statement, and moves the day and month sums by exactly the difference (the old facts
subtracted, the new added). The incremental refresh and the rebuild both go through it, so they cannot
disagree. Per turn (an Assignment):
- volume: the day the body received the appeal (its own answer returned for rework is not a new one); a
  repeat when the turn began with a repeat consideration;
- timeliness: decided on the day the turn ended in time (an answer or a forwarding by the turn's deadline),
  or on the day its deadline passed unmet — while the turn is open and the clock runs, or before the centre
  withdrew it; an open turn before its deadline is not decided yet (`open_due` says when it will be);
- speed: the share of the allowed working time the body used for its answer, and for its first response
  where the kind has that step, as a 5 % bucket (twenty of them, the last for «past the deadline»);
- quality: the answer accepted, not returned for rework, and free of the flags of a formal reply (no date or
  action, no evidence where the subtopic needs it, template phrases, bare legal references);
- completeness: answered on the merits (no template-only reply, no bare references) — or not: the appeal
  left without an answer under ст. 11 while the body held it;
- satisfaction: the citizen's verdict on this turn's answer, on the day it came.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from appeals.lifecycle.quality import LEGAL_WITHOUT_EXPLANATION, TEMPLATE_ONLY
from appeals.models import CLOCK_RUNNING_STATUSES
from rollups.models import SPEED_BUCKETS, AgencyDay, AgencyMonth, AgencyPeriod

FORMAL_FLAGS = [TEMPLATE_ONLY, LEGAL_WITHOUT_EXPLANATION]
LAST_BUCKET = SPEED_BUCKETS - 1
FACT_COLUMNS = (
    "turn_id", "appeal_id", "region_id", "agency_id", "municipality_id", "subtopic_id", "kind", "start_day",
    "is_repeat", "is_rework", "decision_day", "is_late", "open_due", "end_day", "outcome", "answer_bucket",
    "quality_ok", "complete_ok", "first_day", "first_bucket", "rated_day", "satisfied", "is_fast_track",
)

# {where} selects turns by their appeal (all turns of an appeal are read together: the next turn's start
# bounds this turn's verdict).
FACTS_SELECT = """
WITH turn AS (
    SELECT s.id, s.appeal_id, s.region_id, s.agency_id, s.started_at, s.ended_at, s.outcome, s.working_seconds,
           s.allowed_seconds, s.first_response_at, s.first_response_seconds, s.first_allowed_seconds,
           a.status, a.kind, a.municipality_id, a.subtopic_id, a.closed_at AS appeal_closed_at, r.timezone AS tz,
           a.fast_track_id,
           lead(s.started_at) OVER (PARTITION BY s.appeal_id ORDER BY s.started_at, s.id) AS next_started_at,
           -- an open turn: the citizen's deadline as it stands, never before the body's guaranteed share
           CASE WHEN s.ended_at IS NULL THEN GREATEST(a.due_at, s.min_due_at) ELSE s.due_at END AS judged_due
    FROM appeals_assignment s
    JOIN appeals_appeal a ON a.id = s.appeal_id
    JOIN municipalities_region r ON r.id = s.region_id
    WHERE {where}
), judged AS (
    SELECT t.*,
        CASE
            WHEN t.ended_at IS NOT NULL AND t.outcome <> 'withdrawn' THEN
                CASE WHEN t.judged_due IS NOT NULL THEN t.ended_at > t.judged_due END
            WHEN t.ended_at IS NOT NULL THEN  -- withdrawn by the centre: late only if it was late while held
                CASE WHEN t.ended_at > t.judged_due THEN TRUE END
            WHEN t.status = ANY(%(running)s) AND t.judged_due <= %(now)s THEN TRUE
        END AS late
    FROM turn t
)
SELECT j.id, j.appeal_id, j.region_id, j.agency_id, j.municipality_id, j.subtopic_id, j.kind,
    (j.started_at AT TIME ZONE j.tz)::date,
    EXISTS (SELECT 1 FROM appeals_appealevent e
            WHERE e.appeal_id = j.appeal_id AND e.at = j.started_at AND e.kind = 'reopened'),
    EXISTS (SELECT 1 FROM appeals_appealevent e
            WHERE e.appeal_id = j.appeal_id AND e.at = j.started_at AND e.kind = 'returned_for_rework'),
    ((CASE WHEN j.late THEN j.judged_due WHEN NOT j.late THEN j.ended_at END) AT TIME ZONE j.tz)::date,
    j.late,
    CASE WHEN j.ended_at IS NULL AND j.late IS NULL AND j.status = ANY(%(running)s) THEN j.judged_due END,
    (j.ended_at AT TIME ZONE j.tz)::date,
    j.outcome,
    CASE WHEN j.outcome = 'answered' AND j.allowed_seconds IS NOT NULL THEN
        CASE WHEN j.working_seconds >= j.allowed_seconds THEN %(last)s
             ELSE floor(%(last)s * j.working_seconds::float / j.allowed_seconds)::int END
    END,
    CASE WHEN answer.review = 'returned' OR cardinality(answer.flags) > 0 THEN FALSE
         WHEN answer.review = 'accepted' THEN TRUE END,
    CASE WHEN answer.review IS NOT NULL THEN NOT (answer.flags && %(formal)s::varchar[])
         WHEN j.outcome = 'withdrawn' AND j.status = 'left_without_answer' AND j.appeal_closed_at = j.ended_at
         THEN FALSE END,
    CASE WHEN j.first_allowed_seconds IS NOT NULL THEN (j.first_response_at AT TIME ZONE j.tz)::date END,
    CASE WHEN j.first_allowed_seconds IS NOT NULL THEN
        CASE WHEN j.first_response_seconds >= j.first_allowed_seconds THEN %(last)s
             ELSE floor(%(last)s * j.first_response_seconds::float / j.first_allowed_seconds)::int END
    END,
    (rating.at AT TIME ZONE j.tz)::date,
    rating.new_value = 'satisfied',
    j.fast_track_id IS NOT NULL
FROM judged j
LEFT JOIN LATERAL (  -- the final answer that ended an answered turn
    SELECT w.review, w.flags FROM appeals_answer w
    WHERE j.outcome = 'answered' AND w.appeal_id = j.appeal_id AND NOT w.is_interim
      AND w.created_at BETWEEN j.started_at AND j.ended_at
    ORDER BY w.created_at DESC, w.id DESC LIMIT 1
) answer ON TRUE
LEFT JOIN LATERAL (  -- the citizen's verdict on it, before the appeal went to another turn
    SELECT e.at, e.new_value FROM appeals_appealevent e
    WHERE j.outcome = 'answered' AND e.appeal_id = j.appeal_id AND e.kind = 'rated' AND e.at >= j.ended_at
      AND (j.next_started_at IS NULL OR e.at <= j.next_started_at)
    ORDER BY e.at, e.id LIMIT 1
) rating ON TRUE
"""


def _contributions(rows: str) -> str:
    """Each fact row of the CTE `rows` (with its `sign`, +1 or −1) as its parts on the days they fall on."""
    return f"""
    SELECT region_id, agency_id, start_day AS day, sign * (NOT is_rework)::int AS received,
           sign * is_repeat::int AS repeats,
           0 AS on_time, 0 AS late, 0 AS answered, 0 AS quality_ok, 0 AS quality_bad, 0 AS complete_ok,
           0 AS complete_bad, 0 AS rated, 0 AS satisfied,
           sign * (is_fast_track AND NOT is_rework)::int AS fast_track, 0 AS fast_track_on_time,
           0 AS fast_track_late, NULL::int AS answer_bucket, NULL::int AS first_bucket, sign
    FROM {rows}
    UNION ALL
    SELECT region_id, agency_id, decision_day, 0, 0, sign * (NOT is_late)::int, sign * is_late::int,
           0, 0, 0, 0, 0, 0, 0, 0, sign * (is_fast_track AND NOT is_late)::int,
           sign * (is_fast_track AND is_late)::int, NULL, NULL, sign
    FROM {rows} WHERE decision_day IS NOT NULL
    UNION ALL
    SELECT region_id, agency_id, end_day, 0, 0, 0, 0, sign * (outcome = 'answered')::int,
           sign * coalesce(quality_ok::int, 0), sign * coalesce((NOT quality_ok)::int, 0),
           sign * coalesce(complete_ok::int, 0), sign * coalesce((NOT complete_ok)::int, 0),
           0, 0, 0, 0, 0, answer_bucket, NULL, sign
    FROM {rows} WHERE end_day IS NOT NULL
    UNION ALL
    SELECT region_id, agency_id, first_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, first_bucket, sign
    FROM {rows} WHERE first_bucket IS NOT NULL
    UNION ALL
    SELECT region_id, agency_id, rated_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, sign, sign * satisfied::int, 0, 0, 0,
           NULL, NULL, sign
    FROM {rows} WHERE rated_day IS NOT NULL
    """


def _histogram(column: str) -> str:
    cells = ", ".join(f"coalesce(sum(sign) FILTER (WHERE {column} = {i}), 0)" for i in range(SPEED_BUCKETS))
    return f"ARRAY[{cells}]::int[]"


def _sum_into(model: type[AgencyPeriod], slot: str) -> str:
    """INSERT … SELECT of the contributions CTE `contrib` into a day or month table, adding to what is there."""
    table, key = model._meta.db_table, "day" if model is AgencyDay else "month"
    counts = AgencyPeriod.COUNTS
    added = ", ".join(f"{c} = t.{c} + EXCLUDED.{c}" for c in counts)
    arrays = ", ".join(
        f"{h} = ARRAY[{', '.join(f't.{h}[{i}] + EXCLUDED.{h}[{i}]' for i in range(1, SPEED_BUCKETS + 1))}]"
        for h in AgencyPeriod.HISTOGRAMS)
    return f"""
    INSERT INTO {table} AS t (region_id, agency_id, {key}, {', '.join(counts)}, answer_speed, first_speed)
    SELECT region_id, agency_id, {slot}, {', '.join(f'sum({c})' for c in counts)},
           {_histogram('answer_bucket')}, {_histogram('first_bucket')}
    FROM contrib GROUP BY region_id, agency_id, {slot}
    ON CONFLICT (region_id, agency_id, {key}) DO UPDATE SET {added}, {arrays}
    """


SLOTS = {AgencyDay: "day", AgencyMonth: "date_trunc('month', day)::date"}


def _moving(rows_cte: str, *, targets=(AgencyDay, AgencyMonth), day_filter: str = "TRUE") -> str:
    """One statement: the CTE `rows` (the fact columns and a `sign`; a DELETE or INSERT … RETURNING, or a
    plain SELECT), its contributions, and the sums of `targets` moved by them."""
    *before, last = [_sum_into(model, SLOTS[model]) for model in targets]
    ctes = "".join(f", sums_{i} AS ({statement})" for i, statement in enumerate(before))
    return f"""
    WITH rows AS ({rows_cte}),
    contrib AS (SELECT * FROM ({_contributions('rows')}) c WHERE {day_filter}){ctes}
    {last}
    """


FACT_LIST = ", ".join(FACT_COLUMNS)
REMOVE = _moving(f"DELETE FROM rollups_turnfact WHERE appeal_id = ANY(%(ids)s) RETURNING {FACT_LIST}, -1 AS sign")
ADD = _moving(f"INSERT INTO rollups_turnfact ({FACT_LIST}) {FACTS_SELECT} RETURNING {FACT_LIST}, 1 AS sign")
# a ranged rebuild (rollups/services.py): the sums of some days, or months, recomputed from the facts alone
_REGION_FACTS = f"SELECT {FACT_LIST}, 1 AS sign FROM rollups_turnfact WHERE region_id = %(region)s"
RESUM_DAYS = _moving(_REGION_FACTS, targets=(AgencyDay,), day_filter="day BETWEEN %(first)s AND %(last_day)s")
RESUM_MONTHS = _moving(_REGION_FACTS, targets=(AgencyMonth,), day_filter="day BETWEEN %(first)s AND %(last_day)s")


def _params(now: datetime | None = None, **extra) -> dict:
    return {"now": now, "running": [str(s) for s in CLOCK_RUNNING_STATUSES], "formal": FORMAL_FLAGS,
            "last": LAST_BUCKET, **extra}


def facts_replace(cursor, *, appeal_ids: list[int], now: datetime) -> None:
    """Recompute the facts of these appeals' turns as of `now` and move the sums by the difference."""
    params = _params(now, ids=appeal_ids)
    cursor.execute(REMOVE, params)
    cursor.execute(ADD.replace("{where}", "s.appeal_id = ANY(%(ids)s)"), params)


def facts_add_range(cursor, *, first_id: int, last_id: int, now: datetime, region_id: int | None) -> None:
    """The facts of the appeals with ids in [first_id, last_id] added (the rebuild has removed theirs)."""
    where = "s.appeal_id BETWEEN %(first_id)s AND %(last_id)s"
    if region_id is not None:
        where += " AND s.region_id = %(region)s"
    cursor.execute(ADD.replace("{where}", where), _params(now, first_id=first_id, last_id=last_id, region=region_id))


def sums_recompute(cursor, *, region_id: int, first_day: date, last_day: date) -> None:
    """The day sums of [first_day, last_day] and the month sums of every month they touch, rebuilt from the
    facts (their rows removed first)."""
    month_first = first_day.replace(day=1)
    month_last = (last_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    cursor.execute("DELETE FROM rollups_agencyday WHERE region_id = %s AND day BETWEEN %s AND %s",
                   [region_id, first_day, last_day])
    cursor.execute(RESUM_DAYS, _params(region=region_id, first=first_day, last_day=last_day))
    cursor.execute("DELETE FROM rollups_agencymonth WHERE region_id = %s AND month BETWEEN %s AND %s",
                   [region_id, month_first, month_last])
    cursor.execute(RESUM_MONTHS, _params(region=region_id, first=month_first, last_day=month_last))
