"""Similar appeals on the card: the same question asked before in the same place.

An operator reading an appeal sees other appeals of the same subtopic and municipality whose words
overlap, those that already have an answer first — one answer often serves a repeated question — and
can put the two into one Problem (appeals/problems/services.py: problem_join).

Scored in one query over the maintained search documents (appeals/search/index.py), never over the
texts: the CANDIDATES most recent appeals of the subtopic and municipality (read backwards along the
covering index appeal_problem_neighbours, an index-only scan, so a municipality with a hundred thousand
appeals costs the same as one with two thousand), each scored by the share of this appeal's words found
in its document. Whether a close one has a final answer is asked of the closest first, a few at a time,
until the panel is full (`_answered_first`). The card loads the panel by a request of its own
(appeals/workspace/views.py: appeal_similar).

An executor sees only their body's appeals (the scope), and of their answers only those their own body
gave — accepted, waiting for the review or returned — so they reuse what the centre took and avoid
what it returned, and never read another body's reply (`_answers_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from appeals.models import Answer, Appeal
from appeals.privacy import MARGIN, visible_text
from appeals.workspace.selectors import appeal_scope
from cur.scoping import can_see_personal_data, scope_of

CANDIDATES = 2000  # the most recent appeals of the subtopic and municipality that are scored
# Below this share of shared words the rows were about something else (measured on the demo corpus:
# at 0.20 «пыль от грунтовой дороги» showed for «дорогу к СНТ размыло»; at 0.25 and above, the same thing).
MIN_SIMILARITY = 0.25
SAME_SETTLEMENT_BONUS = 0.1  # ranks an appeal from the same settlement above an equally close one nearby
ANSWER_EXCERPT = 300
SUMMARY = 120
# Texts are read MARGIN longer than shown and masked before they are cut (appeals/privacy.py), so that
# a phone or a name at the edge of what is shown is masked whole rather than shown in part.

# The words of a document that say what an appeal is about: the title (weight A) and the text (C).
# Place names (B) are left out — every candidate is in the same municipality, so its name would be
# shared by all — and so are answers (D). Stems shorter than three letters («ул», «д», «г») are in
# nearly every appeal and are dropped too; numbers (a house, a date) are kept. Each word becomes a
# tsquery limited to those weights ('word':AC, quoted as a tsquery literal), so a candidate's share is
# counted by `@@` on its document as stored, without building an array of its words (faster than a
# hashed INTERSECT of both word arrays, which was faster than `= ANY` or one join over all candidates).
_MY_WORDS = """ARRAY(
    SELECT ('''' || replace(replace(w, '\\', '\\\\'), '''', '''''') || ''':AC')::tsquery
    FROM unnest(tsvector_to_array(ts_filter(document, '{a,c}'))) AS w WHERE length(w) >= 3 OR w ~ '^[0-9]+$')"""
# A final answer that stands: an interim one only promises, a returned one was rejected as an «отписка».
_FINAL = f"NOT r.is_interim AND r.review <> '{Answer.Review.RETURNED.value}'"
# An executor's own body's final answers, whatever their review (the parameter: the body).
_OWN_FINAL = "NOT r.is_interim AND r.agency_id = %s"

# Positional parameters, in order: the appeal; the candidates' own; its settlement, the bonus; the minimum.
# Every candidate close enough, the closest first (the same settlement counts extra), then the newest.
_SIMILAR = """
WITH mine AS MATERIALIZED (
    SELECT MY_WORDS AS words FROM appeals_appealsearch WHERE appeal_id = %s
),
candidate AS MATERIALIZED (CANDIDATES),
scored AS MATERIALIZED (  -- each share computed once, then filtered and sorted
    SELECT c.id, c.received_at,
           (SELECT count(*) FROM unnest(mine.words) AS q WHERE s.document @@ q)::float
               / cardinality(mine.words) AS similarity,
           CASE WHEN c.settlement_id = %s THEN %s ELSE 0 END AS place_bonus
    FROM candidate c JOIN appeals_appealsearch s ON s.appeal_id = c.id CROSS JOIN mine
    WHERE cardinality(mine.words) > 0
)
SELECT id, similarity FROM scored WHERE similarity >= %s
ORDER BY similarity + place_bonus DESC, received_at DESC, id DESC
""".replace("MY_WORDS", _MY_WORDS)

# Which of these appeals have a final answer the user is shown (ANSWER_CONDITION: `_answers_for`) —
# asked of the closest first, a few at a time, only until the panel has its answered rows (at 5 million
# appeals, asking it of every close candidate in the scoring query read a third as many pages again as the
# scoring itself; docs/benchmarks.md, issue 12).
_ANSWERED = "SELECT DISTINCT r.appeal_id FROM appeals_answer r WHERE r.appeal_id = ANY(%s) AND ANSWER_CONDITION"
ANSWERED_BATCH = 32

# The rows shown, with the beginning of their text and of their latest final answer the user is shown.
_ROWS = """
SELECT a.id, a.region_id, a.status, a.received_at, a.title, a.problem_id, left(a.text, %s) AS head,
       answer.text AS answer_text, answer.created_at AS answer_at, answer.review AS answer_review
FROM appeals_appeal a
LEFT JOIN LATERAL (
    SELECT left(r.text, %s) AS text, r.created_at, r.review FROM appeals_answer r
    WHERE r.appeal_id = a.id AND ANSWER_CONDITION ORDER BY r.created_at DESC, r.id DESC LIMIT 1
) answer ON true
WHERE a.id = ANY(%s)
"""


@dataclass(frozen=True)
class SimilarAppeal:
    """One row of the panel; texts already as the user may read them (152-ФЗ)."""

    appeal: Appeal
    similarity: float  # 0..1: the share of this appeal's words found in the other one
    summary: str  # its title, or the beginning of its text
    answer_excerpt: str  # the beginning of its answer; '' when it has none
    answered_at: datetime | None  # when that answer was given
    same_problem: bool
    answer_review: str = ""  # Answer.Review of that answer; '' when it has none
    own_answer: bool = False  # the answer is the executor's own body's (they see no other)

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def answer_review_label(self) -> str:
        return Answer.Review(self.answer_review).label if self.answer_review else ""


def _answers_for(user) -> tuple[str, list]:
    """Which answers the panel reads for `user`, as a condition on `r` (appeals_answer) and its
    parameters: an executor's own body's final answers, for everyone else the final ones that stand."""
    agency_id = scope_of(user).agency_id
    return (_OWN_FINAL, [agency_id]) if agency_id else (_FINAL, [])


def similar_appeals(*, user, appeal: Appeal, limit: int = 8) -> list[SimilarAppeal]:
    """Up to `limit` appeals the user may see, of the same subtopic and municipality as `appeal`, that
    share at least MIN_SIMILARITY of its words: answered ones first, then the closest (the same
    settlement counts extra), then the newest. [] when the appeal lacks a subtopic or a municipality,
    or is not indexed yet."""
    if not appeal.subtopic_id or not appeal.municipality_id:
        return []
    candidates = (appeal_scope(user=user)
                  .filter(subtopic_id=appeal.subtopic_id, municipality_id=appeal.municipality_id)
                  .exclude(pk=appeal.pk).order_by("-received_at")
                  .values("id", "received_at", "settlement_id")[:CANDIDATES])
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SIMILAR.replace("CANDIDATES", candidates_sql), [
            appeal.pk, *candidates_params, appeal.settlement_id, SAME_SETTLEMENT_BONUS, MIN_SIMILARITY,
        ])
        closest = cursor.fetchall()
        answers, answer_params = _answers_for(user)
        shown = _answered_first(cursor, [pk for pk, _ in closest], limit, answers=answers, params=answer_params)
    similarity = dict(closest)
    rows = {row.pk: row for row in Appeal.objects.raw(
        _ROWS.replace("ANSWER_CONDITION", answers), [SUMMARY + MARGIN, ANSWER_EXCERPT + MARGIN, *answer_params, shown])}
    personal = can_see_personal_data(user)
    return [SimilarAppeal(
        appeal=row, similarity=similarity[row.pk],
        summary=_squeeze(visible_text(row.title or row.head, personal=personal, limit=SUMMARY)),
        answer_excerpt=_squeeze(visible_text(row.answer_text, personal=personal, limit=ANSWER_EXCERPT)),
        answered_at=row.answer_at,
        same_problem=appeal.problem_id is not None and row.problem_id == appeal.problem_id,
        answer_review=row.answer_review or "", own_answer=bool(answer_params) and row.answer_review is not None,
    ) for row in (rows[pk] for pk in shown if pk in rows)]


def _answered_first(cursor, closest: list[int], limit: int, *, answers: str = _FINAL,
                    params: list | None = None) -> list[int]:
    """Up to `limit` of `closest` (the closest first): those with an answer the user is shown (`answers`,
    `params`: `_answers_for`), then the others — the order of «answered first, then the closest», found by
    asking about the closest few at a time."""
    answered, finals, asked = [], set(), 0
    while len(answered) < limit and asked < len(closest):
        batch = closest[asked:asked + ANSWERED_BATCH]
        cursor.execute(_ANSWERED.replace("ANSWER_CONDITION", answers), [batch, *(params or [])])
        finals.update(row[0] for row in cursor.fetchall())
        answered += [pk for pk in batch if pk in finals]
        asked += len(batch)
    if len(answered) >= limit:
        return answered[:limit]
    # every close one asked about: all the answered ones, then the closest of the others
    return answered + [pk for pk in closest if pk not in finals][:limit - len(answered)]


def _squeeze(text: str) -> str:
    """One line for the panel: runs of spaces and line breaks become one space."""
    return " ".join(text.split())
