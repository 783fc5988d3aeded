"""Loading the territory reference data shipped in municipalities/data/ (see docs/territory.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction

from municipalities.geometry import label_point
from municipalities.models import Municipality, Population, Region, Settlement

DATA_DIR = Path(__file__).resolve().parent / "data"

REGIONS = [
    # code, name as in the OKTMO file, time zone, OKTMO prefix
    ("samara", "Самарская область", "Europe/Samara", "36"),
    ("chuvashia", "Чувашская Республика", "Europe/Moscow", "97"),
]


def _short_name(row: dict) -> str:
    # The OSM name is the everyday one («Пестравский район», «Тольятти», «городской округ Кинель»).
    return row["osm_name"].replace("городской округ ", "")


@transaction.atomic
def territory_load() -> dict[str, int]:
    """Create or update both regions, their municipalities with boundaries and population,
    and the settlements gazetteer. Idempotent; returns counts of what is now loaded."""
    regions = {}
    by_name = {}
    for code, name, tz, prefix in REGIONS:
        region, _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "timezone": tz, "oktmo_prefix": prefix}
        )
        regions[code] = region
        by_name[name] = region

    features = json.loads((DATA_DIR / "boundaries.geojson").read_text(encoding="utf-8"))["features"]
    geometry_by_oktmo = {f["properties"]["oktmo"]: f["geometry"] for f in features}

    municipalities = {}
    with open(DATA_DIR / "municipalities_oktmo.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            geometry = geometry_by_oktmo.get(row["oktmo"])
            lat, lon = label_point(geometry) if geometry else (None, None)
            municipality, _ = Municipality.objects.update_or_create(
                oktmo=row["oktmo"],
                defaults={
                    "region": by_name[row["region"]], "name": _short_name(row),
                    "official_name": row["oktmo_name"], "kind": row["kind"],
                    "boundary": geometry, "centroid_lat": lat, "centroid_lon": lon,
                },
            )
            municipalities[row["oktmo"]] = municipality

    population_rows = 0
    path = DATA_DIR / "population.csv"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                Population.objects.update_or_create(
                    municipality=municipalities[row["oktmo"]], year=int(row["year"]),
                    defaults={"population": int(row["population"])},
                )
                population_rows += 1

    settlements = 0
    path = DATA_DIR / "settlements.csv"
    if path.exists():
        # ~3 000 rows: read what is stored once, then create and update in bulk (one row at a time
        # took seconds at every start)
        stored = {(s.municipality_id, s.name, s.kind): s for s in Settlement.objects.all()}
        new, changed = [], []
        fields = ("region_id", "is_admin_centre", "population", "lat", "lon")
        with open(path, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                municipality = municipalities[row["municipality_oktmo"]]
                values = {
                    "region_id": municipality.region_id,
                    "is_admin_centre": row["is_admin_centre"] == "yes",
                    "population": int(row["population"]) if row["population"] else None,
                    "lat": float(row["lat"]) if row["lat"] else None,
                    "lon": float(row["lon"]) if row["lon"] else None,
                }
                existing = stored.get((municipality.pk, row["name"], row["kind"]))
                if existing is None:
                    new.append(Settlement(municipality=municipality, name=row["name"], kind=row["kind"], **values))
                elif any(getattr(existing, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(existing, k, v)
                    changed.append(existing)
                settlements += 1
        Settlement.objects.bulk_create(new, batch_size=1000)
        Settlement.objects.bulk_update(changed, fields, batch_size=1000)
    return {
        "regions": len(regions), "municipalities": len(municipalities),
        "population_rows": population_rows, "settlements": settlements,
    }
