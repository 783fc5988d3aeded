"""The body picker's suggestions: the bodies whose name the operator starts to type, the likely ones first.

Where a body is chosen (the card's «направить» and «переадресовать», the queue's bulk bar) the server
renders a plain <select>; static/js/picker.js turns it into a searchable field fed by these
suggestions (appeals/workspace/agency_views.py). A region has hundreds of bodies, not millions: the
user's bodies are read in one query along the agency table's region index, with their sectors
aggregated in the same query, and matched here — so that «ё» and «е», capitals and the server's
collation never decide whether a body is found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404

from appeals.workspace.selectors import appeal_scope
from cur.models import Agency
from cur.scoping import scope_agencies, scope_of

MIN_LETTERS = 2
MAX_QUERY_CHARS = 100
SUGGESTIONS = 20
REGIONAL = "региональный"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class AgencySuggestion:
    """One body offered by the picker, with what tells it apart from bodies of similar names."""

    pk: int
    short_name: str
    name: str
    territory: str  # its municipality, or «региональный» for a body of the whole region
    sectors: tuple[str, ...]
    proposed: bool  # the structuring's routing proposal for the appeal

    def as_json(self) -> dict:
        return {"id": self.pk, "short_name": self.short_name, "name": self.name, "territory": self.territory,
                "sectors": list(self.sectors), "proposed": self.proposed}


def _fold(text: str) -> str:
    """Lower case with «ё» as «е»: how names are compared."""
    return text.lower().replace("ё", "е")


def agency_query_words(query: str) -> list[str]:
    """The words typed into the picker, folded; ValidationError (in Russian) below MIN_LETTERS letters."""
    words = _WORD.findall(_fold((query or "")[:MAX_QUERY_CHARS]))
    if sum(len(word) for word in words) < MIN_LETTERS:
        raise ValidationError("Введите хотя бы две буквы названия органа.", code="too_short")
    return words


def _matches(words: list[str], short_name: str, name: str) -> bool:
    """Every typed word begins some word of the short or the full name («жкх пест» finds
    «МУП «ЖКХ Пестравского района»»)."""
    own = _WORD.findall(_fold(f"{short_name} {name}"))
    return all(any(word.startswith(typed) for word in own) for typed in words)


def agency_suggestions(*, user, query: str, appeal_id: int | None = None,
                       limit: int = SUGGESTIONS) -> list[AgencySuggestion]:
    """Up to `limit` active bodies of the user's scope (cur/scoping.scope_agencies) whose names match
    `query` (see `_matches`): the appeal's routing proposal first, then the bodies of the appeal's
    municipality (without an appeal — of the user's own municipality), then the others; inside each
    group those serving the appeal's sector first, then by name. `appeal_id` outside the user's scope
    is a 404, as the card itself; too short a query raises ValidationError."""
    words = agency_query_words(query)
    proposed_id = sector_id = None
    municipality_id = scope_of(user).municipality_id
    if appeal_id is not None:
        appeal = get_object_or_404(
            appeal_scope(user=user).values("proposed_agency_id", "municipality_id", "sector_id"), pk=appeal_id)
        proposed_id, sector_id = appeal["proposed_agency_id"], appeal["sector_id"]
        municipality_id = appeal["municipality_id"]
    rows = (scope_agencies(Agency.objects.filter(is_active=True), user)
            .values("pk", "short_name", "name", "municipality_id", "municipality__name")
            .annotate(sector_ids=ArrayAgg("sectors__pk", filter=Q(sectors__isnull=False), default=[]),
                      sector_names=ArrayAgg("sectors__name", filter=Q(sectors__isnull=False), default=[],
                                           order_by=("sectors__position", "sectors__name")))
            .order_by())
    found = [row for row in rows if _matches(words, row["short_name"], row["name"])]

    def rank(row) -> tuple:
        local = municipality_id is not None and row["municipality_id"] == municipality_id
        return (row["pk"] != proposed_id, not local, sector_id not in row["sector_ids"],
                _fold(row["short_name"]), row["pk"])

    found.sort(key=rank)
    return [AgencySuggestion(
        pk=row["pk"], short_name=row["short_name"], name=row["name"],
        territory=row["municipality__name"] or REGIONAL,
        sectors=tuple(row["sector_names"]), proposed=row["pk"] == proposed_id,
    ) for row in found[:limit]]
