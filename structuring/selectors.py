"""Reads of the structuring app: the active model, the region's gazetteer, routing rules."""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, Max

from cur.models import Agency
from municipalities.models import Municipality, Region, Settlement
from structuring import classifier
from structuring.gazetteer import Gazetteer
from structuring.models import ModelVersion, RoutingRule, SectorPrior

log = logging.getLogger(__name__)
SEED_LABEL = "seed-memory"


@dataclass(frozen=True)
class LoadedModel:
    label: str
    model: dict


_loaded: dict[str, LoadedModel] = {}


def active_model() -> LoadedModel:
    """The active ModelVersion, unpickled once per process; without one (a database not yet
    bootstrapped), a model fitted in memory on the seed examples, so structuring never stops."""
    label = ModelVersion.objects.filter(is_active=True).values_list("label", flat=True).first()
    if label is None:
        return seed_model()
    loaded = _loaded.get(label)
    if loaded is None:
        data = ModelVersion.objects.filter(label=label).values_list("fitted", flat=True).get()
        try:
            loaded = LoadedModel(label, classifier.loads(data))
        except (ValueError, KeyError, EOFError) as error:
            log.warning("model %s cannot be used (%s); the seed model structures instead", label, error)
            loaded = seed_model()  # kept under the label: the broken one is not unpickled again
        _loaded.clear()
        _loaded[label] = loaded
    return loaded


@lru_cache(maxsize=1)
def seed_model() -> LoadedModel:
    from structuring.seed import seed_examples
    from structuring.training import prepare

    examples = seed_examples()
    return LoadedModel(SEED_LABEL, classifier.fit(prepare(examples), examples))


PRIORS_FILE = Path(__file__).resolve().parent / "data" / "sector_priors.csv"


@lru_cache(maxsize=1)
def published_priors() -> tuple[tuple[str, float, str], ...]:
    """(sector, share, source) of the published shares of real streams (structuring/data/sector_priors.csv)."""
    with open(PRIORS_FILE, encoding="utf-8") as fh:
        return tuple((row["sector"], float(row["share"]), row["source"]) for row in csv.DictReader(fh))


def default_priors() -> dict[str, float]:
    return {sector: share for sector, share, _ in published_priors()}


def sector_priors(region) -> dict[str, float]:
    """Sector code → its share in the region's stream: the region's own (admin) or the defaults."""
    own = dict(SectorPrior.objects.filter(region=region_of(region)).values_list("sector__code", "share"))
    return own or default_priors()


def region_of(region) -> Region:
    return region if isinstance(region, Region) else Region.objects.get(code=region)


_gazetteers: dict[str, tuple[tuple, Gazetteer]] = {}


def gazetteer(region) -> Gazetteer:
    """The gazetteer of a region (a Region or its code), rebuilt when its settlements change."""
    code = region.code if isinstance(region, Region) else region
    stamp = tuple(Settlement.objects.filter(region__code=code).aggregate(n=Count("id"), last=Max("id")).values())
    cached = _gazetteers.get(code)
    if cached and cached[0] == stamp:
        return cached[1]
    municipalities = list(Municipality.objects.filter(region__code=code).values("oktmo", "name", "kind"))
    if not municipalities:
        raise Region.DoesNotExist(f"no territory loaded for region «{code}»")
    settlements = [
        {"id": s["id"], "oktmo": s["municipality__oktmo"], "name": s["name"], "kind": s["kind"],
         "is_admin_centre": s["is_admin_centre"], "population": s["population"]}
        for s in Settlement.objects.filter(region__code=code).values(
            "id", "municipality__oktmo", "name", "kind", "is_admin_centre", "population")
    ]
    built = Gazetteer(municipalities, settlements)
    _gazetteers[code] = (stamp, built)
    return built


@dataclass(frozen=True)
class Rule:
    id: int
    municipality_id: int | None
    sector_id: int | None
    subtopic_id: int | None
    agency_id: int
    priority: int

    @property
    def specificity(self) -> tuple[int, int, int]:
        topic = 2 if self.subtopic_id else 1 if self.sector_id else 0
        return topic, 1 if self.municipality_id else 0, self.priority


def routing_rules(*, region_id: int) -> list[Rule]:
    """The region's active rules, for choose_rule over a batch of appeals (one query)."""
    rows = RoutingRule.objects.filter(region_id=region_id, is_active=True, agency__is_active=True).values_list(
        "id", "municipality_id", "sector_id", "subtopic_id", "agency_id", "priority")
    return [Rule(*row) for row in rows]


def choose_rule(rules: list[Rule], *, municipality_id: int | None, sector_id: int | None,
                subtopic_id: int | None) -> Rule | None:
    """The most specific matching rule: subtopic over sector over any topic, then a municipality's
    own rule over a region-wide one, then the higher priority; ties go to the older rule."""
    matching = [r for r in rules
                if r.municipality_id in (None, municipality_id)
                and r.sector_id in (None, sector_id)
                and r.subtopic_id in (None, subtopic_id)]
    return max(matching, key=lambda r: (r.specificity, -r.id), default=None)


def propose_agency(*, region_id: int, municipality_id: int | None, sector_id: int | None,
                   subtopic_id: int | None) -> int | None:
    """The agency id the routing rules propose for one appeal, or None."""
    rule = choose_rule(routing_rules(region_id=region_id), municipality_id=municipality_id, sector_id=sector_id,
                       subtopic_id=subtopic_id)
    return rule.agency_id if rule else None


# legal forms and generic words that do not tell one organisation from another
_ORG_NOISE = frozenset("""
ооо оао зао ао пао муп муп мбу мку мау гбу гку гау гуп фгуп нко тсж тсн жск снт ип ук управляющая компания
администрация г городского округа муниципального района филиал пао
""".split())
_ORG_WORD = re.compile(r"[а-яёa-z0-9]+(?:-[а-яёa-z0-9]+)*")


def _org_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in _ORG_WORD.findall(name.lower().replace("ё", "е")) if w not in _ORG_NOISE)


@dataclass(frozen=True)
class NamedAgency:
    id: int
    words: tuple[str, ...]
    sector_ids: frozenset[int]


def region_agencies(*, region_id: int) -> list[NamedAgency]:
    """The region's active agencies by the distinctive words of their names (one query per batch)."""
    sectors: dict[int, set[int]] = {}
    for agency_id, sector_id in Agency.sectors.through.objects.filter(
            agency__region_id=region_id, agency__is_active=True).values_list("agency_id", "sector_id"):
        sectors.setdefault(agency_id, set()).add(sector_id)
    out = []
    for pk, name, short_name in Agency.objects.filter(region_id=region_id, is_active=True).values_list(
            "pk", "name", "short_name"):
        for words in {_org_words(short_name), _org_words(name)}:
            if words and sum(len(w) for w in words) >= 4:
                out.append(NamedAgency(pk, words, frozenset(sectors.get(pk, ()))))
    return out


def agency_named(agencies: list[NamedAgency], organisations: list[str], *, sector_id: int | None) -> int | None:
    """The agency a text names («МУП „Водоканал“ не отвечает»): an organisation the NER model found whose
    distinctive words are an agency's name, when exactly one agency of the topic (or of any topic) fits."""
    matched = set()
    for org in organisations:
        words = _org_words(org)
        if sum(len(w) for w in words) < 4:
            continue  # «УК», «ЖКХ»: every other body is one
        for agency in agencies:
            if _contains(words, agency.words) or _contains(agency.words, words):
                if sector_id is None or not agency.sector_ids or sector_id in agency.sector_ids:
                    matched.add(agency.id)
    return matched.pop() if len(matched) == 1 else None


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))
