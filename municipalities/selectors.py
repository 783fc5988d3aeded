"""Reads of the territory shared by the ratings and the heat map."""

from __future__ import annotations

from municipalities.models import Population


def populations(region_id: int, year: int) -> dict[int, int]:
    """municipality id → its population on the latest 1 January not after `year` (Rosstat): the per-10 000
    figures of a period use the population of the period's own year, or the latest one published before."""
    result: dict[int, int] = {}
    rows = (Population.objects.filter(municipality__region_id=region_id, year__lte=year)
            .order_by("municipality_id", "year").values_list("municipality_id", "population"))
    for municipality_id, population in rows:
        result[municipality_id] = population  # ordered by year: the latest wins
    return result
