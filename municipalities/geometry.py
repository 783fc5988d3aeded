"""Plane geometry on GeoJSON lon/lat shapes — enough for labels and point-in-municipality checks
without PostGIS (the embedded PostgreSQL has none). Rings may wind either way: OSM data mixes them."""

from __future__ import annotations

from itertools import pairwise

Ring = list[list[float]]
Polygon = list[Ring]


def _polygons(geometry: dict) -> list[Polygon]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def contains(geometry: dict, lon: float, lat: float) -> bool:
    """Whether the point lies in a GeoJSON Polygon / MultiPolygon: in any of its polygons, where
    inside a polygon follows the even-odd rule over its rings, so holes count."""
    return any(_inside_polygon(polygon, lon, lat) for polygon in _polygons(geometry))


def _inside_polygon(polygon: Polygon, lon: float, lat: float) -> bool:
    inside = False
    for ring in polygon:
        for (x1, y1), (x2, y2) in pairwise(ring):
            if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
                inside = not inside
    return inside


def _ring_moments(ring: Ring) -> tuple[float, float, float]:
    """(area, centroid lat, centroid lon) of one ring, area unsigned (shoelace, planar degrees)."""
    total = cx = cy = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        cross = x1 * y2 - x2 * y1
        total += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if not total:
        return 0.0, ring[0][1], ring[0][0]
    return abs(total) / 2, cy / (3 * total), cx / (3 * total)


def polygon_centroid(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of the area-weighted centroid of the outer rings."""
    moments = [_ring_moments(polygon[0]) for polygon in _polygons(geometry)]
    area = sum(m[0] for m in moments)
    if not area:
        return moments[0][1], moments[0][2]
    return sum(a * y for a, y, _ in moments) / area, sum(a * x for a, _, x in moments) / area


def label_point(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of a point surely inside the shape, for a label or a marker.

    The centroid when it is inside; otherwise (a district wrapped around a city, a town in two
    pieces) the middle of the widest stretch of the largest piece along that piece's centroid latitude.
    """
    lat, lon = polygon_centroid(geometry)
    if contains(geometry, lon, lat):
        return lat, lon
    largest = max(_polygons(geometry), key=lambda polygon: _ring_moments(polygon[0])[0])
    _, lat, lon = _ring_moments(largest[0])
    if _inside_polygon(largest, lon, lat):
        return lat, lon
    crossings = sorted(
        x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        for ring in largest for (x1, y1), (x2, y2) in pairwise(ring) if (y1 > lat) != (y2 > lat)
    )
    left, right = max(zip(crossings[::2], crossings[1::2], strict=True), key=lambda pair: pair[1] - pair[0])
    return lat, (left + right) / 2


def _signed_area(ring: Ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def rewound(geometry: dict) -> dict:
    """The shape with its rings wound as d3's spherical geometry reads them (plotly's maps): outer rings
    clockwise, holes counter-clockwise. OSM's mixed windings would otherwise paint a district as the whole
    globe but the district."""
    def wind(polygon: Polygon) -> Polygon:
        return [ring if (_signed_area(ring) < 0) == (index == 0) else ring[::-1] for index, ring in enumerate(polygon)]

    polygons = [wind(polygon) for polygon in _polygons(geometry)]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}
