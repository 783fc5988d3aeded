"""Intake: every incoming item is taken in once and only once (issue 5, DESIGN.md §3).

`appeals_upsert` is the one write path of the source adapters (ПОС, «Инцидент Менеджмент», file
import, REST create). A batch of validated items is written in one transaction:
- COPY into a temporary table, then one `INSERT … ON CONFLICT (region, channel, external_id) DO UPDATE`
  over the whole batch — no ORM save per item (≥ 2 000 items/s, docs/benchmarks.md);
- an update older than (or as old as) the version we hold is ignored: the source's `version` travels
  with every item, so updates arriving out of order never overwrite a newer one;
- a new item gets its CREATED event; an update gets one SOURCE_UPDATED event per changed field;
- a writer with an IntakeScope (every path a person uses: REST, files, the staff form, the quarantine)
  neither creates nor updates anything outside it: an item whose key is already held outside the
  writer's territory is refused with a neutral reason before anything is written (issue 11);
- items that failed validation go to the quarantine with their reason in the same transaction;
- the statuses and ratings a feed gives back about our answers are applied in the same transaction
  (appeals/intake/feedback.py: one query per batch that carries any, none otherwise);
- the source's cursor moves in the same transaction, and only from the value the batch was read
  after (compare-and-set): a worker killed mid-batch leaves everything as it was, the page is read
  again, and the upsert neither loses nor doubles anything.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from appeals.intake.cursors import CursorMove, CursorMoved
from appeals.intake.feedback import source_feedback_apply
from appeals.intake.items import IntakeItem, Rejected
from appeals.intake.pipeline import attachments_fetch_later, structure_later
from appeals.lifecycle import deadlines
from appeals.models import Appeal, AppealEvent, Status
from cur.permissions import intake_scope
from cur.scoping import IntakeScope, OutsideTerritory

log = logging.getLogger(__name__)

# What a source owns and may change after the item arrived. Territory, structure and routing belong
# to the platform (structuring, operators) once the item is in: a source update does not undo them.
SOURCE_FIELDS = ("title", "text", "importance", "source_url", "citizen_name", "citizen_email", "citizen_phone",
                 "citizen_address")
EVENT_VALUE_LIMIT = 20_000  # an event keeps the old and new text; a megabyte is cut, not copied twice
# The answer to a key held outside the writer's territory. The same words whatever holds the key and
# wherever: no number, no title — nothing that tells the writer about an item it may not see.
KEY_TAKEN = "Внешний номер уже занят: укажите другой."


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    # (channel, external_id) → appeal id, for every item of the batch that is in the database now
    # (never an item refused below: its id is not the writer's to know)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    # (channel, external_id) → why the writer's scope refused it; nothing of it was written
    refused: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.quarantined += other.quarantined
        self.created_ids += other.created_ids
        self.updated_ids += other.updated_ids
        self.ids.update(other.ids)
        self.refused.update(other.refused)


BATCH_COLUMNS = (
    "ord", "kind", "channel", "external_id", "importance", "title", "text", "source_url", "citizen_name",
    "citizen_email", "citizen_phone", "citizen_address", "municipality_id", "settlement_id", "address",
    "received_at", "registration_due_at", "first_response_due_at", "due_at", "warn_at", "source_version",
)
_BATCH_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS intake_batch (
    ord integer, kind varchar(16), channel varchar(16), external_id varchar(64), importance varchar(8),
    title varchar(300), text text, source_url varchar(500), citizen_name varchar(300),
    citizen_email varchar(254), citizen_phone varchar(32), citizen_address varchar(300),
    municipality_id bigint, settlement_id bigint, address varchar(300), received_at timestamptz,
    registration_due_at timestamptz, first_response_due_at timestamptz, due_at timestamptz, warn_at timestamptz,
    source_version bigint
) ON COMMIT DELETE ROWS
"""
_CHANGED = " OR ".join(f"a.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in SOURCE_FIELDS)
_UPSERT = f"""
INSERT INTO appeals_appeal AS a (
    region_id, kind, channel, external_id, status, importance, title, text, source_url, citizen_name,
    citizen_email, citizen_phone, citizen_address, municipality_id, settlement_id, address, received_at,
    registration_due_at, first_response_due_at, due_at, warn_at, is_overdue, extensions, satisfaction, created_at,
    updated_at, version, source_version
)
SELECT %(region)s, kind, channel, external_id, 'new', importance, title, text, source_url, citizen_name,
       citizen_email, citizen_phone, citizen_address, municipality_id, settlement_id, address, received_at,
       registration_due_at, first_response_due_at, due_at, warn_at, FALSE, 0, '', %(now)s, %(now)s, 1,
       source_version
FROM intake_batch ORDER BY ord
ON CONFLICT (region_id, channel, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
    {", ".join(f"{name} = EXCLUDED.{name}" for name in SOURCE_FIELDS)},
    source_version = EXCLUDED.source_version, updated_at = EXCLUDED.updated_at, version = a.version + 1
WHERE (a.source_version IS NULL OR EXCLUDED.source_version IS NULL OR a.source_version < EXCLUDED.source_version)
  AND ({_CHANGED} OR a.source_version IS DISTINCT FROM EXCLUDED.source_version)
  -- a МЦУ's batch never updates a row outside its municipality, even one that arrived or moved
  -- between the probe below and this statement (the probe refuses the ones it sees, with the reason)
  AND (%(municipality)s::bigint IS NULL OR a.municipality_id = %(municipality)s::bigint)
RETURNING a.id, a.channel, a.external_id, (a.xmax = 0) AS inserted
"""
# What the known items hold before the batch: their territory (the writer's scope is checked against
# it before anything is written) and their source fields (for the events and the fields a sender left
# out). One query per batch, one index probe per item — the LIMIT keeps the planner from hashing a
# whole region's appeals. Locked (FOR NO KEY UPDATE, the lock the upsert takes anyway, so foreign keys
# to the appeal are not blocked): a concurrent batch updating the same item waits here until this one
# commits and then reads what it wrote, so the old value of an event is the value its update replaces.
# The keys come sorted (_fetch_old) and the nested loop locks in that order: two batches sharing items
# lock them in the same order and never deadlock on them.
_OLD_VALUES = f"""
SELECT a.id, a.channel, a.external_id, a.municipality_id, {", ".join("a." + name for name in SOURCE_FIELDS)}
FROM unnest(%(channels)s::varchar[], %(external_ids)s::varchar[]) AS b(channel, external_id) CROSS JOIN LATERAL (
    SELECT * FROM appeals_appeal x
    WHERE x.region_id = %(region)s AND x.channel = b.channel AND x.external_id = b.external_id
    LIMIT 1 FOR NO KEY UPDATE
) a
"""
_OLD_FIELDS = ("id", "channel", "external_id", "municipality_id", *SOURCE_FIELDS)
_EVENT_COLUMNS = ("appeal_id", "region_id", "at", "actor_id", "agency_id", "kind", "field", "old_value",
                  "new_value", "reason")


def payload_digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def appeals_upsert(*, region, items: Sequence[IntakeItem], rejected: Sequence[Rejected] = (),
                   cursor: CursorMove | None = None, import_job_id: int | None = None, by=None,
                   within: IntakeScope | None = None, source_label: str = "") -> UpsertResult:
    """Write one batch of incoming items idempotently on (region, channel, external_id); see the module.

    `within` is where the writer may write (cur.scoping.intake_scope); None only for the source
    adapters, which write as the system — a call with a user `by` and no scope gets the user's. An
    item outside the scope (a channel it may not write, another municipality, a key already held
    outside its territory) is refused — in `refused` with the reason, nothing of it written.

    Returns the counts: created, updated (a newer version with a change), unchanged (known, not newer
    or nothing changed) and quarantined (new quarantine rows; a broken item delivered again is
    counted once). Raises CursorMoved — and writes nothing — when the cursor is no longer `expected`.
    """
    if within is None and by is not None:
        within = intake_scope(by, api=True)
    if within is not None and within.region_id not in (None, region.pk):
        raise OutsideTerritory(region.pk)
    now = timezone.now()
    result = UpsertResult()
    batch = _latest_per_key(items)
    with connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # psycopg's own cursor: COPY
        if batch:
            batch, old, written = _probe_and_write(cur, region, batch, within, result.refused, now)
            if result.refused:  # kept in the log: a run of these is someone probing other territories' keys
                log.warning("intake by user %s: %d item(s) refused outside the writer's scope: %s",
                            by.pk if by else None, len(result.refused), sorted(result.refused)[:20])
        if batch:
            events = []
            by_key = {(item.channel, item.external_id): item for item in batch}
            for appeal_id, channel, external_id, inserted in written:
                item = by_key[(channel, external_id)]
                if inserted:
                    result.created += 1
                    result.created_ids.append(appeal_id)
                    events.append((appeal_id, region.pk, item.received_at, by.pk if by else None, None,
                                   AppealEvent.Kind.CREATED.value, "", "", Status.NEW.value, item.note))
                else:
                    result.updated += 1
                    result.updated_ids.append(appeal_id)
                    events += _update_events(appeal_id, region.pk, now, by, item, old.get((channel, external_id)),
                                             source_label)
            written_keys = {(channel, external_id) for _, channel, external_id, _ in written}
            result.unchanged = len(batch) - len(written)
            result.ids = {key: row["id"] for key, row in old.items() if key not in result.refused}
            result.ids.update({(channel, external_id): appeal_id for appeal_id, channel, external_id, _ in written})
            assert len(written_keys) == len(written)
            if events:
                with cur.copy(f"COPY appeals_appealevent ({', '.join(_EVENT_COLUMNS)}) FROM STDIN") as copy:
                    for event in events:
                        copy.write_row(event)
            if any(item.source_status or item.rating is not None for item in batch):
                # the sources' word on our answers, in this transaction: lost or doubled with nothing else
                source_feedback_apply(written=[(appeal_id, by_key[(channel, external_id)])
                                               for appeal_id, channel, external_id, _ in written],
                                      source_label=source_label, now=now)
        if rejected:
            result.quarantined = _quarantine(cur, region, rejected, import_job_id)
        if cursor is not None:
            cur.execute(
                """UPDATE appeals_sourcecursor SET cursor = %s, polled_at = %s, last_error = '',
                          items_total = items_total + %s
                   WHERE region_id = %s AND source = %s AND cursor = %s""",
                [cursor.to, now, len(batch) + len(rejected), region.pk, cursor.source, cursor.expected],
            )
            if cur.rowcount != 1:
                raise CursorMoved(f"{cursor.source}: the cursor is no longer {cursor.expected!r}")
    ids = result.created_ids + result.updated_ids
    if ids:
        transaction.on_commit(lambda: structure_later(ids))
    named = [(appeal_id, channel, import_job_id is not None, by_key[(channel, external_id)].attachments)
             for appeal_id, channel, external_id, _ in (written if batch else ())
             if by_key[(channel, external_id)].attachments]
    if named:  # the files the new and changed items name are fetched once this batch has committed
        transaction.on_commit(lambda: attachments_fetch_later(named))
    return result


def _latest_per_key(items: Sequence[IntakeItem]) -> list[IntakeItem]:
    """One item per (channel, external_id): the highest version (a page may repeat an item)."""
    latest: dict[tuple[str, str], IntakeItem] = {}
    for item in items:
        key = (item.channel, item.external_id)
        held = latest.get(key)
        if held is None or (item.source_version or 0) >= (held.source_version or 0):
            latest[key] = item
    return list(latest.values())


def _probe_and_write(cur, region, batch: list[IntakeItem], within: IntakeScope | None,
                     refused: dict[tuple[str, str], str], now: datetime) -> tuple[list[IntakeItem], dict, list]:
    """Probe the held items (locked), keep those the writer may write, write them: (the items written,
    the old rows by key, the upsert's rows). An item another batch inserted after the probe (there was
    nothing to lock yet) is updated with its old values unknown; then the probe and the write are done
    once more from a savepoint, the item now held — its event says exactly what it replaced."""
    for attempt in (1, 2):
        with transaction.atomic():
            refused.clear()
            old = {(row["channel"], row["external_id"]): row for row in _fetch_old(cur, region, batch)}
            allowed = _within(batch, old, within, refused)
            if not allowed:
                return allowed, old, []
            allowed = [_keep_absent(item, old.get((item.channel, item.external_id))) for item in allowed]
            _fill_batch(cur, region, allowed)
            cur.execute(_UPSERT, {"region": region.pk, "now": now,
                                  "municipality": within.municipality_id if within else None})
            written = cur.fetchall()
            if attempt == 2 or all(inserted or (channel, external_id) in old
                                   for _, channel, external_id, inserted in written):
                return allowed, old, written
            transaction.set_rollback(True)  # back to the savepoint: the next probe finds and locks the item
    raise AssertionError("unreachable")


def _fetch_old(cur, region, batch: list[IntakeItem]) -> list[dict]:
    keys = sorted({(item.channel, item.external_id) for item in batch})  # the one locking order (_OLD_VALUES)
    cur.execute(_OLD_VALUES, {"region": region.pk, "channels": [channel for channel, _ in keys],
                              "external_ids": [external_id for _, external_id in keys]})
    return [dict(zip(_OLD_FIELDS, row, strict=True)) for row in cur.fetchall()]


def _within(batch: list[IntakeItem], old: dict, within: IntakeScope | None,
            refused: dict[tuple[str, str], str]) -> list[IntakeItem]:
    """The items the writer may write, each with the municipality its scope gives it; the others go
    to `refused` with the reason. Decided before anything is written."""
    if within is None:  # a source adapter: the system writes its own channel anywhere in the region
        return batch
    allowed = []
    for item in batch:
        key = (item.channel, item.external_id)
        held = old.get(key)
        if not within.writes(item.channel):
            refused[key] = f"channel: канал «{item.channel}» принимается только от самого источника"
        elif held is not None and not within.holds(held["municipality_id"]):
            refused[key] = KEY_TAKEN
        else:
            try:
                municipality_id = within.impose(item.municipality_id)
            except OutsideTerritory:
                refused[key] = "МО вне территории вашего МЦУ"
                continue
            if municipality_id != item.municipality_id:
                item = replace(item, municipality_id=municipality_id, settlement_id=None)
            allowed.append(item)
    return allowed


def _keep_absent(item: IntakeItem, held: dict | None) -> IntakeItem:
    """A known item updated by a sender that left fields out keeps what is held in them."""
    if held is None or not item.absent:
        return item
    return replace(item, **{name: held[name] or "" for name in item.absent if name in SOURCE_FIELDS})


def _fill_batch(cur, region, batch: list[IntakeItem]) -> None:
    cur.execute(_BATCH_TABLE)
    cur.execute("TRUNCATE intake_batch")  # a savepoint rolled back inside the transaction may leave rows
    arrival = deadlines.arrival_deadlines_of_items(region=region, model=Appeal)
    # the deadlines read the SLA rules: computed before the COPY holds the connection
    rows = []
    for ord_, item in enumerate(batch):
        clock = arrival(item)  # a new item's clock runs from its arrival (kept only when the row is new)
        rows.append((
            ord_, item.kind, item.channel, item.external_id, item.importance, item.title, item.text,
            item.source_url, item.citizen_name, item.citizen_email, item.citizen_phone, item.citizen_address,
            item.municipality_id, item.settlement_id, item.address, item.received_at,
            clock.registration_due_at, clock.first_response_due_at, clock.due_at, clock.warn_at, item.source_version,
        ))
    with cur.copy(f"COPY intake_batch ({', '.join(BATCH_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _cut(value: str) -> str:
    return value if len(value) <= EVENT_VALUE_LIMIT else value[:EVENT_VALUE_LIMIT] + "…"


def _update_events(appeal_id: int, region_id: int, now: datetime, by, item: IntakeItem, old_row,
                   source_label: str) -> list[tuple]:
    """One SOURCE_UPDATED event per field the source changed (what was, what became)."""
    reason = source_label or "Обновлено источником"
    if item.source_version is not None:
        reason += f", версия {item.source_version}"
    if old_row is None:  # inserted by a concurrent batch between our read and our write
        return [(appeal_id, region_id, now, by.pk if by else None, None, AppealEvent.Kind.SOURCE_UPDATED.value,
                 "", "", "", reason)]
    events = []
    for name in SOURCE_FIELDS:
        before, after = old_row[name] or "", getattr(item, name) or ""
        if before != after:
            events.append((appeal_id, region_id, now, by.pk if by else None, None,
                           AppealEvent.Kind.SOURCE_UPDATED.value, name, _cut(before), _cut(after), reason))
    return events


@transaction.atomic
def items_quarantine(*, region, rejected: Sequence[Rejected], import_job_id: int | None = None) -> int:
    """Put items in the quarantine (what appeals_upsert does with a batch's broken records): the rows
    an import's writer was refused. Returns how many are new there."""
    with connection.cursor() as django_cursor:
        return _quarantine(django_cursor.cursor, region, rejected, import_job_id)


def _quarantine(cur, region, rejected: Sequence[Rejected], import_job_id: int | None) -> int:
    """New quarantine rows; an item already waiting with the same raw data is not added twice."""
    added = 0
    now = timezone.now()
    for item in rejected:
        cur.execute(
            """INSERT INTO appeals_quarantineditem
                   (region_id, municipality_id, source, external_id, payload, digest, reason, import_job_id, state,
                    created_at, resolution)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending', %s, '')
               ON CONFLICT (region_id, source, digest) WHERE state = 'pending' DO NOTHING""",
            [region.pk, item.municipality_id, item.source, item.external_id[:200], item.payload,
             payload_digest(item.payload), item.reason, import_job_id, now],
        )
        added += cur.rowcount
    return added
