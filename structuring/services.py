"""Writes of the structuring app: examples, model versions, routing rules, and the structure of
stored appeals (each change of an appeal recorded as an AppealEvent)."""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from appeals.lifecycle import deadlines
from appeals.models import Appeal, AppealEvent, Kind
from cur.models import Agency, FastTrack, Sector, Subtopic
from cur.selectors import fast_track_choose, fast_track_rules
from municipalities.models import Municipality, Region, Settlement
from structuring import classifier
from structuring.classifier import Example
from structuring.flags import LEGAL_FLAG_LABELS, Citizen
from structuring.models import ModelVersion, RoutingRule, SectorPrior, TrainingExample
from structuring.pipeline import StructInput, structure_texts
from structuring.selectors import agency_named, choose_rule, published_priors, region_agencies, routing_rules
from structuring.training import prepare

log = logging.getLogger(__name__)

AUTO_REASON = "Структурировано автоматически"
# A person's label (an operator's correction, a labelled file) weighs more than our seed texts:
# it is the real language of the region's citizens.
HUMAN_WEIGHT = 3.0
# appeals structured and written at once: a batch of 500 lifts a worker child ~ 45 MB above its resting size
# (the NER's and the features' temporaries), one of 200 ~ 20 MB at the same speed (docs/benchmarks.md)
BATCH = 200
TOPIC_FIELDS = ("sector", "subtopic")
PLACE_FIELDS = ("municipality", "settlement", "address")
ROUTING_FILE = Path(__file__).resolve().parent / "data" / "routing_defaults.csv"


# --- examples -------------------------------------------------------------------------------

def examples_validate(rows: list[Example]) -> tuple[list[Example], list[str]]:
    """Examples whose sector (and subtopic, when given) exist and agree; the rest as messages."""
    sectors = set(Sector.objects.values_list("code", flat=True))
    subtopic_sector = dict(Subtopic.objects.values_list("code", "sector__code"))
    valid, errors = [], []
    for n, e in enumerate(rows, start=1):
        if not e.text.strip():
            errors.append(f"строка {n}: пустой текст")
        elif e.sector not in sectors:
            errors.append(f"строка {n}: неизвестная тематика «{e.sector}»")
        elif e.subtopic and subtopic_sector.get(e.subtopic) != e.sector:
            errors.append(f"строка {n}: подтема «{e.subtopic}» не относится к тематике «{e.sector}»")
        else:
            valid.append(e)
    return valid, errors


@transaction.atomic
def examples_add(*, examples: list[Example], source: str) -> int:
    """Store labelled texts (a file, our seed set) as training examples."""
    TrainingExample.objects.bulk_create(
        [TrainingExample(text=e.text, sector=e.sector, subtopic=e.subtopic, source=source) for e in examples],
        batch_size=1000)
    return len(examples)


@transaction.atomic
def examples_load_seed() -> int:
    """Our seed examples (structuring/data/training.csv and the demo corpus), replaced as a whole so
    that an edited file is picked up; operators' and files' examples are never touched."""
    from structuring.seed import seed_examples

    TrainingExample.objects.filter(source=TrainingExample.Source.SEED).delete()
    return examples_add(examples=seed_examples(), source=TrainingExample.Source.SEED)


def _appeal_text(title: str, text: str) -> str:
    return f"{title}.\n{text}" if title else text


