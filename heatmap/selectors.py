"""The sector × municipality matrix of the heat map over the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from appeals.models import Appeal
from cur.models import Sector
from cur.scoping import scope_appeals, scope_municipalities
from municipalities.models import Municipality, Population


@dataclass
class MatrixRow:
    municipality: Municipality
    population: int | None
    counts: list[int] = field(default_factory=list)
    per_10k: list[float | None] = field(default_factory=list)
    total: int = 0


def population_for_year(year: int) -> dict[int, int]:
    """Population per municipality id for the latest year not after `year` (Rosstat, 1 January)."""
    result: dict[int, int] = {}
    for municipality_id, population in (
        Population.objects.filter(year__lte=year).order_by("municipality_id", "year")
        .values_list("municipality_id", "population")
    ):
        result[municipality_id] = population  # later years overwrite earlier ones
    return result


def sector_matrix(*, user, date_from: datetime, date_to: datetime) -> tuple[list[Sector], list[MatrixRow]]:
    """Count of appeals received in [date_from, date_to) per municipality × sector, and per 10 000
    residents. Rows: municipalities in the user's scope, busiest first."""
    sectors = list(Sector.objects.filter(centre__isnull=True))
    municipalities = {m.pk: m for m in scope_municipalities(Municipality.objects.defer("boundary"), user)}
    cells = (
        scope_appeals(Appeal.objects.all(), user)
        .filter(received_at__gte=date_from, received_at__lt=date_to, municipality_id__in=list(municipalities))
        .values_list("municipality_id", "sector_id").annotate(n=Count("pk")).order_by()
    )
    population = population_for_year(date_to.year)
    column = {s.pk: i for i, s in enumerate(sectors)}
    rows = {pk: MatrixRow(m, population.get(pk), [0] * len(sectors)) for pk, m in municipalities.items()}
    for municipality_id, sector_id, n in cells:
        if sector_id in column:
            rows[municipality_id].counts[column[sector_id]] += n
        rows[municipality_id].total += n
    for row in rows.values():
        row.per_10k = [round(c * 10_000 / row.population, 1) if row.population else None for c in row.counts]
    return sectors, sorted(rows.values(), key=lambda r: -r.total)


def quantile_classes(values: list[float | None], buckets: int = 5) -> list[str]:
    """CSS class `q0`…`q4` per value by its quantile among the non-empty values (empty → `qx`)."""
    present = sorted(v for v in values if v)
    if not present:
        return ["qx" if v is None else "q0" for v in values]
    cuts = [present[min(len(present) - 1, int(len(present) * k / buckets))] for k in range(1, buckets)]
    return ["qx" if v is None else f"q{sum(v > c for c in cuts) if v else 0}" for v in values]
