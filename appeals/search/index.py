"""The search documents of appeals, kept current (docs/search.md).

Database triggers (migration 0013) put every appeal whose searched content changed into SearchQueue —
new appeals from intake, corrected addresses, answers — whatever path changed it. `search_index_pending`
drains the queue in batches: it reads the appeals, cuts the personal data out of the title, the text and
the answers in Python (the same detector that masks it on the card, structuring/personal_data.py), and
writes both vectors with the SQL functions of the migration: `document`, which every role searches, from
what is left; `personal`, searched only by roles allowed to see personal data, from what was cut out
and the citizen's own fields. Intake itself writes no vectors, so it keeps its speed; an appeal is
searchable a few seconds after it arrives (the structuring chain and a beat job drain the queue), and
by its number or external id at once.

Why batched rather than computed by a trigger: the trigger could only index the raw text, so a name or a
phone inside it would be findable by roles that must not see it; both were measured (docs/benchmarks.md).
"""

from __future__ import annotations

import re

from django.db import connection, transaction

from structuring.personal_data import PHONE, find_personal_data, mask_personal_data

BATCH = 500
# Words kept in the lexicon for typo correction: letters only, as the stemmer leaves them.
LEXICON_WORD = r"^[[:alpha:]][[:alpha:]-]{2,63}$"

_ANSWERS = "(SELECT string_agg(text, E'\\n' ORDER BY id) FROM appeals_answer WHERE appeal_id = a.id)"
_READ = f"SELECT a.id, a.title, a.address, a.text, {_ANSWERS} FROM appeals_appeal a WHERE a.id = ANY(%s)"

# The one statement that writes documents. `given` supplies the title, the address of the problem, text
# and answers to index and the personal data found in them; places and contacts are read here.
_WRITE = """
    INSERT INTO appeals_appealsearch (appeal_id, document, personal, indexed_at)
    SELECT a.id, appeals_search_document(g.title, concat_ws(' ', g.address, s.name, m.name), g.body, g.answers),
           appeals_search_personal(
               a.citizen_name,
               concat_ws(' ', a.citizen_email, p.digits, right(p.digits, 10), a.citizen_address),
               g.found),
           now()
    FROM ({given}) AS g(id, title, address, body, answers, found)
    JOIN appeals_appeal a ON a.id = g.id
    LEFT JOIN municipalities_settlement s ON s.id = a.settlement_id
    LEFT JOIN municipalities_municipality m ON m.id = a.municipality_id
    -- a phone as people type it into a search box: all its digits, and the last ten (no +7 / 8)
    CROSS JOIN LATERAL (SELECT nullif(regexp_replace(a.citizen_phone, '\\D', '', 'g'), '') AS digits) p
    ON CONFLICT (appeal_id) DO UPDATE
        SET document = excluded.document, personal = excluded.personal, indexed_at = excluded.indexed_at
    RETURNING appeal_id, xmax = 0
"""
_GIVEN_CUT = "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
_GIVEN_STORED = (f"SELECT a.id, a.title, a.address, a.text, {_ANSWERS}, '' FROM appeals_appeal a"
                 " WHERE a.id BETWEEN %s AND %s")

# Each word counted once per newly indexed appeal (re-indexing an appeal does not count it again):
# the counts are approximate by design, they only tell a frequent spelling from a rare one.
_LEXICON = f"""
    INSERT INTO appeals_searchword (word, documents)
    SELECT word, count(*) FROM appeals_appealsearch s,
           unnest(tsvector_to_array(s.document || s.personal)) AS word
    WHERE s.appeal_id = ANY(%s) AND length(word) <= 64 AND word ~ '{LEXICON_WORD}'
    GROUP BY word ORDER BY word
    ON CONFLICT (word) DO UPDATE SET documents = appeals_searchword.documents + excluded.documents
"""


def search_index_pending(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Index the queued appeals, `batch` per transaction, until the queue is empty (or `limit` done).
    A batch is taken off the queue in the transaction that indexes it: a crash leaves it queued,
    and two indexers never take the same appeals (SKIP LOCKED). Returns how many were indexed."""
    done = 0
    while limit is None or done < limit:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM appeals_searchqueue WHERE appeal_id IN (SELECT appeal_id FROM appeals_searchqueue"
                " LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING appeal_id", [batch],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            search_index(ids)
        done += len(ids)
    return done


def search_index(appeal_ids: list[int]) -> int:
    """(Re)write the search documents of these appeals now; returns how many were written."""
    with connection.cursor() as cursor:
        cursor.execute(_READ, [list(appeal_ids)])
        columns = [list(column) for column in zip(*map(_cut_personal_data, cursor.fetchall()), strict=True)]
        return _write(cursor, _GIVEN_CUT, columns or [[] for _ in range(6)])


def search_index_range_as_stored(first_id: int, last_id: int) -> int:
    """Index appeals first_id..last_id from their stored text in SQL alone, without cutting out personal
    data: only for texts known to hold none — the demo corpus we write ourselves (appeals/demo)."""
    with connection.cursor() as cursor:
        count = _write(cursor, _GIVEN_STORED, [first_id, last_id])
        cursor.execute("DELETE FROM appeals_searchqueue WHERE appeal_id BETWEEN %s AND %s", [first_id, last_id])
    return count


def _write(cursor, given: str, params: list) -> int:
    cursor.execute(_WRITE.format(given=given), params)
    written = cursor.fetchall()
    new = [appeal_id for appeal_id, inserted in written if inserted]
    if new:
        cursor.execute(_LEXICON, [new])
    return len(written)


def _cut_personal_data(row: tuple) -> tuple[int, str, str, str, str, str]:
    """(id, title, address, text, answers) → (id, the same without personal data, the personal data
    found): names, phones, home addresses written inside them go to the `personal` vector only."""
    appeal_id, *parts = row
    found, cut = [], []
    for part in parts:
        part = part or ""
        spans = find_personal_data(part)
        for span in spans:
            found.append(span.text)
            if span.kind == PHONE:  # searched as digits, like the citizen's own phone
                digits = re.sub(r"\D", "", span.text)
                found += [digits, digits[-10:]]
        cut.append(mask_personal_data(part, spans, replacement=" ") if spans else part)
    return appeal_id, *cut, "\n".join(found)