@transaction.atomic
def examples_from_corrections() -> int:
    """Every appeal whose sector or subtopic an operator corrected becomes an example: its text and
    the corrected (current, confirmed) sector and subtopic. Idempotent; returns how many examples
    were created or changed."""
    # a topic an integration client set — a citizen's category chosen in an Open311 app — is the sender's
    # choice, kept on the appeal, not an operator's judgement to learn from
    corrected = (AppealEvent.objects.filter(kind=AppealEvent.Kind.FIELD_CHANGED, field__in=TOPIC_FIELDS)
                 .exclude(reason=AUTO_REASON).exclude(actor__api_client__isnull=False)
                 .values_list("appeal_id", flat=True).distinct())
    existing = {e.appeal_id: e for e in TrainingExample.objects.filter(source=TrainingExample.Source.OPERATOR)}
    new, changed = [], []
    rows = (Appeal.objects.filter(pk__in=corrected, sector__isnull=False)
            .values_list("pk", "title", "text", "sector__code", "subtopic__code").iterator(chunk_size=2000))
    for pk, title, text, sector, subtopic in rows:
        text, subtopic = _appeal_text(title, text), subtopic or ""
        example = existing.get(pk)
        if example is None:
            new.append(TrainingExample(text=text, sector=sector, subtopic=subtopic,
                                       source=TrainingExample.Source.OPERATOR, appeal_id=pk))
        elif (example.text, example.sector, example.subtopic) != (text, sector, subtopic):
            example.text, example.sector, example.subtopic = text, sector, subtopic
            changed.append(example)
    TrainingExample.objects.bulk_create(new, batch_size=1000)
    TrainingExample.objects.bulk_update(changed, ["text", "sector", "subtopic"], batch_size=1000)
    return len(new) + len(changed)


def example_remember(*, appeal: Appeal) -> TrainingExample:
    """An operator's correction of the topic becomes an example at once (the correction memory then
    labels its near-duplicates; the nightly retraining learns from it). Called inside the
    correction's transaction; examples_from_corrections finds the same row later."""
    example, _ = TrainingExample.objects.update_or_create(
        appeal_id=appeal.pk, defaults={
            "text": _appeal_text(appeal.title, appeal.text), "sector": appeal.sector.code,
            "subtopic": appeal.subtopic.code if appeal.subtopic_id else "", "source": TrainingExample.Source.OPERATOR})
    return example


# --- model versions -------------------------------------------------------------------------

def _stored_examples() -> list[Example]:
    return [Example(text, sector, subtopic, 1.0 if source == TrainingExample.Source.SEED else HUMAN_WEIGHT)
            for text, sector, subtopic, source in
            TrainingExample.objects.order_by("pk").values_list("text", "sector", "subtopic", "source")]


def model_train(*, examples: list[Example] | None = None) -> ModelVersion:
    """Fit a new model version and make it the active one; the versions no longer needed are
    deleted in the same transaction (model_versions_prune).

    Without `examples`: operators' corrections are collected first, then everything stored is used
    (seed texts, labelled files, corrections) — the one learning path of `learn`, the retrain task
    and bootstrap. The fit runs outside the transaction; only storing the version holds one.
    """
    if examples is None:
        examples_from_corrections()
        examples = _stored_examples()
    if len({e.sector for e in examples}) < 2:
        raise ValueError("Для обучения нужны примеры хотя бы двух тематик.")
    model, metrics = classifier.train(prepare(examples), examples)
    metrics["feature_version"] = classifier.FEATURE_VERSION
    with transaction.atomic():
        list(ModelVersion.objects.select_for_update().filter(is_active=True))
        # numbered after the highest id, not the count: pruned versions leave gaps, never a repeat
        number = (ModelVersion.objects.aggregate(Max("pk"))["pk__max"] or 0) + 1
        version = ModelVersion.objects.create(
            label=f"v{number:03d}-{timezone.now():%Y%m%d-%H%M%S}", n_examples=len(examples), metrics=metrics,
            fitted=classifier.dumps(model))
        _activate(version)
        model_versions_prune()
    log.info("model %s trained on %d examples: %s", version.label, len(examples),
             {k: metrics.get(k) for k in ("sector_accuracy", "sector_macro_f1", "subtopic_accuracy")})
    return version


def _activate(version: ModelVersion) -> None:
    now = timezone.now()
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    if ModelVersion.objects.filter(pk=version.pk).update(is_active=True, activated_at=now) != 1:
        raise ModelVersion.DoesNotExist(f"версия {version.label} удалена")
    version.is_active, version.activated_at = True, now


