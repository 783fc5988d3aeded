import pytest

from municipalities.geometry import contains, label_point, polygon_centroid
from municipalities.models import Municipality, Population, Region, Settlement

pytestmark = pytest.mark.django_db


def test_both_regions_ship_with_their_time_zones():
    assert dict(Region.objects.values_list("code", "timezone")) == {
        "samara": "Europe/Samara", "chuvashia": "Europe/Moscow",
    }


def test_samara_has_10_urban_okrugs_and_27_municipal_districts():
    samara = Municipality.objects.filter(region__code="samara")
    assert samara.filter(kind="urban_okrug").count() == 10
    assert samara.filter(kind="municipal_district").count() == 27


def test_chuvashia_has_its_26_units():
    assert Municipality.objects.filter(region__code="chuvashia").count() == 26


def test_every_municipality_has_a_boundary_a_label_point_inside_it_and_population():
    for m in Municipality.objects.all():
        assert m.boundary["type"] in {"Polygon", "MultiPolygon"}, m
        assert contains(m.boundary, m.centroid_lon, m.centroid_lat), m
        assert Population.objects.filter(municipality=m, year=2024).exists(), m


def test_two_krasnoarmeysky_districts_are_told_apart_by_region():
    assert Municipality.objects.filter(name="Красноармейский район").count() == 2
    assert {m.oktmo for m in Municipality.objects.filter(name="Красноармейский район")} == {"36626000", "97624000"}


def test_the_gazetteer_knows_district_centres_and_villages():
    pestravsky = Municipality.objects.get(oktmo="36632000")
    names = set(Settlement.objects.filter(municipality=pestravsky).values_list("name", flat=True))
    assert {"Пестравка", "Мосты", "Марьевка", "Падовка"} <= names
    assert Settlement.objects.get(municipality=pestravsky, is_admin_centre=True).name == "Пестравка"
    assert Settlement.objects.filter(region__code="chuvashia", name="Новочебоксарск", kind="city").exists()
    # every municipal district of both regions has its administrative centre or is run from a city
    assert Settlement.objects.filter(is_admin_centre=True).count() >= 50


def test_settlement_points_lie_in_their_municipality():
    checked = 0
    for s in Settlement.objects.exclude(lat=None).select_related("municipality"):
        assert _near(s.municipality.boundary, s.lon, s.lat), s
        checked += 1
    assert checked > 50


def test_polygon_centroid_of_a_square():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    assert polygon_centroid(square) == pytest.approx((1.0, 1.0))


def test_label_point_of_a_ring_lies_in_the_ring_not_in_its_hole():
    ring = {"type": "Polygon", "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[2, 2], [8, 2], [8, 8], [2, 8], [2, 2]],
    ]}
    lat, lon = label_point(ring)
    assert contains(ring, lon, lat)
    assert not contains(ring, 5, 5)


def _near(geometry, x, y, tolerance=0.03) -> bool:
    """Inside, or within ~2 km of the boundary (simplified shapes lose a little at the edges)."""
    steps = (-tolerance, 0, tolerance)
    return any(contains(geometry, x + dx, y + dy) for dx in steps for dy in steps)
