#!/usr/bin/env python3
"""Check settlements.csv against municipalities_oktmo.csv and boundaries.geojson.

Run from anywhere:  python municipalities/data/validate_settlements.py
Needs only the standard library and shapely. Prints a summary and exits 1 if any check fails.

Checks:
  * the header is exactly the agreed one;
  * region is samara/chuvashia and agrees with the OKTMO prefix; every OKTMO is in the CSV;
  * kind, is_admin_centre, population, lat/lon are well formed;
  * names carry no type prefix («с.», «г.», «пгт» ...);
  * no duplicate (region, municipality_oktmo, name, kind);
  * every municipality has exactly one admin-centre row, except the districts whose centre is a
    city of a neighbouring urban okrug (EXTERNAL_CENTRES), whose city must be there instead;
  * every municipal district has at least MIN_PER_DISTRICT rows (Пестравский: 12);
  * city_district rows only in the four cities that have internal districts;
  * every point lies inside, or within TOLERANCE_KM of, its municipality's polygon.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.ops import nearest_points

DATA = Path(__file__).resolve().parent
HEADER = ["region", "municipality_oktmo", "name", "kind", "is_admin_centre", "population", "lat", "lon"]
KINDS = {"city", "urban_settlement", "village", "settlement", "hamlet", "station", "city_district", "microdistrict"}
REGION_PREFIX = {"samara": "36", "chuvashia": "97"}
TOLERANCE_KM = 2.0
MIN_PER_DISTRICT = 5
MIN_OVERRIDES = {"36632000": 12}  # Пестравский район
# Districts administered from a city that is itself a separate urban okrug.
EXTERNAL_CENTRES = {
    "36614000": ("36701000", "Самара"),       # Волжский район
    "36618000": ("36708000", "Кинель"),       # Кинельский район
    "36634000": ("36727000", "Похвистнево"),  # Похвистневский район
    "36640000": ("36740000", "Тольятти"),     # Ставропольский район
    "36642000": ("36735000", "Сызрань"),      # Сызранский район
    "97603000": ("97704000", "Алатырь"),      # Алатырский район
    "97616000": ("97707000", "Канаш"),        # Канашский район
    "97650000": ("97713000", "Шумерля"),      # Шумерлинский район
}
CITIES_WITH_DISTRICTS = {"36701000", "36740000", "36735000", "97701000"}
PREFIX_RE = re.compile(r"^(г|с|д|п|пос|пгт|рп|ст|х|сл)\.?\s", re.IGNORECASE)
COORD_RE = re.compile(r"^-?\d{1,3}\.\d{4,5}$")


def haversine_km(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def main() -> int:
    errors: list[str] = []
    warnings: list[str] = []

    with open(DATA / "municipalities_oktmo.csv", encoding="utf-8") as fh:
        municipalities = {r["oktmo"]: r for r in csv.DictReader(fh)}
    with open(DATA / "boundaries.geojson", encoding="utf-8") as fh:
        polygons = {f["properties"]["oktmo"]: shape(f["geometry"]) for f in json.load(fh)["features"]}

    with open(DATA / "settlements.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header != HEADER:
            print(f"FAIL: header {header!r} != {HEADER!r}")
            return 1
        rows = [dict(zip(HEADER, r, strict=False)) | {"_line": i, "_n": len(r)} for i, r in enumerate(reader, 2)]

    seen: Counter = Counter()
    per_muni: dict[str, list[dict]] = defaultdict(list)
    outside: list[str] = []
    with_coords = 0
    for r in rows:
        where = f"line {r['_line']} ({r.get('name')})"
        if r["_n"] != len(HEADER):
            errors.append(f"{where}: {r['_n']} fields")
            continue
        oktmo = r["municipality_oktmo"]
        if r["region"] not in REGION_PREFIX:
            errors.append(f"{where}: unknown region {r['region']!r}")
        elif not oktmo.startswith(REGION_PREFIX[r["region"]]):
            errors.append(f"{where}: OKTMO {oktmo} does not belong to {r['region']}")
        if oktmo not in municipalities:
            errors.append(f"{where}: OKTMO {oktmo} not in municipalities_oktmo.csv")
            continue
        per_muni[oktmo].append(r)
        name = r["name"]
        if not name or name != name.strip() or PREFIX_RE.match(name):
            errors.append(f"{where}: bad name {name!r}")
        if r["kind"] not in KINDS:
            errors.append(f"{where}: bad kind {r['kind']!r}")
        if r["kind"] == "city_district" and oktmo not in CITIES_WITH_DISTRICTS:
            errors.append(f"{where}: city_district outside a city with internal districts")
        if r["is_admin_centre"] not in ("", "yes"):
            errors.append(f"{where}: is_admin_centre must be 'yes' or empty")
        if r["population"] and not (r["population"].isdigit() and int(r["population"]) > 0):
            errors.append(f"{where}: bad population {r['population']!r}")
        key = (r["region"], oktmo, name, r["kind"])
        seen[key] += 1
        if seen[key] == 2:
            errors.append(f"{where}: duplicate {key}")

        lat, lon = r["lat"], r["lon"]
        if bool(lat) != bool(lon):
            errors.append(f"{where}: only one of lat/lon given")
            continue
        if not lat:
            continue
        if not (COORD_RE.match(lat) and COORD_RE.match(lon)):
            errors.append(f"{where}: lat/lon must have 4-5 decimals: {lat}, {lon}")
            continue
        with_coords += 1
        pt = Point(float(lon), float(lat))
        poly = polygons.get(oktmo)
        if poly is None:
            errors.append(f"{where}: no boundary for {oktmo}")
            continue
        if not poly.covers(pt):
            km = haversine_km(pt, nearest_points(poly, pt)[0])
            if km > TOLERANCE_KM:
                hits = [o for o, g in polygons.items() if g.covers(pt)]
                outside.append(f"{where}: {lat},{lon} is {km:.1f} km outside {oktmo}"
                               f" (falls in {', '.join(hits) or 'no municipality'})")
            else:
                warnings.append(f"{where}: {km:.2f} km outside {oktmo} (within tolerance)")
    errors.extend(outside)

    for oktmo, m in municipalities.items():
        items = per_muni.get(oktmo, [])
        centres = [r for r in items if r["is_admin_centre"] == "yes"]
        label = f"{oktmo} {m['oktmo_name']}"
        if oktmo in EXTERNAL_CENTRES:
            c_oktmo, c_name = EXTERNAL_CENTRES[oktmo]
            if centres:
                errors.append(f"{label}: centre is {c_name} ({c_oktmo}); no admin row expected here")
            if not any(r["name"] == c_name and r["is_admin_centre"] == "yes" for r in per_muni.get(c_oktmo, [])):
                errors.append(f"{label}: its centre {c_name} is missing from {c_oktmo}")
        elif len(centres) != 1:
            errors.append(f"{label}: {len(centres)} admin-centre rows")
        if m["kind"] == "municipal_district":
            need = MIN_OVERRIDES.get(oktmo, MIN_PER_DISTRICT)
            if len(items) < need:
                errors.append(f"{label}: {len(items)} settlements, need at least {need}")
        elif not items:
            errors.append(f"{label}: no settlements")

    by = Counter((r["region"], r["kind"]) for r in rows)
    print(f"settlements.csv: {len(rows)} rows, {with_coords} with coordinates, "
          f"{len(per_muni)}/{len(municipalities)} municipalities covered")
    for region in REGION_PREFIX:
        parts = ", ".join(f"{k} {by[(region, k)]}" for k in sorted(KINDS) if by[(region, k)])
        print(f"  {region}: {sum(v for (rg, _), v in by.items() if rg == region)} ({parts})")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("FAIL:", e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