@transaction.atomic
def model_activate(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the active model (a rollback when it is an older one)."""
    list(ModelVersion.objects.select_for_update().filter(Q(is_active=True) | Q(pk=version.pk)))
    _activate(version)
    return version


def _previous() -> ModelVersion | None:
    """The version that was active before the active one: the rollback target. Versions without a
    recorded activation come after those with one, the newest first."""
    return (ModelVersion.objects.filter(is_active=False)
            .order_by(F("activated_at").desc(nulls_last=True), "-created_at", "-pk").first())


def model_rollback() -> ModelVersion | None:
    """Activate the previous version (the one active before the active one); None when there is
    none. Rolling back twice returns to where it started."""
    previous = _previous()
    return model_activate(version=previous) if previous else None


@transaction.atomic
def model_versions_prune(*, among: QuerySet[ModelVersion] | None = None) -> list[str]:
    """Delete the model versions (≈ 9 MB each, the fitted model stored in the row) that nobody can
    need: every version except the active one, the previous one (the rollback target) and those an
    operator pinned. `among`: only from these (the admin's selection). Runs after every training;
    returns the labels deleted."""
    list(ModelVersion.objects.select_for_update().filter(is_active=True))  # no activation meanwhile
    previous = _previous()
    doomed = ModelVersion.objects.filter(is_active=False, pinned=False)
    if previous is not None:
        doomed = doomed.exclude(pk=previous.pk)
    if among is not None:
        doomed = doomed.filter(pk__in=among.values("pk"))
    labels = list(doomed.order_by("created_at", "pk").values_list("label", flat=True))
    if labels:
        ModelVersion.objects.filter(label__in=labels).delete()
        log.info("model versions pruned: %s", ", ".join(labels))
    return labels


# --- routing rules --------------------------------------------------------------------------

@transaction.atomic
def routing_rules_load_default() -> dict[str, int]:
    """Default rules for the agencies that exist: each municipality's main administration for any
    topic, and the rows of structuring/data/routing_defaults.csv (regional competences, the
    regional operators, municipal departments). Rules an administrator added or edited are kept;
    nothing is created twice."""
    regions = {r.code: r for r in Region.objects.all()}
    agencies = {a.code: a for a in Agency.objects.filter(is_active=True)}
    municipalities = {m.oktmo: m for m in Municipality.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    subtopics = {s.code: s for s in Subtopic.objects.select_related("sector")}
    wanted = []
    all_sectors = set(sectors) & {"education", "healthcare", "roads", "housing_utilities", "waste", "other"}
    for agency in Agency.objects.filter(kind=Agency.Kind.OMSU, municipality__isnull=False, parent__isnull=True,
                                        is_active=True).prefetch_related("sectors"):
        if all_sectors <= {s.code for s in agency.sectors.all()}:
            wanted.append((agency.region, agency.municipality, None, None, agency, 0, "администрация МО"))
    with open(ROUTING_FILE, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            agency, region = agencies.get(row["agency"]), regions.get(row["region"])
            if agency is None or region is None:
                continue
            subtopic = subtopics.get(row["subtopic"]) if row["subtopic"] else None
            wanted.append((region, municipalities.get(row["municipality_oktmo"]) if row["municipality_oktmo"] else None,
                           subtopic.sector if subtopic else sectors.get(row["sector"]) if row["sector"] else None,
                           subtopic, agency, int(row["priority"] or 0), row["note"]))
    created = 0
    for region, municipality, sector, subtopic, agency, priority, note in wanted:
        _, was_created = RoutingRule.objects.get_or_create(
            region=region, municipality=municipality, sector=sector, subtopic=subtopic, agency=agency,
            defaults={"priority": priority, "note": note})
        created += was_created
    return {"rules": RoutingRule.objects.count(), "created": created}


# --- structuring stored appeals -------------------------------------------------------------

_READ = ("pk", "region_id", "region__code", "kind", "title", "text", "municipality__oktmo", "citizen_name",
         "citizen_address", "citizen_email")


def appeals_structure(*, appeal_ids: list[int]) -> int:
    """Structure stored appeals in batches: sector, subtopic, confidence, municipality, settlement,
    address, ст. 11 signs, the proposed agency, when and by which model.

    What a person confirmed is never overwritten: with structuring_confidence == 1.0 the topic and
    the place stay, and any field an operator corrected (a FIELD_CHANGED event of theirs) stays.
    An abstention (no municipality found) never erases what the source gave. Each appeal whose
    structure changed gets one FIELD_CHANGED event (field «structured_at», reason «Структурировано
    автоматически») with what changed — one event rather than one per field, since this runs on
    every ingested item. Returns how many appeals were written. A retried call is a no-op.
    """
    ids = sorted(set(appeal_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        rows = list(Appeal.objects.filter(pk__in=ids[start:start + BATCH]).values_list(*_READ))
        by_region: dict[str, list[tuple]] = defaultdict(list)
        for row in rows:
            by_region[row[2]].append(row)
        for code, region_rows in by_region.items():
            results = structure_texts([
                StructInput(text=text, title=title, municipality_oktmo=oktmo,
                            citizen=Citizen(name, address, email) if kind == Kind.APPEAL else None)
                for _, _, _, kind, title, text, oktmo, name, address, email in region_rows
            ], code)
            written += _store(region_rows[0][1], [r[0] for r in region_rows], results)
    return written


@transaction.atomic
def _store(region_id: int, pks: list[int], results) -> int:
    """Write one region's batch under row locks, re-reading what operators confirmed meanwhile."""
    now = timezone.now()
    appeals = {a.pk: a for a in Appeal.objects.locked().filter(pk__in=pks)
               .select_related("sector", "subtopic", "municipality", "settlement", "proposed_agency")}
    corrected: dict[int, set[str]] = defaultdict(set)
    for pk, field in (AppealEvent.objects.filter(appeal_id__in=pks, kind=AppealEvent.Kind.FIELD_CHANGED,
                                                 field__in=TOPIC_FIELDS + PLACE_FIELDS)
                      .exclude(reason=AUTO_REASON).values_list("appeal_id", "field")):
        corrected[pk].add(field)
    codes = {r.sector for r in results} | {r.subtopic for r in results if r.subtopic}
    sectors = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    subtopics = {s.code: s for s in Subtopic.objects.filter(code__in=codes, is_active=True)}
    oktmos = {r.municipality_oktmo for r in results if r.municipality_oktmo}
    municipalities = {m.oktmo: m for m in Municipality.objects.filter(oktmo__in=oktmos)}
    settlements = Settlement.objects.in_bulk([r.settlement_id for r in results if r.settlement_id])
    rules = routing_rules(region_id=region_id)
    named = region_agencies(region_id=region_id) if any(r.organisations for r in results) else []
    tracks = fast_track_rules(region_id=region_id)
    agencies = Agency.objects.in_bulk({r.agency_id for r in rules} | {a.id for a in named}
                                      | {t.agency_id for t in tracks})
    fast_tracks = FastTrack.objects.in_bulk([t.id for t in tracks])

    fields = ["sector", "subtopic", "structuring_confidence", "municipality", "settlement", "address",
              "legal_flags", "proposed_agency", "fast_track", "structured_at", "structuring_model", "version",
              "updated_at"]
    changed, events, shortened = [], [], []
    for pk, result in zip(pks, results, strict=True):
        appeal = appeals.get(pk)
        if appeal is None:
            continue  # deleted meanwhile
        locked = set(corrected[pk])
        if appeal.structuring_confidence == 1.0:
            locked |= {"sector", "subtopic", "municipality", "settlement"}
        new = {"structuring_confidence": appeal.structuring_confidence if "sector" in locked
               else result.sector_confidence}
        if "sector" not in locked and result.sector in sectors:
            new["sector"] = sectors[result.sector]
            if "subtopic" not in locked:
                new["subtopic"] = subtopics.get(result.subtopic)
        municipality = municipalities.get(result.municipality_oktmo)
        if "municipality" not in locked and municipality is not None:
            new["municipality"] = municipality
        final_municipality = new.get("municipality", appeal.municipality)
        settlement = settlements.get(result.settlement_id)
        if ("settlement" not in locked and settlement is not None and final_municipality is not None
                and settlement.municipality_id == final_municipality.pk):
            new["settlement"] = settlement
        if "address" not in locked and result.address:
            new["address"] = result.address[:300]
        new["legal_flags"] = result.flags
        final_sector, final_subtopic = new.get("sector", appeal.sector), new.get("subtopic", appeal.subtopic)
        rule = choose_rule(rules, municipality_id=final_municipality.pk if final_municipality else None,
                           sector_id=final_sector.pk if final_sector else None,
                           subtopic_id=final_subtopic.pk if final_subtopic else None)
        # a body the text names itself («МУП „Водоканал“ не отвечает») before the rules' choice
        named_id = agency_named(named, result.organisations, sector_id=final_sector.pk if final_sector else None)
        new["proposed_agency"] = agencies.get(named_id) or (agencies.get(rule.agency_id) if rule else None)
        # a typical problem with a fast-track mechanism: its body, and (at registration) its shorter deadline
        track = fast_track_choose(tracks, municipality_id=final_municipality.pk if final_municipality else None,
                                  subtopic_id=final_subtopic.pk if final_subtopic else None)
        new["fast_track"] = fast_tracks.get(track.id) if track else None
        if track:
            new["proposed_agency"] = agencies.get(track.agency_id)
        diff = {name: (getattr(appeal, name), value) for name, value in new.items() if getattr(appeal, name) != value}
        if not diff and appeal.structuring_model == result.model:
            continue
        shown = dict(diff)
        if shown.keys() & set(TOPIC_SHOWN):  # the timeline reads the topic whole (auto_event_words)
            for name in TOPIC_SHOWN:
                shown.setdefault(name, (getattr(appeal, name), getattr(appeal, name)))
        for name, (_, value) in diff.items():
            setattr(appeal, name, value)
        if "fast_track" in diff and deadlines.fast_track_shorten(appeal):
            shortened.append(appeal)  # already registered: the answer is due sooner
        appeal.structured_at, appeal.structuring_model, appeal.updated_at = now, result.model, now
        appeal.version += 1
        changed.append(appeal)
        if diff:
            events.append(AppealEvent(
                appeal=appeal, region_id=appeal.region_id, at=now, kind=AppealEvent.Kind.FIELD_CHANGED,
                field="structured_at", old_value=_summary({k: old for k, (old, _) in shown.items()}),
                new_value=_summary({k: value for k, (_, value) in shown.items()}), reason=AUTO_REASON))
    Appeal.objects.bulk_update(changed, fields)
    Appeal.objects.bulk_update(shortened, ["due_at", "warn_at", "is_due_soon"])  # the few whose clock moved
    AppealEvent.objects.bulk_create(events)
    return len(changed)


_LABELS = {"sector": "тематика", "subtopic": "подтема", "structuring_confidence": "уверенность",
           "municipality": "МО", "settlement": "нас. пункт", "address": "адрес", "legal_flags": "признаки ст. 11",
           "proposed_agency": "предложенный исполнитель", "fast_track": "ускоренное решение"}
TOPIC_SHOWN = ("sector", "subtopic", "structuring_confidence")


def _summary(values: dict) -> str:
    parts = []
    for name, value in values.items():
        if value in (None, "", []):
            value = "—"
        elif isinstance(value, float):
            value = f"{value:.2f}"
        elif isinstance(value, list):
            value = ", ".join(value)
        parts.append(f"{_LABELS.get(name, name)}: {value}")
    return "; ".join(parts)


def auto_event_words(summary: str) -> list[str]:
    """The automatic structuring event (the `new_value` _summary wrote) as sentences for the card's
    timeline: «Тематика определена автоматически: ЖКХ / Нет горячей воды, уверенность 86 %», then the
    place, the ст. 11 signs and the proposed body. Reads events written before the topic was stored
    whole too (then only what changed is named)."""
    values: dict[str, str] = {}
    label_of = {label: name for name, label in _LABELS.items()}
    for part in summary.split("; "):
        label, sep, value = part.partition(": ")
        if sep and label in label_of:
            values[label_of[label]] = value
        elif values:  # a value holding "; " (an address): it continues the previous one
            last = next(reversed(values))
            values[last] += "; " + part
    given = {name: value for name, value in values.items() if value != "—"}
    lines = []
    topic = " / ".join(given[name] for name in ("sector", "subtopic") if name in given)
    confidence = _percent(given.get("structuring_confidence"))
    if topic:
        said = f", уверенность {confidence}" if confidence else ""
        lines.append(f"Тематика определена автоматически: {topic}{said}")
    elif confidence:
        lines.append(f"Уверенность в тематике пересчитана: {confidence}")
    place = ", ".join(given[name] for name in ("municipality", "settlement", "address") if name in given)
    if place:
        lines.append(f"Место определено автоматически: {place}")
    if "legal_flags" in values:
        lines.append(f"Признаки ст. 11 59-ФЗ: {_flag_words(given['legal_flags'])}" if "legal_flags" in given
                     else "Признаков ст. 11 59-ФЗ не найдено")
    if "proposed_agency" in values:
        lines.append(f"Предложен исполнитель: {given['proposed_agency']}" if "proposed_agency" in given
                     else "Исполнитель не предложен: нет подходящего правила маршрутизации")
    if "fast_track" in given:
        lines.append(f"Механизм ускоренного решения: {given['fast_track']}")
    return lines or ["Структурировано автоматически"]


def _percent(value: str | None) -> str:
    """«0.86» → «86 %» (Russian writes a space before the sign); anything else → ""."""
    try:
        share = float(value) if value is not None else None
    except ValueError:
        return ""
    return "" if share is None else f"{round(share * 100)}\u00a0%"


def _flag_words(codes: str) -> str:
    """The ст. 11 sign codes of the summary in words."""
    return ", ".join(LEGAL_FLAG_LABELS.get(code.strip(), code.strip()) for code in codes.split(","))


@transaction.atomic
def sector_priors_load() -> int:
    """The published shares (structuring/data/sector_priors.csv) for every region that has none of
    its own yet; a region's edited shares are never touched. Returns how many rows were created."""
    rows = published_priors()
    sectors = dict(Sector.objects.filter(code__in=[sector for sector, _, _ in rows]).values_list("code", "pk"))
    have = set(SectorPrior.objects.values_list("region_id", flat=True).distinct())
    created = [SectorPrior(region=region, sector_id=sectors[sector], share=share, source=source)
               for region in Region.objects.exclude(pk__in=have) for sector, share, source in rows if sector in sectors]
    SectorPrior.objects.bulk_create(created)
    return len(created)


def structuring_bootstrap() -> dict[str, object]:
    """What a fresh installation needs to structure: the sectors' priors, our seed examples and a
    first active model. Trains nothing when a model is active (a later `learn` or retrain is never
    undone)."""
    priors = sector_priors_load()
    active = ModelVersion.objects.filter(is_active=True).values_list("label", "metrics").first()
    if active and active[1].get("feature_version") == classifier.FEATURE_VERSION:
        return {"model": active[0], "trained": False, "priors": priors}
    # none yet, or one fitted on features this code no longer makes (an upgrade): train on what is stored
    seeded = 0
    if not TrainingExample.objects.filter(source=TrainingExample.Source.SEED).exists():
        seeded = examples_load_seed()
    version = model_train()
    return {"model": version.label, "trained": True, "seed_examples": seeded, "priors": priors,
            "sector_accuracy": version.metrics.get("sector_accuracy")}
